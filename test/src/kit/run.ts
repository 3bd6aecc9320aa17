/**
 * Runs the catalogue, or the checks `--only` picked, against one target that already holds the kit's
 * directory: each check alone, in catalogue order, on a context whose fixtures are made the first
 * time a check needs them. A check's failure, or a thrown error, is that check's result and never
 * stops the run; each result carries its id and section. It never decides an exit code (main.ts does).
 */
import type { Directory } from '@firstlight/protocol';
import { type Check, type CheckContext, type CheckResult, type Selector, selectChecks, type TargetDriver } from './catalogue.js';
import { catalogue } from './checks/index.js';
import { createFixtures } from './fixtures.js';
import { fakeCountries } from './keys.js';
import type { ConformanceKit } from './kit.js';
import { type KitTarget, Probe } from './probe.js';
import { loadVectors, type VectorSet } from './vector-replay.js';

export interface RunOptions {
  /** Makes the target act on a referral the kit sent it (an operator hook); without it, the copy check is skipped. */
  driver?: TargetDriver;
  /** How long to wait for the target to take a directory or send a message (ms). */
  waitMs?: number;
  /** The vectors to replay (default: the protocol's vector file). */
  vectors?: VectorSet;
  /** Run only the checks these pick (ids or sections); every check when absent or empty. */
  only?: Selector[];
}

async function runOne(check: Check, ctx: CheckContext): Promise<CheckResult> {
  const { id, section, title } = check;
  try {
    const outcome = await check.run(ctx);
    if (outcome === null) return { id, section, title, status: 'pass', reason: '' };
    if (typeof outcome === 'string') return { id, section, title, status: 'fail', reason: outcome };
    return { id, section, title, status: 'skip', reason: outcome.skip };
  } catch (error) {
    // A fixture the target foiled (SetupFailed) says which one and why; anything else, its message.
    return { id, section, title, status: 'fail', reason: error instanceof Error ? error.message : String(error) };
  }
}

/** Runs the selected checks (all by default) against one target, which already holds the kit's directory. */
export async function runChecks(kit: ConformanceKit, target: KitTarget, options: RunOptions = {}): Promise<CheckResult[]> {
  const vectors = options.vectors ?? loadVectors();
  const checks = selectChecks(catalogue(vectors), options.only ?? []);
  if (!kit.directory) throw new Error('the kit has published no directory for the target');
  const directory: Directory = kit.directory;
  const countries = fakeCountries(target.country);
  const waitMs = options.waitMs ?? 30_000;
  const base = {
    kit,
    target,
    directory,
    initialJws: kit.served,
    countries,
    probe: new Probe(target, directory, countries[0]),
    waitMs,
    directoryWaitMs: Math.min(waitMs, 10_000),
    ...(options.driver ? { driver: options.driver } : {}),
    vectors,
  };
  const ctx: CheckContext = { ...base, fixtures: createFixtures(base) };
  const results: CheckResult[] = [];
  for (const check of checks) results.push(await runOne(check, ctx));
  return results;
}

export interface Summary {
  passed: number;
  failed: number;
  skipped: number;
}

export function summarise(results: CheckResult[]): Summary {
  const count = (status: CheckResult['status']) => results.filter((r) => r.status === status).length;
  return { passed: count('pass'), failed: count('fail'), skipped: count('skip') };
}

const LABEL = { pass: 'PASS', fail: 'FAIL', skip: 'SKIP' } as const;

/** One line per check: status, section, id, title, and the reason of a failure or a skip; then the counts. */
export function printTable(results: CheckResult[]): string {
  const sectionWidth = Math.max(0, ...results.map((r) => r.section.length));
  const idWidth = Math.max(0, ...results.map((r) => r.id.length));
  const lines = results.map((r) =>
    `${LABEL[r.status]}  ${r.section.padEnd(sectionWidth)}  ${r.id.padEnd(idWidth)}  ${r.title}${r.reason ? ` — ${r.reason}` : ''}`.trimEnd(),
  );
  const { passed, failed, skipped } = summarise(results);
  lines.push('', `${passed} passed, ${failed} failed, ${skipped} skipped`);
  return lines.join('\n');
}

/** `--list`: every check (or those `--only` picks) with its section, id and title. */
export function printCatalogue(checks: Check[]): string {
  const sectionWidth = Math.max(0, ...checks.map((c) => c.section.length));
  const idWidth = Math.max(0, ...checks.map((c) => c.id.length));
  const lines = checks.map((c) => `${c.section.padEnd(sectionWidth)}  ${c.id.padEnd(idWidth)}  ${c.title}`);
  lines.push('', `${checks.length} checks`);
  return lines.join('\n');
}
