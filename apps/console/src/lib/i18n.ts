/**
 * Every string the console shows lives in locales/, one file per language. English first and the
 * shape all others fill; Thai proves the app is ready for more. Components never hold words.
 */
import type { Formatter } from './format';
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

/**
 * The words for a value the server sends as a code (a state, an action, a scam type…): the locale's
 * word when it has one, else the code itself, so a code newer than this console still shows.
 */
export function word(words: Readonly<Record<string, string>>, code: string): string {
  return words[code] ?? code;
}

/** A party of the federation by name: a country's, or the liaison office's (which has no country code). */
export function partyName(party: string, t: Strings, f: Formatter): string {
  return party === 'LIAISON' ? t.outbox.liaison : f.country(party);
}

/** A sent referral's state: null until the recipient signs one, shown as "sent". */
export function sentState(t: Strings, state: string | null): string {
  return state ? word(t.states, state) : t.states.sent;
}
