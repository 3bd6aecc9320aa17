/**
 * Writes first-light-interpol-196.json: the replay at the size of INTERPOL's whole membership, 196
 * countries, a scale test of the federation that no real First Light operation has had. Deterministic:
 * the same repository writes the same file (`pnpm --filter @firstlight/sim scenario:196`), and it
 * refuses to write one the simulation could not run.
 *
 * Where each part comes from:
 * - the members: the 193 UN member states, less the two that are not INTERPOL members (North Korea,
 *   Tuvalu), plus the Holy See, Palestine and the three Dutch Caribbean countries with their own
 *   National Central Bureau (Aruba, Curaçao, Sint Maarten): 196 since Palau joined in November 2023.
 *   Hong Kong, Macao and Taiwan, countries of the 2015 and 2022 replays, are not members (HK and MO
 *   are sub-bureaus of China's NCB) and are not nodes here;
 * - names: the 2022 scenario's where it has the country, else the ISO 3166-1 short name the protocol
 *   validates codes against (packages/protocol/src/data), with a few made readable;
 * - profiles: the 2022 scenario's call-centre countries (South-East Asia) host most centres, the 2015
 *   scenario's mixed countries host some and are called too; every other member is a victims' country.
 *   So the centres sit in 15 countries and their victims in the rest of the world;
 * - every code must be an ISO code the protocol accepts and have IPv4 ranges in the node's routing data
 *   set (a suspect's address is drawn from them), or nothing is written.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadIpIndex } from '@firstlight/node';
import { countryName, isCountryCode } from '@firstlight/protocol';
import { type Country, type Scenario, scenarioSchema } from '../src/scenario.js';

const UN_MEMBERS = `
  DZ AO BJ BW BF BI CV CM CF TD KM CG CD CI DJ EG GQ ER SZ ET GA GM GH GN GW KE LS LR LY MG MW ML MR MU MA MZ NA NE NG RW
  ST SN SC SL SO ZA SS SD TZ TG TN UG ZM ZW
  AG AR BS BB BZ BO BR CA CL CO CR CU DM DO EC SV GD GT GY HT HN JM MX NI PA PY PE KN LC VC SR TT US UY VE
  AF AM AZ BH BD BT BN KH CN CY GE IN ID IR IQ IL JP JO KZ KW KG LA LB MY MV MN MM NP KP OM PK PH QA KR SA SG LK SY TJ TH
  TL TR TM AE UZ VN YE
  AL AD AT BY BE BA BG HR CZ DK EE FI FR DE GR HU IS IE IT LV LI LT LU MT MD MC ME NL MK NO PL PT RO RU SM RS SK SI ES SE CH
  UA GB
  AU FJ KI MH FM NR NZ PW PG WS SB TO TV VU`
  .trim()
  .split(/\s+/);
const NOT_MEMBERS = new Set(['KP', 'TV']);
const OTHER_MEMBERS = ['VA', 'PS', 'AW', 'CW', 'SX'];

/** ISO short names that read badly in a console ("Moldova, Republic of"). */
const READABLE: Record<string, string> = {
  BN: 'Brunei',
  CD: 'DR Congo',
  CG: 'Congo',
  CI: "Côte d'Ivoire",
  FM: 'Micronesia',
  GM: 'Gambia',
  IR: 'Iran',
  LA: 'Laos',
  MD: 'Moldova',
  MK: 'North Macedonia',
  PS: 'Palestine',
  RU: 'Russia',
  SX: 'Sint Maarten',
  SY: 'Syria',
  TZ: 'Tanzania',
  VA: 'Holy See',
  VE: 'Venezuela',
};

const here = (name: string) => fileURLToPath(new URL(name, import.meta.url));
const read = (name: string) => scenarioSchema.parse(JSON.parse(readFileSync(here(name), 'utf8')));

export function interpol196(): Scenario {
  const s2015 = read('./first-light-2015.json');
  const s2022 = read('./first-light-2022.json');
  const members = [...UN_MEMBERS.filter((c) => !NOT_MEMBERS.has(c)), ...OTHER_MEMBERS];
  const known = new Map(s2022.countries.map((c) => [c.code, c]));
  const mixed = new Set(s2015.countries.filter((c) => c.profile === 'both').map((c) => c.code));
  const centres = new Set(s2022.countries.filter((c) => c.profile === 'call_centres').map((c) => c.code));
  // The 2022 scenario's order first (so its countries keep their places), then the rest by code.
  const order = [...s2022.countries.map((c) => c.code).filter((c) => members.includes(c)), ...members.filter((c) => !known.has(c)).sort()];
  const countries: Country[] = order.map((code) => ({
    code,
    name: known.get(code)?.name ?? READABLE[code] ?? countryName(code),
    profile: centres.has(code) ? 'call_centres' : mixed.has(code) ? 'both' : 'victims',
    namedByRelease: false,
  }));
  return {
    simulation: true,
    notice:
      "SIMULATION. A First Light operation at the size of INTERPOL's whole membership (196 countries): a scale test of the federation, not a real operation; no First Light operation has involved every member. Call centres sit in 15 countries (South-East and South Asia, Mongolia, Fiji), victims everywhere else. All data the simulation produces is synthetic.",
    operation: {
      id: 'first-light-interpol-196',
      name: 'First Light, every INTERPOL member (hypothetical)',
      start: '2024-03-01',
      end: '2024-05-31',
    },
    release: {
      countries: 196,
      arrests: 'none (hypothetical)',
      callCentresDismantled: null,
      callCentresIdentified: null,
      source: 'none: no operation has involved every INTERPOL member; the figures are the model scaled from First Light 2022',
    },
    // First Light 2022's model (1,000 referrals, 110 centres, 48 dismantled, 2,000 arrests) at twice the referrals.
    model: { referrals: 2000, callCentres: 220, dismantled: 96, arrests: 4000 },
    liaison: s2022.liaison,
    countries,
  };
}

/** Every reason the scenario could not run: a count that is not 196, a repeated or invalid code, a country the routing data set cannot place an address in. */
export function problemsOf(scenario: Scenario, v4RangesOf: (code: string) => unknown[]): string[] {
  const codes = scenario.countries.map((c) => c.code);
  const problems: string[] = [];
  if (codes.length !== 196) problems.push(`${codes.length} countries, not 196`);
  if (new Set(codes).size !== codes.length) problems.push('a country is listed twice');
  for (const code of codes) {
    if (!isCountryCode(code)) problems.push(`${code} is not an ISO 3166-1 alpha-2 code`);
    else if (v4RangesOf(code).length === 0) problems.push(`${code} has no IPv4 range in the routing data set`);
  }
  return problems;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const scenario = interpol196();
  const index = loadIpIndex();
  const problems = problemsOf(scenario, (code) => index.v4RangesOf(code));
  if (problems.length > 0) {
    process.stderr.write(`not written: ${problems.join('; ')}\n`);
    process.exit(1);
  }
  writeFileSync(here('./first-light-interpol-196.json'), `${JSON.stringify(scenario, null, 2)}\n`);
  process.stdout.write(`wrote first-light-interpol-196.json: ${scenario.countries.length} countries\n`);
}
