/**
 * One replay at work, once its nodes are up: filing each planned case on the replay day it was
 * reported (or all at once at the fastest pace), the receiving bureaus' answers (bureau.ts), the live
 * figures, the completion check and the final report. It acts only on the referrals it filed, and its
 * stop() leaves no node process behind.
 */
import { setMaxListeners } from 'node:events';
import { join } from 'node:path';
import type { z } from 'zod';
import { Bureau } from './bureau.js';
import { ReplayClock } from './clock.js';
import type { fates } from './fates.js';
import type { FiledLog } from './filed-log.js';
import { attempt, type Client, clientFor, fileCases } from './filing.js';
import { type NodeProcess, stopAll } from './processes.js';
import { finalReport, type Progress } from './report.js';
import type { Scenario } from './scenario.js';
import type { Simulation, simOptionsSchema } from './sim.js';
import { type State, saveState } from './state.js';
import type { Truth } from './truth.js';

/** The longest a bureau with nothing to do waits in one look at its inbox (bureau.inbox.since's waitMs). */
const BUREAU_WAIT_MS = 5_000;

export interface Running {
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

export function run(r: Running): Simulation {
  const { options, scenario, st, truth, fate, filed, urls, nodes } = r;
  const analyst = clientFor(urls.LIAISON as string, st.tokens.LIAISON?.analyst as string);
  const officers = new Map(st.countries.map((c) => [c, clientFor(urls[c] as string, st.tokens[c]?.officer as string)]));
  const fast = options.msPerDay === 0;
  const clock = new ReplayClock(join(options.dataRoot, 'LIAISON'), scenario, st.replayDay, options.msPerDay);
  let stopping = false;
  const isStopping = () => stopping;
  // Ends the bureaus' waiting looks at their inboxes when the replay stops.
  const stopSignal = new AbortController();
  // Every bureau's look in flight listens on it (one each, removed as the look ends).
  setMaxListeners(0, stopSignal.signal);
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

  /**
   * Each receiving bureau works on its own (one waiting for news holds up no other): a round moves what
   * is due; a round that moved nothing waits for the next arrival in `bureau.inbox.since` itself (a long
   * poll, answered as the referral is stored) until the next referral it works comes due, rather than
   * asking again five times a second (an idle federation's bureaus cost its nodes more CPU than its
   * traffic did).
   */
  async function responder(): Promise<void> {
    const bureaus = [...officers.values()].map((client) => new Bureau(client));
    const pause = (ms: number) => new Promise((res) => setTimeout(res, ms));
    await Promise.all(
      bureaus.map(async (bureau) => {
        let waitMs = 0;
        while (!stopping) {
          const round = await bureau.respond(owned, fast ? Number.POSITIVE_INFINITY : clock.day(), isStopping, {
            ms: waitMs,
            signal: stopSignal.signal,
          });
          if (round.failed) {
            waitMs = 0;
            await pause(250);
            continue;
          }
          const untilDue = fast ? Number.POSITIVE_INFINITY : clock.msUntil(round.nextDue);
          waitMs = round.moved > 0 ? 0 : Math.max(0, Math.min(BUREAU_WAIT_MS, Math.ceil(untilDue)));
          // At the replay's pace a round that moved something comes again a step later (as before).
          if (round.moved > 0 && !fast) await pause(250);
          else if (fast && options.stepSeconds > 0) await pause(options.stepSeconds * 1000);
        }
      }),
    );
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
    stopSignal.abort();
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
