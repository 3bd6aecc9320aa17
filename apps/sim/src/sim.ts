/**
 * The simulation of Operation First Light: a liaison office and N national nodes as real processes on
 * this machine, a planned operation with a ground truth (truth.ts, fates.ts), its cases filed on the
 * days they were reported, and the receiving countries acting on them with signed statuses. The replay
 * runs on its own clock (by default one second per operation day, so a person can watch it), and the
 * simulation acts only on the referrals it filed. State lives in the data root; a second run resumes.
 */
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureBundle } from '@firstlight/node/bundle';
import { z } from 'zod';
import { fates } from './fates.js';
import { FiledLog } from './filed-log.js';
import { acquireLock, checkPorts } from './lock.js';
import { CONSOLE_DIST, killAllSync, type NodeProcess, startNodeProcess, stopAll, waitHealthy } from './processes.js';
import { run } from './replay.js';
import { buildConsole, type Progress, type Report } from './report.js';
import { loadScenario, type Scenario, scenarioSizeSchema } from './scenario.js';
import { federationOffset, setupFederation, type Tokens, urlOf } from './setup.js';
import { loadState, SimError, type State, saveState } from './state.js';
import { loadIndex, plan, type Truth } from './truth.js';

export type { Progress, Report } from './report.js';
export { SimError } from './state.js';

const here = dirname(fileURLToPath(import.meta.url));

export const simOptionsSchema = z.strictObject({
  countries: scenarioSizeSchema.default(23),
  referrals: z.int().min(1).max(1_000_000).optional(),
  dataRoot: z.string().min(1).default(resolve(here, '../../../.firstlight-sim')),
  portBase: z.int().min(1024).max(65_000).default(7700),
  console: z.boolean().default(true),
  fresh: z.boolean().default(false),
  seed: z.int().default(2015),
  /** Stop the federation once every referral the simulation works is closed or declined. */
  exitWhenDone: z.boolean().default(false),
  /** Real milliseconds per operation day (`pnpm start` uses 1000, so a person can watch); 0: as fast as the machine goes. */
  msPerDay: z.number().min(0).max(3_600_000).default(0),
  /** Leave the last LEFT_FOR_A_PERSON referrals of each receiving country for a person (`pnpm start` does). */
  leaveForPerson: z.boolean().default(false),
  /** Fastest pace only: seconds between status rounds. */
  stepSeconds: z.number().min(0).max(3600).default(1),
  /** Fastest pace only: filers at work at once. */
  concurrency: z.int().min(1).max(256).default(8),
  /** Run only these countries of the scenario (tests: a small federation through the same code path). */
  only: z.array(z.string().length(2)).min(2).optional(),
  /** Start-up is abandoned (every node stopped) once this says so: Ctrl-C during start-up. */
  aborted: z.custom<() => boolean>((v) => typeof v === 'function').optional(),
  /**
   * Awaited once every node is healthy and before the replay files anything: a bench measures the idle
   * federation here (bench/scripts/federation-196.ts). A failure stops every node, like any at start-up.
   */
  beforeReplay: z.custom<(nodes: readonly NodeProcess[]) => Promise<void>>((v) => typeof v === 'function').optional(),
});

export type SimOptions = z.input<typeof simOptionsSchema>;

export interface Simulation {
  dataRoot: string;
  consoleUrl: string;
  consoleBuilt: boolean;
  tokens: Tokens;
  urls: Record<string, string>;
  readyMs: number;
  resumed: boolean;
  nodes: NodeProcess[];
  scenario: Scenario;
  /** The latest figures, never waiting on the liaison office (a busy office answers the next tick). */
  progress(): Progress;
  /** Resolves when every referral the simulation works is closed or declined (and the office knows it). */
  done: Promise<Progress>;
  /** The figures and the correlation's score, asked of the liaison office now. */
  report(): Promise<Report>;
  stop(): Promise<{ stopped: number; killed: string[] }>;
}

export async function runSimulation(raw: SimOptions = {}): Promise<Simulation> {
  const parsedOptions = simOptionsSchema.safeParse(raw);
  if (!parsedOptions.success) throw new SimError(parsedOptions.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  const options = parsedOptions.data;
  const aborted = options.aborted ?? (() => false);
  const full = loadScenario(options.countries);
  const scenario: Scenario = options.only ? { ...full, countries: full.countries.filter((c) => options.only?.includes(c.code)) } : full;
  if (scenario.countries.length < 2) throw new SimError('a simulation needs at least two countries of the scenario');
  const started = Date.now();
  // Refuse at once when another replay holds the folder or the ports, before anything is touched.
  const lock = acquireLock(options.dataRoot, options.portBase);
  const nodes: NodeProcess[] = [];
  const onExit = () => {
    killAllSync(nodes);
    lock.release();
  };
  process.once('exit', onExit);
  try {
    await checkPorts(options.portBase, scenario.countries.length + 1);
    await checkPorts(options.portBase + federationOffset(scenario.countries.length + 1), scenario.countries.length + 1);
    if (options.fresh) {
      for (const entry of [...scenario.countries.map((c) => c.code), 'LIAISON', 'simulation.json', 'filed.jsonl', 'tokens.txt'])
        rmSync(join(options.dataRoot, entry), { recursive: true, force: true });
    }
    mkdirSync(options.dataRoot, { recursive: true });
    let state = loadState(options.dataRoot);
    const resumed = state !== null;
    if (state && state.countries.length !== scenario.countries.length)
      throw new SimError(
        `${options.dataRoot} holds a ${state.countries.length}-country simulation; run with --countries ${state.countries.length}, or --fresh to start over`,
      );
    if (state && state.portBase !== options.portBase)
      throw new SimError(`${options.dataRoot} was set up with --port-base ${state.portBase}; use it again, or --fresh`);
    if (state && state.seed !== options.seed)
      throw new SimError(`${options.dataRoot} replays seed ${state.seed}; use it again, or --fresh`);
    const planned = state?.referralsPlanned ?? options.referrals ?? scenario.model.referrals;
    if (!state) {
      const made = await setupFederation(options.dataRoot, options.portBase, scenario);
      state = {
        version: 3,
        countries: scenario.countries.map((c) => c.code),
        scenario: scenario.operation.id,
        anchor: made.anchor,
        portBase: options.portBase,
        seed: options.seed,
        referralsPlanned: planned,
        replayDay: 0,
        tokens: made.tokens,
      };
      saveState(options.dataRoot, state);
    }
    const st: State = state;
    const truth: Truth = plan(scenario, scenario.countries, st.referralsPlanned, st.seed, loadIndex());
    const fate = fates(scenario, truth, st.seed, { leaveForPerson: options.leaveForPerson });
    const filed = new FiledLog(options.dataRoot);

    if (options.console && !existsSync(join(CONSOLE_DIST, 'index.html'))) buildConsole();
    // Nodes run as the plain-JavaScript bundle (half the memory of running the sources through tsx).
    await ensureBundle();
    const consoleBuilt = options.console && existsSync(join(CONSOLE_DIST, 'index.html'));
    const urls: Record<string, string> = { LIAISON: urlOf(st.portBase, 0) };
    st.countries.forEach((c, i) => {
      urls[c] = urlOf(st.portBase, i + 1);
    });
    const liaison = startNodeProcess(
      'LIAISON',
      join(options.dataRoot, 'LIAISON'),
      urls.LIAISON as string,
      consoleBuilt ? ['--console', CONSOLE_DIST] : [],
    );
    nodes.push(liaison);
    await waitHealthy(liaison, 60_000, aborted);
    const national = st.countries.map((c) => startNodeProcess(c, join(options.dataRoot, c), urls[c] as string));
    nodes.push(...national);
    // Every node process costs 2–3 CPU-seconds to start: on a small machine 76 of them take minutes, 196 several.
    const startupMs = 60_000 + (5_000 * national.length) / Math.max(1, Math.min(availableParallelism(), 8));
    await Promise.all(national.map((n) => waitHealthy(n, startupMs, aborted)));
    const readyMs = Date.now() - started;
    await options.beforeReplay?.(nodes);
    return run({ options, scenario, st, truth, fate, filed, urls, nodes, consoleBuilt, readyMs, resumed, started, release: onExit });
  } catch (error) {
    await stopAll(nodes);
    lock.release();
    process.removeListener('exit', onExit);
    throw error;
  }
}
