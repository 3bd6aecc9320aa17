/**
 * The replay's ground truth: the call centres behind the cases, and every case the simulation files.
 * Built from the seed alone (and the scenario, the size and the IP data set), so the same seed plans the
 * same operation on every run and the liaison office's correlation can be scored against it (score.ts).
 *
 * The 2015 pattern: centres in a few countries defraud victims in many. Each centre sits in one country
 * with a few addresses in one or two networks of that country's real ranges, used in turn over its
 * active months; its victims, in the countries it targets, complain at home and attach what they saved
 * (the centre's fake warrant page, their own transfer receipt). The noise that makes correlation hard:
 * a fake-police page circulated by several centres, VPN exits and a shared-hosting network many
 * unrelated centres pass through, and victims who report the same file twice.
 * Everything is synthetic; nothing here may name a real person or a real site.
 */
import type { IpIndex } from '@firstlight/node';
import { loadIpIndex, sampleIpsFor } from '@firstlight/node';
import type { Action, Urgency } from '@firstlight/protocol/enums';
import { type Country, pick, prng, type Scenario } from './scenario.js';

export interface Centre {
  id: number;
  country: string;
  ips: string[];
  /** Victim countries it calls. */
  targets: string[];
  firstDay: number;
  lastDay: number;
  usesFakePolice: boolean;
}

export interface File {
  filename: string;
  text: string;
}

export interface PlannedCase {
  /** Position in the plan (filing order: by report day). */
  n: number;
  centre: number;
  origin: string;
  destination: string;
  ip: string;
  files: File[];
  occurredDay: number;
  reportedDay: number;
  action: Action;
  urgency: Urgency;
  /** A victim reporting again what they reported before (the same file, the same address). */
  duplicate: boolean;
}

export interface Truth {
  centres: Centre[];
  cases: PlannedCase[];
  /** Days in the operation's calendar (start..end). */
  days: number;
}

export const DAY_MS = 86_400_000;
export const FAKE_POLICE_PAGE: File = {
  filename: 'police-notice.html',
  text: '<html><body><h1>Public Security Bureau: notice of investigation</h1><p>Synthetic fake-police page circulated by several call centres (simulation).</p></body></html>',
};

/** Weighted draw: call-centre countries host most centres, and a few victim countries are hit hardest. */
function weighted<T>(random: () => number, items: Array<[T, number]>): T {
  const total = items.reduce((n, [, w]) => n + w, 0);
  let x = random() * total;
  for (const [item, w] of items) {
    x -= w;
    if (x < 0) return item;
  }
  return (items.at(-1) as [T, number])[0];
}

const HEAVY_TARGETS = new Set(['CN', 'HK', 'MO', 'KR', 'TW', 'SG']);
const HOSTING = ['SG', 'HK', 'JP', 'NL', 'US', 'DE', 'AU', 'MY'];

/** Addresses of one network: a sampled address of the country, then neighbours in its /24 that the data set also places there. */
function network(index: IpIndex, country: string, count: number, random: () => number): string[] {
  const [base] = sampleIpsFor(index, country, 1, random);
  if (!base) return [];
  const prefix = base.split('.').slice(0, 3).join('.');
  const ips = new Set([base]);
  for (let tries = 0; ips.size < count && tries < 50; tries++) {
    const ip = `${prefix}.${1 + Math.floor(random() * 253)}`;
    if (index.lookup(ip) === country) ips.add(ip);
  }
  return [...ips];
}

export function sizeOf(scenario: Scenario, referrals: number) {
  const m = scenario.model;
  const centres = Math.max(1, Math.min(m.callCentres, Math.round((referrals * m.callCentres) / m.referrals)));
  const dismantled = Math.max(0, Math.round((centres * m.dismantled) / m.callCentres));
  const arrests = Math.round((m.arrests * centres) / m.callCentres);
  return { centres, dismantled, arrests };
}

export function plan(scenario: Scenario, countries: Country[], referrals: number, seed: number, index: IpIndex): Truth {
  const random = prng(seed);
  const days = Math.round((Date.parse(scenario.operation.end) - Date.parse(scenario.operation.start)) / DAY_MS) + 1;
  const hosts = countries.filter((c) => c.profile !== 'victims' && index.v4RangesOf(c.code).length > 0);
  const hostPool: Array<[string, number]> = (hosts.length > 0 ? hosts : countries).map((c) => [
    c.code,
    c.profile === 'call_centres' ? 3 : 1,
  ]);
  const victimPool = countries.filter((c) => c.profile !== 'call_centres');
  const victims = victimPool.length > 0 ? victimPool : countries;
  const { centres: count } = sizeOf(scenario, referrals);

  const centres: Centre[] = [];
  for (let id = 0; id < count; id++) {
    const country = weighted(random, hostPool);
    const first = network(index, country, 1 + Math.floor(random() * 3), random);
    const second = random() < 0.4 ? network(index, country, 1 + Math.floor(random() * 2), random) : [];
    const others = victims.filter((v) => v.code !== country);
    const pool: Array<[string, number]> = (others.length > 0 ? others : countries.filter((c) => c.code !== country)).map((v) => [
      v.code,
      HEAVY_TARGETS.has(v.code) ? 6 : v.profile === 'victims' ? 2 : 1,
    ]);
    const targets = new Set<string>();
    const wanted = 1 + Math.floor(random() * 3);
    for (let i = 0; i < wanted * 3 && targets.size < wanted; i++) targets.add(weighted(random, pool));
    const span = Math.floor(days * (0.3 + random() * 0.6));
    const firstDay = Math.floor(random() * Math.max(1, days - 30 - span));
    centres.push({
      id,
      country,
      ips: [...first, ...second],
      targets: [...targets],
      firstDay,
      lastDay: Math.min(days - 30, firstDay + span),
      usesFakePolice: false,
    });
  }
  // The fake-police page travels between centres: about one in four uses it, at least two.
  const users = Math.min(count, Math.max(2, Math.round(count / 4)));
  for (let i = 0; i < users; i++) (centres[Math.floor(random() * count)] as Centre).usesFakePolice = true;

  // Shared infrastructure many centres pass through: VPN exits and one shared-hosting network.
  const present = new Set(countries.map((c) => c.code));
  const hosting = HOSTING.filter((c) => present.has(c) && index.v4RangesOf(c).length > 0);
  const sharedCountries = hosting.length > 0 ? hosting : countries.map((c) => c.code);
  const shared: Array<{ ip: string; country: string }> = [];
  const exits = Math.max(1, Math.round(count / 12));
  for (let i = 0; i < exits; i++) {
    const country = pick(random, sharedCountries);
    for (const ip of network(index, country, i === 0 ? 2 : 1, random)) shared.push({ ip, country });
  }

  // Case counts: every centre has a few victims; larger ones have many more.
  const weights = centres.map(() => 0.3 + random() ** 2 * 3);
  const minimum = Math.min(3, Math.floor(referrals / count));
  const spare = referrals - minimum * count;
  const totalWeight = weights.reduce((a, b) => a + b, 0);
  const sizes = weights.map((w) => minimum + Math.floor((spare * w) / totalWeight));
  for (let i = 0, left = referrals - sizes.reduce((a, b) => a + b, 0); left > 0; i++, left--)
    sizes[i % count] = (sizes[i % count] as number) + 1;

  const cases: Omit<PlannedCase, 'n'>[] = [];
  let receipt = 0;
  centres.forEach((centre, c) => {
    const page: File = {
      filename: 'warrant.html',
      text: `<html><body><h1>Arrest warrant</h1><p>Synthetic fake warrant page of call centre ${centre.id} (simulation).</p></body></html>`,
    };
    let previous: Omit<PlannedCase, 'n'> | null = null;
    for (let k = 0; k < (sizes[c] as number); k++) {
      if (previous && random() < 0.03) {
        // The same victim again, a few days later, with the same file.
        cases.push({ ...previous, reportedDay: previous.reportedDay + 2 + Math.floor(random() * 5), duplicate: true });
        continue;
      }
      const origin = pick(random, centre.targets);
      const occurredDay = centre.firstDay + Math.floor(random() * (centre.lastDay - centre.firstDay + 1));
      // The address the investigators found: one of the centre's, in the order it used them; sometimes
      // the VPN exit or shared host it went through (never one in the victim's own country).
      const phase = Math.min(
        centre.ips.length - 1,
        Math.floor(((occurredDay - centre.firstDay) / (centre.lastDay - centre.firstDay + 1)) * centre.ips.length + (random() - 0.5)),
      );
      let ip = centre.ips[Math.max(0, phase)] as string;
      let destination = centre.country;
      const via = random() < 0.1 ? pick(random, shared) : undefined;
      if (via && via.country !== origin) ({ ip, country: destination } = via);
      const files: File[] = [];
      if (random() < 0.8) files.push(page);
      if (centre.usesFakePolice && random() < 0.45) files.push(FAKE_POLICE_PAGE);
      receipt += 1;
      files.push({ filename: 'transfer-receipt.txt', text: `Synthetic bank transfer receipt ${receipt} (${origin}, simulation).` });
      const current: Omit<PlannedCase, 'n'> = {
        centre: centre.id,
        origin,
        destination,
        ip,
        files,
        occurredDay,
        reportedDay: Math.min(days - 1, occurredDay + 1 + Math.floor(random() * 5)),
        action: pick(random, ['locate', 'locate', 'identify_subscriber', 'preserve', 'search_premises'] as const),
        urgency: pick(random, ['routine', 'urgent', 'urgent', 'emergency'] as const),
        duplicate: false,
      };
      cases.push(current);
      previous = current;
    }
  });
  const ordered = cases
    .map((c, i) => ({ c, i }))
    .sort((a, b) => a.c.reportedDay - b.c.reportedDay || a.i - b.i)
    .map(({ c }, n) => ({ ...c, n }));
  return { centres, cases: ordered, days };
}

let index: IpIndex | null = null;
/** The IP data set, loaded once per process (half a second). */
export function loadIndex(): IpIndex {
  index ??= loadIpIndex();
  return index;
}
