/**
 * How the console writes numbers, times and country names in the reader's language: thousands
 * separators, dates in the locale's own form (with the time zone named, since parties sit in many), and
 * country names from the browser's Intl.DisplayNames. No words live here; they are in locales/.
 */
import { useMemo } from 'react';
import type { Locale } from './i18n';

/** BCP 47 tags for the console's languages (Thai with Latin digits: police forms use them). */
const TAGS: Record<Locale, string> = { en: 'en-GB', th: 'th-TH-u-nu-latn' };

export interface Formatter {
  number: (n: number | null | undefined) => string;
  /** Seconds since the epoch, to the second, in the reader's time zone. */
  time: (seconds: number | null | undefined) => string;
  /** Seconds since the epoch, the day only. */
  day: (seconds: number | null | undefined) => string;
  /** An amount in its currency ("฿250,000.00"), the code spelled out when the browser does not know it. */
  money: (amount: number, currency: string) => string;
  /** A file size ("1.2 MB"). */
  bytes: (n: number) => string;
  /** A country's name from its ISO code ("KH" → "Cambodia"), the code itself when unknown. */
  country: (code: string) => string;
}

export function formatter(locale: Locale): Formatter {
  const tag = TAGS[locale];
  const num = new Intl.NumberFormat(tag);
  const time = new Intl.DateTimeFormat(tag, { dateStyle: 'medium', timeStyle: 'medium' });
  const day = new Intl.DateTimeFormat(tag, { dateStyle: 'medium' });
  let names: Intl.DisplayNames | null = null;
  try {
    names = new Intl.DisplayNames([tag], { type: 'region', fallback: 'code' });
  } catch {
    names = null;
  }
  return {
    number: (n) => (n === null || n === undefined || !Number.isFinite(n) ? '–' : num.format(n)),
    time: (s) => (s === null || s === undefined ? '–' : time.format(new Date(s * 1000))),
    day: (s) => (s === null || s === undefined ? '–' : day.format(new Date(s * 1000))),
    money: (amount, currency) => {
      try {
        return new Intl.NumberFormat(tag, { style: 'currency', currency }).format(amount);
      } catch {
        return `${num.format(amount)} ${currency}`;
      }
    },
    bytes: (n) => {
      const units = ['byte', 'kilobyte', 'megabyte', 'gigabyte'] as const;
      let i = 0;
      let v = n;
      while (v >= 1000 && i < units.length - 1) {
        v /= 1000;
        i++;
      }
      return new Intl.NumberFormat(tag, { style: 'unit', unit: units[i], unitDisplay: 'short', maximumFractionDigits: 1 }).format(v);
    },
    country: (code) => {
      if (!/^[A-Z]{2}$/.test(code)) return code;
      try {
        return names?.of(code) ?? code;
      } catch {
        return code;
      }
    },
  };
}

export function useFormatter(locale: Locale): Formatter {
  return useMemo(() => formatter(locale), [locale]);
}
