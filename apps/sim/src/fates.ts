/**
 * What happens to each planned case in the receiving country, decided from the seed with the plan:
 * which centres are raided and dismantled (and on which referral), how many people are arrested, which
 * referrals are declined, and which are left in the inbox for a person to work. Totals are exact by
 * construction (largest remainder), so the default replay lands on the release's figures every run.
 * This module never decides anything from the order in which answers come back.
 */
import { prng, type Scenario } from './scenario.js';
import { type PlannedCase, sizeOf, type Truth } from './truth.js';

export interface Outcome {
  suspectsIdentified: number;
  arrests: number;
  premisesSearched: number;
  callCentresDismantled: number;
}

export type Fate =
  | { kind: 'closed'; outcome: Outcome; locatedAfter: number; actionAfter: number }
  | { kind: 'declined'; reason: 'data_retention_expired' | 'ip_not_traceable' }
  | { kind: 'left' };

/** Referrals left untouched in each receiving country's inbox, for a person to work in the console. */
export const LEFT_FOR_A_PERSON = 2;

/** Splits `total` in proportion to `weights`, exactly (largest remainder). */
export function apportion(total: number, weights: number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0) || 1;
  const raw = weights.map((w) => (total * w) / sum);
  const out = raw.map(Math.floor);
  const order = raw.map((x, i) => ({ i, r: x - Math.floor(x) })).sort((a, b) => b.r - a.r || a.i - b.i);
  for (let k = 0, left = total - out.reduce((a, b) => a + b, 0); k < left; k++) {
    const i = (order[k % order.length] as { i: number }).i;
    out[i] = (out[i] as number) + 1;
  }
  return out;
}

export function fates(
  scenario: Scenario,
  truth: Truth,
  seed: number,
  options: { leaveForPerson: boolean } = { leaveForPerson: true },
): Fate[] {
  const random = prng(seed ^ 0x5eed);
  const { dismantled, arrests } = sizeOf(scenario, truth.cases.length);
  const groupBy = <K>(key: (c: PlannedCase) => K) => {
    const m = new Map<K, PlannedCase[]>();
    for (const c of truth.cases) {
      const list = m.get(key(c));
      if (list) list.push(c);
      else m.set(key(c), [c]);
    }
    return m;
  };
  const byCentre = groupBy((c) => c.centre);

  // Left for a person: the last referrals each country receives (never a centre's only raid candidate).
  const left = new Set<number>();
  const byDestination = groupBy((c) => c.destination);
  for (const list of byDestination.values()) {
    const keep = options.leaveForPerson ? Math.min(LEFT_FOR_A_PERSON, Math.floor(list.length / 3)) : 0;
    for (const c of list.slice(list.length - keep)) left.add(c.n);
  }

  // The raids: the centres with the most victims are dismantled first (investigators follow the
  // evidence); the raid answers the referral in the middle of the centre's own, located ones.
  const ranked = truth.centres
    .map((centre) => ({
      centre,
      own: (byCentre.get(centre.id) ?? []).filter((c) => c.destination === centre.country && !left.has(c.n) && !c.duplicate),
    }))
    .filter((x) => x.own.length > 0)
    .sort((a, b) => b.own.length - a.own.length || a.centre.id - b.centre.id);
  const raided = ranked.slice(0, dismantled);
  const rest = ranked.slice(dismantled);
  // Most arrests come with the raids; a centre identified but not raided yields a few (couriers, mules).
  const raidArrests = apportion(
    Math.round(arrests * 0.88),
    raided.map(() => 0.5 + random()),
  );
  const otherArrests = apportion(
    arrests - raidArrests.reduce((a, b) => a + b, 0),
    rest.map(() => 0.5 + random()),
  );
  const special = new Map<number, Outcome>();
  raided.forEach(({ own }, i) => {
    const n = raidArrests[i] as number;
    special.set((own[Math.floor(own.length / 2)] as PlannedCase).n, {
      suspectsIdentified: n + 2 + Math.floor(random() * 8),
      arrests: n,
      premisesSearched: 1,
      callCentresDismantled: 1,
    });
  });
  rest.forEach(({ own }, i) => {
    const n = otherArrests[i] as number;
    special.set((own[0] as PlannedCase).n, {
      suspectsIdentified: n + 1 + Math.floor(random() * 3),
      arrests: n,
      premisesSearched: n > 0 ? 1 : 0,
      callCentresDismantled: 0,
    });
  });

  return truth.cases.map((c): Fate => {
    const r = prng(seed * 31 + c.n);
    const locatedAfter = 3 + Math.floor(r() * 5);
    const actionAfter = locatedAfter + 3 + Math.floor(r() * 12);
    if (left.has(c.n)) return { kind: 'left' };
    const outcome = special.get(c.n);
    if (outcome) return { kind: 'closed', outcome, locatedAfter, actionAfter };
    if (r() < 0.05) return { kind: 'declined', reason: r() < 0.5 ? 'data_retention_expired' : 'ip_not_traceable' };
    return {
      kind: 'closed',
      outcome: { suspectsIdentified: Math.floor(r() * 3), arrests: 0, premisesSearched: 0, callCentresDismantled: 0 },
      locatedAfter,
      actionAfter,
    };
  });
}
