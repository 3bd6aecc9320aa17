/**
 * Synthetic cases following the scam INTERPOL's release describes: a fake courier says a parcel in the
 * victim's name holds contraband, transfers the call to a fake police officer, who shows a fake arrest
 * warrant on a website and orders the victim to move money to "designated accounts" for verification.
 * Every name and number here is invented; the names say so.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface Country {
  code: string;
  name: string;
  profile: 'victims' | 'call_centres' | 'both';
  namedByRelease: boolean;
}

export interface Scenario {
  simulation: true;
  notice: string;
  operation: { id: string; name: string; start: string; end: string };
  /** The figures the operation's press release published (strings where it gave no exact number). */
  release: {
    countries: number;
    arrests: string;
    callCentresDismantled: number | null;
    callCentresIdentified: string | null;
    source: string;
  };
  /** The simulation's model at its default size: what the replay aims for (see truth.ts). */
  model: { referrals: number; callCentres: number; dismantled: number; arrests: number };
  liaison: { name: string };
  countries: Country[];
}

/** Deterministic PRNG (mulberry32): a run with the same seed files the same cases. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const pick = <T>(random: () => number, items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;

const CURRENCY: Record<string, string> = {
  CN: 'CNY',
  HK: 'HKD',
  MO: 'MOP',
  KR: 'KRW',
  JP: 'JPY',
  SG: 'SGD',
  MY: 'MYR',
  TH: 'THB',
  VN: 'VND',
  ID: 'IDR',
  AU: 'AUD',
  NZ: 'NZD',
  IN: 'INR',
  GB: 'GBP',
  US: 'USD',
};

const STAGES = [
  { scamType: 'fake_courier', text: 'A caller claiming to be from a courier company said a parcel in my name held forged passports.' },
  { scamType: 'fake_police', text: 'The call was transferred to a man who said he was a police officer investigating money laundering.' },
  { scamType: 'fake_arrest_warrant', text: 'He sent me to a website showing an arrest warrant with my name and photo.' },
] as const;

/** The victim's account, the same three stages the release describes. */
export const NARRATIVE = `${STAGES[0].text} ${STAGES[1].text} ${STAGES[2].text} I transferred the money to the designated account he gave me "for verification". (Synthetic case for the First Light simulation.)`;

export const currencyOf = (country: string) => CURRENCY[country] ?? 'USD';

export const scamTypeOf = (random: () => number) => pick(random, STAGES).scamType;

/** The operation a replay tells: First Light 2015 (23 countries) or 2022 (76). */
export function loadScenario(countries: 23 | 76): Scenario {
  const file = fileURLToPath(new URL(`../data/${countries === 23 ? 'first-light-2015' : 'first-light-2022'}.json`, import.meta.url));
  return JSON.parse(readFileSync(file, 'utf8')) as Scenario;
}
