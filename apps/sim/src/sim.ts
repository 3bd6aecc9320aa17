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
import { respond } from './bureau.js';
import { ReplayClock } from './clock.js';
import { fates } from './fates.js';
import { FiledLog } from './filed-log.js';
import { attempt, type Client, clientFor, fileCases } from './filing.js';
import { acquireLock, checkPorts } from './lock.js';
import { CONSOLE_DIST, killAllSync, type NodeProcess, startNodeProcess, stopAll, waitHealthy } from './processes.js';
import { buildConsole, finalReport, type Progress, type Report } from './report.js';
import { loadScenario, type Scenario } from './scenario.js';
import { FEDERATION_OFFSET, setupFederation, type Tokens, urlOf } from './setup.js';
import { loadState, SimError, type State, saveState } from './state.js';
import { loadIndex, plan, type Truth } from './truth.js';

export type { Progress, Report } from './report.js';
export { SimError } from './state.js';

const here = dirname(fileURLToPath(import.meta.url));

export const simOptionsSchema = z.strictObject({
  countries: z.union([z.literal(23), z.literal(76)]).default(23),
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
    await checkPorts(options.portBase + FEDERATION_OFFSET, scenario.countries.length + 1);
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
    // Every node process costs 2–3 CPU-seconds to start: on a small machine 76 of them take minutes.
    const startupMs = 60_000 + (5_000 * national.length) / Math.max(1, Math.min(availableParallelism(), 8));
    await Promise.all(national.map((n) => waitHealthy(n, startupMs, aborted)));
    const readyMs = Date.now() - started;
    return run({ options, scenario, st, truth, fate, filed, urls, nodes, consoleBuilt, readyMs, resumed, started, release: onExit });
  } catch (error) {
    await stopAll(nodes);
    lock.release();
    process.removeListener('exit', onExit);
    throw error;
  }
}

interface Running {
  options: z.output<typeof simOptionsSchema>;
  scenario: Scenario;
  st: State;
  truth: Truth;
  fate: ReturnType<typeof fates>;
  filed: FiledLog;
  urls: Record<string, string>;
  nodes: NodeProcess[];
  consoleBuilt: boolean;
  readyMs: number;
  resumed: boolean;
  started: number;
  release: () => void;
}

function run(r: Running): Simulation {
  const { options, scenario, st, truth, fate, filed, urls, nodes } = r;
  const analyst = clientFor(urls.LIAISON as string, st.tokens.LIAISON?.analyst as string);
  const officers = new Map(st.countries.map((c) => [c, clientFor(urls[c] as string, st.tokens[c]?.officer as string)]));
  const fast = options.msPerDay === 0;
  const clock = new ReplayClock(join(options.dataRoot, 'LIAISON'), scenario, st.replayDay, options.msPerDay);
  let stopping = false;
  const isStopping = () => stopping;
  const byN = new Map(truth.cases.map((c) => [c.n, c]));
  const owned = {
    get: (id: string) => {
      const n = filed.caseOf(id);
      const c = n === undefined ? undefined : byN.get(n);
      return c ? { fate: fate[c.n] as (typeof fate)[number], filedDay: fast ? 0 : c.reportedDay } : undefined;
    },
  };
  const expectedFinished = () => filed.ids().filter((id) => owned.get(id)?.fate.kind !== 'left').length;

  let latest: Omit<Progress, 'filed' | 'filing' | 'planned' | 'day'> = {
    referrals: 0,
    statuses: 0,
    arrests: 0,
    premisesSearched: 0,
    callCentresDismantled: 0,
    done: 0,
  };
  let asking = false;
  const ask = async () => {
    if (asking) return;
    asking = true;
    try {
      const o = await analyst.liaison.overview.query({ operation: scenario.operation.id });
      latest = {
        referrals: o.headline.referrals,
        statuses: o.headline.statuses,
        arrests: o.headline.arrests,
        premisesSearched: o.headline.premisesSearched,
        callCentresDismantled: o.headline.callCentresDismantled,
        done: o.perCountry.reduce((n, p) => n + (p.byState.closed ?? 0) + (p.byState.declined ?? 0), 0),
      };
    } catch {
      // the liaison office is busy; the next tick asks again
    } finally {
      asking = false;
    }
  };
  let inFlight = 0;
  const progress = (): Progress => ({
    filed: filed.count(),
    filing: inFlight,
    planned: truth.cases.length,
    day: fast ? null : clock.label(),
    ...latest,
  });

  // Filing: each case on the replay day it was reported (at the fastest pace, all at once in chunks).
  const pending = truth.cases.filter((c) => !filed.has(c.n));
  const chunkSize = fast ? Math.max(10, Math.min(200, Math.ceil(pending.length / options.concurrency))) : 200;
  async function filer(): Promise<void> {
    while (!stopping && pending.length > 0) {
      const today = fast ? Number.POSITIVE_INFINITY : clock.day();
      let k = 0;
      while (k < pending.length && k < chunkSize && (pending[k]?.reportedDay ?? 0) <= today) k += 1;
      if (k === 0) {
        await new Promise((res) => setTimeout(res, 100));
        continue;
      }
      const due = pending.splice(0, k);
      inFlight += due.length;
      const byOrigin = new Map<string, typeof due>();
      for (const c of due) byOrigin.set(c.origin, [...(byOrigin.get(c.origin) ?? []), c]);
      // Each origin's answer is recorded as it comes (the progress line moves with the first country
      // done), even while stopping: what a node accepted is filed, and must not be filed again on resume.
      await Promise.all(
        [...byOrigin].map(async ([origin, cases]) => {
          const answers = await fileCases(officers.get(origin) as Client, origin, cases, scenario.operation, isStopping);
          filed.record(answers.filter((a) => a.id !== null || !stopping));
          inFlight -= cases.length;
        }),
      );
    }
  }

  async function responder(): Promise<void> {
    while (!stopping) {
      const rounds = await Promise.all(
        [...officers.values()].map((client) => respond(client, owned, fast ? Number.POSITIVE_INFINITY : clock.day(), isStopping)),
      );
      const idle = rounds.every((x) => x.moved === 0);
      await new Promise((res) => setTimeout(res, fast ? Math.max(options.stepSeconds * 1000, idle ? 200 : 0) : 250));
    }
  }

  const saver = setInterval(() => {
    st.replayDay = clock.day();
    try {
      saveState(options.dataRoot, st);
    } catch (error) {
      process.stderr.write(`could not save the replay's state: ${error instanceof Error ? error.message : String(error)}\n`);
    }
  }, 2000);
  const asker = setInterval(() => void ask(), 1000);
  void ask();
  const work = Promise.all([...Array.from({ length: fast ? options.concurrency : 1 }, () => filer()), responder()]);
  work.catch((error) => process.stderr.write(`the replay stopped working: ${error instanceof Error ? error.message : String(error)}\n`));

  const done = (async (): Promise<Progress> => {
    while (!stopping) {
      if (pending.length === 0 && inFlight === 0) {
        await ask();
        const expected = expectedFinished();
        if (latest.referrals >= filed.ids().length && latest.done >= expected) return progress();
      }
      await new Promise((res) => setTimeout(res, 1000));
    }
    return progress();
  })();

  const stop = async () => {
    if (stopping) return { stopped: nodes.length, killed: [] };
    stopping = true;
    clearInterval(saver);
    clearInterval(asker);
    st.replayDay = clock.day();
    saveState(options.dataRoot, st);
    await Promise.race([work.catch(() => undefined), new Promise((res) => setTimeout(res, 3000))]);
    const result = await stopAll(nodes);
    r.release();
    process.removeListener('exit', r.release);
    return result;
  };

  return {
    dataRoot: options.dataRoot,
    consoleUrl: urls.LIAISON as string,
    consoleBuilt: r.consoleBuilt,
    tokens: st.tokens,
    urls,
    readyMs: r.readyMs,
    resumed: r.resumed,
    nodes,
    scenario,
    progress,
    done,
    report: () =>
      finalReport({
        analyst,
        scenario,
        truth,
        filed,
        countries: st.countries.length,
        started: r.started,
        attempt: (w, c) => attempt(w, c, isStopping),
      }),
    stop,
  };
}
