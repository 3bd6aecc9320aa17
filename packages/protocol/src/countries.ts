/**
 * ISO 3166-1 alpha-2: the officially assigned codes. HK, MO and TW are codes in their own right.
 * Never accept user-assigned codes (XK, ZZ…): a country must be a real one.
 */
import data from './data/iso3166-1-alpha2.json' with { type: 'json' };

const names: Readonly<Record<string, string>> = data.codes;

export const COUNTRY_CODES: readonly string[] = Object.keys(names);

const codeSet = new Set(COUNTRY_CODES);

export function isCountryCode(value: unknown): value is string {
  return typeof value === 'string' && codeSet.has(value);
}

export function countryName(code: string): string {
  return names[code] ?? code;
}
