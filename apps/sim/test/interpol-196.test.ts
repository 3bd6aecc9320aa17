/**
 * The 196-country scenario (every INTERPOL member), without processes: the data file is what its
 * generator writes, it holds 196 distinct ISO codes, the node's routing data set places an address in
 * each, and the replay's plan at that size keeps its shape (centres in few countries, victims in most).
 * And the ports of a federation that large: the federation listeners clear
 * every operators' port.
 */
import { sampleIpsFor } from '@firstlight/node';
import { isCountryCode } from '@firstlight/protocol';
import { describe, expect, it } from 'vitest';
import { interpol196, problemsOf } from '../data/generate-interpol-196.js';
import { fates } from '../src/fates.js';
import { loadScenario, prng } from '../src/scenario.js';
import { federationOffset } from '../src/setup.js';
import { loadIndex, plan } from '../src/truth.js';

describe('the 196-country scenario (every INTERPOL member)', () => {
  it('loads through its schema, and is exactly what its generator writes', () => {
    const scenario = loadScenario(196);
    expect(scenario.countries).toHaveLength(196);
    expect(scenario).toEqual(interpol196());
  });

  it('holds 196 distinct ISO 3166-1 codes, each routable by the node’s routing data set', () => {
    const scenario = loadScenario(196);
    const codes = scenario.countries.map((c) => c.code);
    expect(new Set(codes).size).toBe(196);
    for (const code of codes) expect(isCountryCode(code), code).toBe(true);
    // Not members: North Korea and Tuvalu, and Hong Kong, Macao and Taiwan (not countries of INTERPOL).
    for (const code of ['KP', 'TV', 'HK', 'MO', 'TW']) expect(codes).not.toContain(code);
    for (const code of ['PW', 'FM', 'VA', 'PS', 'AW', 'CW', 'SX']) expect(codes).toContain(code);
    const index = loadIndex();
    const random = prng(196);
    for (const code of codes) {
      const [ip] = sampleIpsFor(index, code, 1, random);
      expect(ip, `an address of ${code}`).toBeDefined();
      expect(index.lookup(ip as string)).toBe(code);
    }
    expect(problemsOf(scenario, (code) => index.v4RangesOf(code))).toEqual([]);
  });

  it('tells what the generator refuses: a short list, a repeated code, a code the routing data cannot place', () => {
    const scenario = loadScenario(196);
    const broken = {
      ...scenario,
      countries: [...scenario.countries.slice(1), scenario.countries[1] as (typeof scenario.countries)[number]],
    };
    const problems = problemsOf(broken, (code) => (code === 'VA' ? [] : [[1, 2]]));
    expect(problems).toContain('a country is listed twice');
    expect(problems).toContain('VA has no IPv4 range in the routing data set');
    expect(problemsOf({ ...scenario, countries: scenario.countries.slice(0, 5) }, () => [[1, 2]])).toEqual(['5 countries, not 196']);
  });

  it('plans centres in few countries and victims in most, and lands on the model (its correlation score: truth.test.ts)', () => {
    const scenario = loadScenario(196);
    const truth = plan(scenario, scenario.countries, scenario.model.referrals, 196, loadIndex());
    expect(truth.cases).toHaveLength(2000);
    expect(new Set(truth.centres.map((c) => c.country)).size).toBeLessThanOrEqual(15);
    expect(new Set(truth.cases.map((c) => c.origin)).size).toBeGreaterThanOrEqual(150);
    const f = fates(scenario, truth, 196, { leaveForPerson: false });
    expect(f.reduce((n, x) => n + (x.kind === 'closed' ? x.outcome.arrests : 0), 0)).toBe(scenario.model.arrests);
    expect(f.reduce((n, x) => n + (x.kind === 'closed' ? x.outcome.callCentresDismantled : 0), 0)).toBe(scenario.model.dismantled);
  });
});

describe('the ports of a federation', () => {
  it('keeps the federation listeners 100 ports above up to 100 nodes, and clear of every operators’ port beyond', () => {
    expect(federationOffset(24)).toBe(100);
    expect(federationOffset(77)).toBe(100);
    expect(federationOffset(100)).toBe(100);
    expect(federationOffset(197)).toBe(200);
    for (const nodes of [24, 77, 101, 197, 250]) expect(federationOffset(nodes)).toBeGreaterThanOrEqual(nodes);
  });
});
