/**
 * Every string the console shows lives in locales/, one file per language. English first and the
 * shape all others fill; Thai proves the app is ready for more. Components never hold words.
 */
import { en, type Strings } from './locales/en';
import { th } from './locales/th';

export const LOCALES = ['en', 'th'] as const;
export type Locale = (typeof LOCALES)[number];

export type { Strings };

export const STRINGS: Record<Locale, Strings> = { en, th };

/** Replaces {name} placeholders. */
export function format(template: string, values: Record<string, string | number> = {}): string {
  return template.replace(/\{(\w+)\}/g, (_, k: string) => String(values[k] ?? `{${k}}`));
}
