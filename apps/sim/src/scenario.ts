/**
 * Synthetic cases following the scam INTERPOL's release describes: a fake courier says a parcel in the
 * victim's name holds contraband, transfers the call to a fake police officer, who shows a fake arrest
 * warrant on a website and orders the victim to move money to "designated accounts" for verification.
 * Every name and number here is invented; the names say so.
 */

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

const pick = <T>(random: () => number, items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;

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

export interface SyntheticCase {
  victimName: string;
  victimContact: string;
  amountLost: number;
  currency: string;
  scamType: 'fake_courier' | 'fake_police' | 'fake_arrest_warrant';
  narrative: string;
  occurredAt: string;
  reportedAt: string;
  /** The fake warrant page: its bytes are the evidence file; pages reused across victims correlate. */
  warrantPage: string;
  action: 'locate' | 'preserve' | 'identify_subscriber' | 'search_premises' | 'arrest' | 'takedown';
  urgency: 'routine' | 'urgent' | 'emergency';
}

export function syntheticCase(random: () => number, origin: string, index: number, operation: Scenario['operation']): SyntheticCase {
  const stage = pick(random, STAGES);
  const amount = Math.round(2_000 + random() * 498_000);
  const start = Date.parse(`${operation.start}T00:00:00Z`);
  const end = Date.parse(`${operation.end}T00:00:00Z`);
  const occurred = new Date(start + Math.floor(random() * Math.max(1, end - start - 86_400_000)));
  const reported = new Date(occurred.getTime() + Math.floor(1 + random() * 5) * 86_400_000);
  // A handful of warrant sites serve many victims: the same page hash ties their referrals together.
  const site = Math.floor(random() * 40);
  return {
    victimName: `Synthetic Victim ${origin}-${String(index).padStart(5, '0')}`,
    victimContact: `synthetic-${origin.toLowerCase()}-${index}@example.invalid`,
    amountLost: amount,
    currency: CURRENCY[origin] ?? 'USD',
    scamType: stage.scamType,
    narrative: `${STAGES[0].text} ${STAGES[1].text} ${STAGES[2].text} I transferred the money to the designated account he gave me "for verification". (Synthetic case for the First Light simulation.)`,
    occurredAt: occurred.toISOString().slice(0, 10),
    reportedAt: reported.toISOString().slice(0, 10),
    warrantPage: `<html><body><h1>Arrest warrant</h1><p>Case file ${site}: synthetic fake warrant page used by call centre #${site}</p></body></html>`,
    action: pick(random, ['locate', 'locate', 'identify_subscriber', 'preserve', 'search_premises'] as const),
    urgency: pick(random, ['routine', 'urgent', 'urgent', 'emergency'] as const),
  };
}

/** Which country files the next case, and which country's address space the scammers used. */
export function route(random: () => number, countries: Country[]): { origin: string; destination: string } {
  const victims = countries.filter((c) => c.profile !== 'call_centres');
  const hosts = countries.filter((c) => c.profile !== 'victims');
  const origin = pick(random, victims).code;
  let destination = pick(random, hosts).code;
  for (let i = 0; destination === origin && i < 10; i++) destination = pick(random, hosts).code;
  if (destination === origin) destination = (countries.find((c) => c.code !== origin) as Country).code;
  return { origin, destination };
}

/** What the receiving country reports, step by step. */
export function outcome(random: () => number) {
  const suspectsIdentified = 1 + Math.floor(random() * 25);
  const arrests = Math.max(0, suspectsIdentified - Math.floor(random() * 6));
  return {
    suspectsIdentified,
    arrests,
    premisesSearched: random() < 0.6 ? 1 : 0,
    callCentresDismantled: random() < 0.35 ? 1 : 0,
  };
}
