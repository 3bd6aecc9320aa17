/**
 * The replay's truth and the liaison office's correlation, without processes: the plan of the default
 * replays is correlated by the office's own rule (clustersOf, the function behind liaison.clusters) and
 * scored. A change to the rule or to the plan that hurts the score fails here.
 */
import { createHash } from 'node:crypto';
import { clustersOf } from '@firstlight/node';
import { ipNetwork } from '@firstlight/protocol';
import { describe, expect, it } from 'vitest';
import { fates, LEFT_FOR_A_PERSON } from '../src/fates.js';
import { loadScenario, type ScenarioSize } from '../src/scenario.js';
import { score } from '../src/score.js';
import { loadIndex, plan } from '../src/truth.js';

const id = (n: number) => `00000000-0000-7000-8000-${String(n).padStart(12, '0')}`;

function replay(countries: ScenarioSize, seed: number) {
  const scenario = loadScenario(countries);
  const truth = plan(scenario, scenario.countries, scenario.model.referrals, seed, loadIndex());
  const rows = truth.cases.map((c) => ({
    id: id(c.n),
    from_country: c.origin,
    to_country: c.destination,
    ip: c.ip,
    network: ipNetwork(c.ip) ?? c.ip,
  }));
  const digests = truth.cases.flatMap((c) =>
    c.files.map((f) => ({ referral_id: id(c.n), digest: `sha256:${createHash('sha256').update(f.text).digest('hex')}` })),
  );
  const found = clustersOf(rows, digests, 200, 1000);
  const centreOf = new Map(truth.cases.map((c) => [id(c.n), c.centre]));
  return { scenario, truth, found, score: score(found.clusters, centreOf, (c) => truth.centres[c]?.country ?? '?') };
}

describe('the replay of First Light 2015', () => {
  it('plans the same operation from the same seed, and lands on the release figures', () => {
    const { scenario, truth } = replay(23, 2015);
    const again = replay(23, 2015).truth;
    expect(again).toEqual(truth);
    const f = fates(scenario, truth, 2015);
    const sum = (k: 'arrests' | 'callCentresDismantled') => f.reduce((n, x) => n + (x.kind === 'closed' ? x.outcome[k] : 0), 0);
    expect(sum('arrests')).toBeGreaterThanOrEqual(500);
    expect(sum('arrests')).toBeLessThanOrEqual(600);
    expect(sum('callCentresDismantled')).toBe(15);
    expect(truth.centres.length).toBeGreaterThanOrEqual(30);
    // Every centre in one country, its addresses in at most two networks of it.
    for (const centre of truth.centres)
      expect(new Set(centre.ips.map((ip) => ip.split('.').slice(0, 3).join('.'))).size).toBeLessThanOrEqual(2);
    // Each receiving country keeps at most LEFT_FOR_A_PERSON referrals for a person; none of them is a raid.
    const left = truth.cases.filter((c) => f[c.n]?.kind === 'left');
    const perCountry = new Map<string, number>();
    for (const c of left) perCountry.set(c.destination, (perCountry.get(c.destination) ?? 0) + 1);
    expect(Math.max(...perCountry.values())).toBeLessThanOrEqual(LEFT_FOR_A_PERSON);
    expect(left.length).toBeGreaterThan(10);
  });

  it('holds the noise that makes correlation hard: a shared fake-police page, shared addresses, repeat reports', () => {
    const { truth } = replay(23, 2015);
    const centresBy = (key: (c: (typeof truth.cases)[number]) => string[]) => {
      const m = new Map<string, Set<number>>();
      for (const c of truth.cases) for (const k of key(c)) m.set(k, (m.get(k) ?? new Set()).add(c.centre));
      return Math.max(...[...m.values()].map((s) => s.size));
    };
    expect(centresBy((c) => c.files.map((f) => f.text))).toBeGreaterThanOrEqual(3);
    expect(centresBy((c) => [c.ip])).toBeGreaterThanOrEqual(3);
    expect(truth.cases.filter((c) => c.duplicate).length).toBeGreaterThan(0);
  });

  it('the liaison office finds its call centres: pairwise precision ≥ 0.95, recall ≥ 0.90, each in one country', () => {
    const { score: s } = replay(23, 2015);
    expect(s.precision).toBeGreaterThanOrEqual(0.95);
    expect(s.recall).toBeGreaterThanOrEqual(0.9);
    expect(s.found).toBeGreaterThanOrEqual(30);
    expect(s.inOneCountry).toBe(s.found);
  });

  it('keeps the score at 76 countries (First Light 2022)', () => {
    const { score: s } = replay(76, 2022);
    expect(s.precision).toBeGreaterThanOrEqual(0.95);
    expect(s.recall).toBeGreaterThanOrEqual(0.9);
    expect(s.inOneCountry).toBeGreaterThanOrEqual(s.found - 2);
  });

  it('keeps the score at 196 countries (every INTERPOL member, 2,000 referrals)', () => {
    const { score: s } = replay(196, 196);
    expect(s.precision).toBeGreaterThanOrEqual(0.95);
    expect(s.recall).toBeGreaterThanOrEqual(0.9);
  });
});
