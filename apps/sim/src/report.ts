/**
 * What the replay says at the end: the operation's figures from the liaison office, the office's
 * suspected call centres scored against the truth (score.ts), as one JSON object or one readable block
 * beside the figures the release published. It reads the office through its API like any analyst.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { FiledLog } from './filed-log.js';
import type { Client } from './filing.js';
import { CONSOLE_DIST } from './processes.js';
import type { Scenario } from './scenario.js';
import { type Score, score } from './score.js';
import type { Truth } from './truth.js';

export interface Progress {
  filed: number;
  /** Cases in the bureaus' hands right now (imported or being referred). */
  filing: number;
  planned: number;
  /** The replay's operation day, labelled (null at the fastest pace). */
  day: string | null;
  referrals: number;
  statuses: number;
  arrests: number;
  premisesSearched: number;
  callCentresDismantled: number;
  done: number;
}

export interface Report {
  countries: number;
  referrals: number;
  arrests: number;
  callCentresDismantled: number;
  callCentresIdentified: number;
  correlation: Score;
  /** Wall-clock seconds of this run (start-up included; a resumed run counts from its own start). */
  seconds: number;
}

export async function finalReport(r: {
  analyst: Client;
  scenario: Scenario;
  truth: Truth;
  filed: FiledLog;
  countries: number;
  started: number;
  attempt: <T>(what: string, call: () => Promise<T>) => Promise<T | null>;
}): Promise<Report> {
  const operation = r.scenario.operation.id;
  const overview = await r.attempt('asking the liaison office for the overview', () => r.analyst.liaison.overview.query({ operation }));
  const found = await r.attempt('asking the liaison office for its suspected call centres', () =>
    r.analyst.liaison.clusters.query({ operation, limit: 1000 }),
  );
  const centreOf = new Map<string, number>();
  const byN = new Map(r.truth.cases.map((c) => [c.n, c.centre]));
  for (const id of r.filed.ids()) {
    const n = r.filed.caseOf(id);
    const centre = n === undefined ? undefined : byN.get(n);
    if (centre !== undefined) centreOf.set(id, centre);
  }
  const clusters = found?.clusters ?? [];
  return {
    countries: r.countries,
    referrals: r.filed.ids().length,
    arrests: overview?.headline.arrests ?? 0,
    callCentresDismantled: overview?.headline.callCentresDismantled ?? 0,
    callCentresIdentified: found?.total ?? 0,
    correlation: score(clusters, centreOf, (c) => r.truth.centres[c]?.country ?? '?'),
    seconds: Math.round((Date.now() - r.started) / 1000),
  };
}

/** One block a person reads at a glance: this replay beside the release. */
export function humanReport(report: Report, scenario: Scenario, seed: number): string {
  const rel = scenario.release;
  const row = (what: string, ours: string | number, theirs: string | number | null) =>
    `  ${what.padEnd(44)}${String(ours).padStart(10)}   ${theirs === null ? '(not published)' : String(theirs)}`;
  const c = report.correlation;
  const merges = c.worstMerges.map(
    (m) => `    ${m.referrals} referrals: ${m.centres.map((x) => `centre ${x.centre} (${x.country}) ×${x.referrals}`).join(' + ')}`,
  );
  return [
    '',
    `${scenario.operation.name}, replayed (seed ${seed}; synthetic cases)`,
    `  ${''.padEnd(44)}${'replay'.padStart(10)}   release`,
    row('countries', report.countries, rel.countries),
    row('referrals filed', report.referrals, null),
    row('arrests', report.arrests, rel.arrests),
    row('call centres dismantled', report.callCentresDismantled, rel.callCentresDismantled),
    row('call centres identified (liaison office)', report.callCentresIdentified, rel.callCentresIdentified),
    `  correlation against the truth (pairs of referrals): precision ${c.precision.toFixed(3)}, recall ${c.recall.toFixed(3)};`,
    `    ${c.found} suspected call centres found for ${c.truth} true ones; ${c.inOneCountry} of them located in one country`,
    ...(merges.length > 0
      ? ['  worst merges (true centres the office put together):', ...merges]
      : ['  no suspected centre mixes two true ones']),
    `  ${report.seconds} s for this run, start-up included`,
    '',
  ].join('\n');
}

/** Builds the web console once (a fresh clone has no dist); a failed build only means no console. */
export function buildConsole(): void {
  const dir = resolve(CONSOLE_DIST, '..');
  const vite = join(dir, 'node_modules/vite/bin/vite.js');
  if (!existsSync(vite)) return;
  try {
    execFileSync(process.execPath, [vite, 'build', '--logLevel', 'error'], { cwd: dir, stdio: 'ignore', timeout: 120_000 });
  } catch {
    // served without a console; main.ts says how to build it
  }
}
