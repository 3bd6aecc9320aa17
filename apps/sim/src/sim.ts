/**
 * The simulation of Operation First Light: a liaison office and N national nodes as real processes on
 * this machine, synthetic complaints, referrals routed to where the suspect IPs really are, and the
 * receiving countries acting on them with signed statuses. State lives in the data root; a second run
 * resumes from it.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type AppRouter,
  addMember,
  createLogger,
  createOperation,
  createToken,
  type IpIndex,
  initNode,
  loadIpIndex,
  openNode,
  publishDirectory,
  sampleIpsFor,
} from '@firstlight/node';
import { ensureBundle } from '@firstlight/node/bundle';
import { createTRPCClient, httpLink } from '@trpc/client';
import { Agent, fetch as undiciFetch } from 'undici';
import { z } from 'zod';
import { CONSOLE_DIST, killAllSync, type NodeProcess, startNodeProcess, stopAll, waitHealthy } from './processes.js';
import { type Country, outcome, prng, route, type Scenario, syntheticCase } from './scenario.js';

const here = dirname(fileURLToPath(import.meta.url));

export const simOptionsSchema = z.strictObject({
  countries: z.union([z.literal(23), z.literal(76)]).default(23),
  referrals: z.int().min(1).max(1_000_000).optional(),
  dataRoot: z.string().min(1).default(resolve(here, '../../../.firstlight-sim')),
  portBase: z.int().min(1024).max(65_000).default(7700),
  console: z.boolean().default(true),
  fresh: z.boolean().default(false),
  seed: z.int().default(2015),
  /** Stop the federation once every referral is closed or declined (tests, CI); otherwise serve until Ctrl-C. */
  exitWhenDone: z.boolean().default(false),
  /** Seconds between a referral's status steps in the receiving country (pacing, so progress is visible). */
  stepSeconds: z.number().min(0).max(3600).default(1),
  /** Filers at work at once (each files a chunk of cases: one complaint import and one referral call per origin). */
  concurrency: z.int().min(1).max(256).default(8),
  /** Run only these countries of the scenario (tests: a small federation through the same code path). */
  only: z.array(z.string().length(2)).min(2).optional(),
});

export type SimOptions = z.input<typeof simOptionsSchema>;

const stateSchema = z.object({
  version: z.literal(1),
  countries: z.array(z.string()),
  scenario: z.string(),
  anchor: z.string(),
  portBase: z.int(),
  referralsPlanned: z.int(),
  filed: z.int(),
  tokens: z.record(z.string(), z.record(z.string(), z.string())),
});
type State = z.infer<typeof stateSchema>;

export function loadScenario(countries: 23 | 76): Scenario {
  const file = resolve(here, `../data/${countries === 23 ? 'first-light-2015' : 'first-light-2022'}.json`);
  return JSON.parse(readFileSync(file, 'utf8')) as Scenario;
}

type Client = ReturnType<typeof createTRPCClient<AppRouter>>;
type StatusUpdate = Parameters<Client['bureau']['inbox']['updateStatuses']['mutate']>[0]['updates'][number];
// Idle connections are dropped after 4 s, far inside the nodes' 65 s keep-alive: reusing one the
// server is closing at that very moment fails the request with "other side closed" (a known HTTP/1.1
// race, undici#3141), and on a saturated machine undici's own margin of 1 s below the server's hint is
// not enough (six bureau calls failed so in a 100,000-referral run).
const dispatcher = new Agent({ keepAliveTimeout: 4_000, keepAliveMaxTimeout: 4_000 });
const clientFor = (url: string, token: string): Client =>
  createTRPCClient<AppRouter>({
    links: [
      httpLink({
        url: `${url}/trpc`,
        headers: () => ({ authorization: `Bearer ${token}` }),
        fetch: (input, init) => undiciFetch(input as string, { ...(init as object), dispatcher }) as unknown as Promise<Response>,
      }),
    ],
  });

export interface Progress {
  filed: number;
  planned: number;
  referrals: number;
  statuses: number;
  arrests: number;
  premisesSearched: number;
  callCentresDismantled: number;
  done: number;
}

export interface Simulation {
  consoleUrl: string;
  consoleBuilt: boolean;
  tokens: State['tokens'];
  urls: Record<string, string>;
  readyMs: number;
  resumed: boolean;
  nodes: NodeProcess[];
  progress(): Promise<Progress>;
  /** Resolves when every referral is closed or declined. */
  done: Promise<Progress>;
  stop(): Promise<void>;
}

const urlOf = (portBase: number, i: number) => `http://127.0.0.1:${portBase + i}`;

async function setup(options: z.output<typeof simOptionsSchema>, scenario: Scenario, planned: number): Promise<State> {
  const root = options.dataRoot;
  mkdirSync(root, { recursive: true });
  const quiet = createLogger({ level: 'silent' });
  const lo = await initNode({
    data: join(root, 'LIAISON'),
    role: 'liaison',
    name: scenario.liaison.name,
    host: '127.0.0.1',
    port: options.portBase,
  });
  const anchor = lo.anchor as string;
  const tokens: State['tokens'] = {};
  const keys: Array<{ country: Country; jwk: unknown; url: string }> = [];
  for (const [i, country] of scenario.countries.entries()) {
    const url = urlOf(options.portBase, i + 1);
    const init = await initNode({
      data: join(root, country.code),
      role: 'national',
      country: country.code,
      name: country.name,
      host: '127.0.0.1',
      port: options.portBase + i + 1,
      liaison: urlOf(options.portBase, 0),
      anchor,
    });
    keys.push({ country, jwk: init.publicJwk, url });
    const node = await openNode({ dataDir: join(root, country.code), logger: quiet });
    try {
      const officer = await createToken(node.ctx.db, {
        name: 'simulation officer',
        role: 'officer',
        nodeRole: 'national',
        now: Date.now(),
      });
      tokens[country.code] = { officer: officer.token };
    } finally {
      await node.close();
    }
  }
  const liaison = await openNode({ dataDir: join(root, 'LIAISON'), logger: quiet });
  try {
    for (const k of keys)
      await addMember(liaison.ctx.db, { country: k.country.code, name: k.country.name, endpoint: k.url, jwk: k.jwk, now: Date.now() });
    await createOperation(liaison.ctx.db, { ...scenario.operation, participants: scenario.countries.map((c) => c.code) });
    await publishDirectory(liaison.ctx, { validitySeconds: 365 * 86_400 });
    const analyst = await createToken(liaison.ctx.db, {
      name: 'simulation analyst',
      role: 'analyst',
      nodeRole: 'liaison',
      now: Date.now(),
    });
    const admin = await createToken(liaison.ctx.db, { name: 'simulation admin', role: 'admin', nodeRole: 'liaison', now: Date.now() });
    tokens.LIAISON = { analyst: analyst.token, admin: admin.token };
  } finally {
    await liaison.close();
  }
  const state: State = {
    version: 1,
    countries: scenario.countries.map((c) => c.code),
    scenario: scenario.operation.id,
    anchor,
    portBase: options.portBase,
    referralsPlanned: planned,
    filed: 0,
    tokens,
  };
  saveState(root, state);
  return state;
}

const stateFile = (root: string) => join(root, 'simulation.json');
function saveState(root: string, state: State) {
  writeFileSync(`${stateFile(root)}.tmp`, JSON.stringify(state, null, 1), { mode: 0o600 });
  rmSync(stateFile(root), { force: true });
  writeFileSync(stateFile(root), JSON.stringify(state, null, 1), { mode: 0o600 });
  rmSync(`${stateFile(root)}.tmp`, { force: true });
}

function loadState(root: string): State | null {
  if (!existsSync(stateFile(root))) return null;
  const parsed = stateSchema.safeParse(JSON.parse(readFileSync(stateFile(root), 'utf8')));
  if (!parsed.success) throw new SimError(`${stateFile(root)} is not a simulation state file; run with --fresh to start over`);
  return parsed.data;
}

export class SimError extends Error {}

/** Builds the web console once (a fresh clone has no dist); a failed build only means no console. */
function buildConsole(): void {
  const dir = resolve(CONSOLE_DIST, '..');
  const vite = join(dir, 'node_modules/vite/bin/vite.js');
  if (!existsSync(vite)) return;
  try {
    execFileSync(process.execPath, [vite, 'build', '--logLevel', 'error'], { cwd: dir, stdio: 'ignore', timeout: 120_000 });
  } catch {
    // served without a console; main.ts says how to build it
  }
}

export async function runSimulation(raw: SimOptions = {}): Promise<Simulation> {
  const parsedOptions = simOptionsSchema.safeParse(raw);
  if (!parsedOptions.success) throw new SimError(parsedOptions.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  const options = parsedOptions.data;
  const full = loadScenario(options.countries);
  const scenario: Scenario = options.only ? { ...full, countries: full.countries.filter((c) => options.only?.includes(c.code)) } : full;
  if (scenario.countries.length < 2) throw new SimError('a simulation needs at least two countries of the scenario');
  const started = Date.now();
  if (options.fresh) rmSync(options.dataRoot, { recursive: true, force: true });
  let state = loadState(options.dataRoot);
  const resumed = state !== null;
  if (state && state.countries.length !== scenario.countries.length)
    throw new SimError(
      `${options.dataRoot} holds a ${state.countries.length}-country simulation; run with --countries ${state.countries.length}, or --fresh to start over`,
    );
  if (state && state.portBase !== options.portBase)
    throw new SimError(`${options.dataRoot} was set up with --port-base ${state.portBase}; use it again, or --fresh`);
  const planned = options.referrals ?? (options.countries === 23 ? 300 : 1000);
  if (!state) state = await setup(options, scenario, planned);
  if (options.referrals !== undefined && options.referrals > state.referralsPlanned) {
    state.referralsPlanned = options.referrals;
    saveState(options.dataRoot, state);
  }
  const st = state;

  if (options.console && !existsSync(join(CONSOLE_DIST, 'index.html'))) buildConsole();
  // Nodes run as the plain-JavaScript bundle (half the memory of running the sources through tsx).
  await ensureBundle();
  const consoleBuilt = options.console && existsSync(join(CONSOLE_DIST, 'index.html'));
  const urls: Record<string, string> = { LIAISON: urlOf(st.portBase, 0) };
  st.countries.forEach((c, i) => {
    urls[c] = urlOf(st.portBase, i + 1);
  });
  const nodes: NodeProcess[] = [];
  const onExit = () => killAllSync(nodes);
  process.once('exit', onExit);
  const liaison = startNodeProcess(
    'LIAISON',
    join(options.dataRoot, 'LIAISON'),
    urls.LIAISON as string,
    consoleBuilt ? ['--console', CONSOLE_DIST] : [],
  );
  nodes.push(liaison);
  try {
    await waitHealthy(liaison);
    const national = st.countries.map((c) => startNodeProcess(c, join(options.dataRoot, c), urls[c] as string));
    nodes.push(...national);
    // Every node process costs 2–3 CPU-seconds to start (tsx): on a small machine 76 of them take minutes.
    const startupMs = 60_000 + (5_000 * national.length) / Math.max(1, Math.min(availableParallelism(), 8));
    await Promise.all(national.map((n) => waitHealthy(n, startupMs)));
  } catch (error) {
    await stopAll(nodes);
    process.removeListener('exit', onExit);
    throw error;
  }
  const readyMs = Date.now() - started;

  const analyst = clientFor(urls.LIAISON as string, st.tokens.LIAISON?.analyst as string);
  const officers = new Map(st.countries.map((c) => [c, clientFor(urls[c] as string, st.tokens[c]?.officer as string)]));
  let stopping = false;
  let index: IpIndex | null = null;

  // The progress line and the completion check share one overview query at a time, at most once a
  // second, and less often while the liaison office takes long to answer (a large operation): polling
  // may use a fifth of the office's time at most, the rest is for the copies it is sent.
  let asked: { at: number; ms: number; answer: Promise<Progress> } | null = null;
  const progress = (): Promise<Progress> => {
    const now = Date.now();
    if (asked && now - asked.at < Math.max(1000, 5 * asked.ms)) return asked.answer;
    const answer = askProgress();
    const entry = { at: now, ms: asked?.ms ?? 0, answer };
    asked = entry;
    answer.then(
      () => {
        entry.ms = Date.now() - now;
      },
      () => {
        if (asked === entry) asked = null;
      },
    );
    return answer;
  };
  const askProgress = async (): Promise<Progress> => {
    const o = await analyst.liaison.overview.query({ operation: scenario.operation.id });
    const finished = o.perCountry.reduce((n, p) => n + (p.byState.closed ?? 0) + (p.byState.declined ?? 0), 0);
    return {
      filed: st.filed,
      planned: st.referralsPlanned,
      referrals: o.headline.referrals,
      statuses: o.headline.statuses,
      arrests: o.headline.arrests,
      premisesSearched: o.headline.premisesSearched,
      callCentresDismantled: o.headline.callCentresDismantled,
      done: finished,
    };
  };

  const random = prng(options.seed + st.filed * 7919);
  const countries = scenario.countries;

  // Filing works like a bureau importing a day's reports: a filer takes a chunk of cases, and each
  // origin country imports its complaints with their evidence files in one call and refers them in one
  // call (PROTOCOL's messages are still one signed referral each; they travel together).
  const chunkSize = Math.max(10, Math.min(200, Math.ceil(st.referralsPlanned / options.concurrency)));

  async function fileChunk(numbers: number[]): Promise<void> {
    const byOrigin = new Map<string, Array<{ destination: string; c: ReturnType<typeof syntheticCase> }>>();
    for (const n of numbers) {
      const { origin, destination } = route(random, countries);
      const list = byOrigin.get(origin) ?? [];
      list.push({ destination, c: syntheticCase(random, origin, n, scenario.operation) });
      byOrigin.set(origin, list);
    }
    await Promise.all([...byOrigin].map(([origin, cases]) => fileFor(origin, cases)));
  }

  /** An error and its causes ("fetch failed: other side closed (UND_ERR_SOCKET)"), for a line on stderr. */
  function reason(error: unknown): string {
    const parts: string[] = [];
    for (let e: unknown = error, depth = 0; e instanceof Error && depth < 4; e = e.cause, depth++) {
      const code = (e as { code?: unknown }).code;
      parts.push(typeof code === 'string' ? `${e.message} (${code})` : e.message);
    }
    return [...new Set(parts)].join(': ') || String(error);
  }

  /**
   * One bureau call, tried up to three times: a failed request (a reset connection on a busy machine)
   * is retried on its own, never with the calls of other countries that succeeded (that would file
   * their cases twice). Each failure is said on stderr; after the third the cases are skipped.
   */
  async function attempt<T>(what: string, call: () => Promise<T>): Promise<T | null> {
    for (let n = 1; n <= 3 && !stopping; n++) {
      try {
        return await call();
      } catch (error) {
        if (stopping) return null;
        process.stderr.write(`${what} failed (${reason(error)}): ${n < 3 ? 'trying again' : 'skipped'}\n`);
      }
    }
    return null;
  }

  async function fileFor(origin: string, cases: Array<{ destination: string; c: ReturnType<typeof syntheticCase> }>): Promise<void> {
    index ??= loadIpIndex();
    const ips = index;
    const client = officers.get(origin) as Client;
    // Each call is built once and carries a requestId: a retry after a lost answer gets the first
    // call's answer, never a second copy of the cases.
    const importing = {
      requestId: randomUUID(),
      complaints: cases.map(({ c }) => ({
        victimName: c.victimName,
        victimContact: c.victimContact,
        amountLost: c.amountLost,
        currency: c.currency,
        scamType: c.scamType,
        narrative: c.narrative,
        occurredAt: c.occurredAt,
        reportedAt: c.reportedAt,
        attachments: [{ filename: 'warrant.html', mediaType: 'text/html', base64: Buffer.from(c.warrantPage).toString('base64') }],
      })),
    };
    const imported = await attempt(`importing ${cases.length} complaints in ${origin}`, () =>
      client.bureau.complaints.createMany.mutate(importing),
    );
    if (!imported) return;
    const { ids, evidence } = imported;
    let pending = cases.map(({ destination, c }, i) => ({
      destination,
      c,
      complaintId: ids[i] as string,
      digest: evidence[i]?.[0] as string,
    }));
    // A case refused (say, a sampled IP the bureau cannot route) is tried again with a new address,
    // twice, then left: the complaint stays in its country, and the progress line counts what was referred.
    for (let draw = 0; draw < 3 && pending.length > 0 && !stopping; draw++) {
      const drawn = pending.flatMap((p) => {
        const [ip] = sampleIpsFor(ips, p.destination, 1, random);
        return ip ? [{ ...p, ip }] : [];
      });
      if (drawn.length === 0) return;
      const referring = {
        requestId: randomUUID(),
        referrals: drawn.map(({ c, complaintId, digest, ip }) => ({
          complaintId,
          ip,
          seenAt: `${c.occurredAt}T${String(Math.floor(random() * 24)).padStart(2, '0')}:${String(Math.floor(random() * 60)).padStart(2, '0')}:00Z`,
          evidence: [digest],
          action: c.action,
          urgency: c.urgency,
          operation: scenario.operation.id,
        })),
      };
      const results = await attempt(`referring ${drawn.length} cases from ${origin}`, () =>
        client.bureau.referrals.createMany.mutate(referring),
      );
      if (!results) return;
      pending = drawn.filter((_, i) => results[i]?.ok !== true);
    }
  }

  // Several filers share the plan: each claims the next chunk of case numbers. st.filed counts cases
  // finished, so a resumed run may file again the few that were in flight when it stopped.
  let claimed = st.filed;
  async function filer(): Promise<void> {
    while (!stopping && claimed < st.referralsPlanned) {
      const numbers = Array.from({ length: Math.min(chunkSize, st.referralsPlanned - claimed) }, (_, i) => claimed + i);
      claimed += numbers.length;
      // Failed calls are retried inside (attempt()); a filer never dies of one case.
      await fileChunk(numbers);
      if (stopping) return;
      st.filed += numbers.length;
      saveState(options.dataRoot, st);
    }
  }

  const NEXT: Record<string, string> = {
    received: 'acknowledged',
    acknowledged: 'in_progress',
    in_progress: 'located',
    located: 'action_taken',
    action_taken: 'closed',
  };
  const outcomes = new Map<string, ReturnType<typeof outcome>>();
  /** One country's bureau: moves each referral in its inbox one step on, in one call per 500. */
  async function respond(client: Client): Promise<number> {
    let inbox: Awaited<ReturnType<Client['bureau']['inbox']['list']['query']>>;
    try {
      inbox = await client.bureau.inbox.list.query({ limit: 1000, open: true });
    } catch {
      return 0;
    }
    const updates = inbox.flatMap((r): StatusUpdate[] => {
      const next = NEXT[r.state];
      if (!next) return [];
      const rnd = prng(Number.parseInt(r.id.slice(-8), 16) ^ options.seed);
      if (r.state === 'acknowledged' && rnd() < 0.08)
        return [
          {
            referralId: r.id,
            state: 'declined',
            reason: rnd() < 0.5 ? 'data_retention_expired' : 'ip_not_traceable',
          },
        ];
      if (next === 'action_taken' || next === 'closed') {
        const o = outcomes.get(r.id) ?? outcome(rnd);
        outcomes.set(r.id, o);
        return [{ referralId: r.id, state: next as 'closed', outcome: o }];
      }
      return [{ referralId: r.id, state: next as 'acknowledged' | 'in_progress' | 'located' }];
    });
    for (let i = 0; i < updates.length && !stopping; i += 500) {
      try {
        await client.bureau.inbox.updateStatuses.mutate({ updates: updates.slice(i, i + 500) });
      } catch {
        // A node restarting: the next round picks these up. (Refused items, say a referral someone
        // else closed meanwhile, are answered one by one and simply not moved.)
      }
    }
    return updates.length;
  }

  async function responder(): Promise<void> {
    while (!stopping) {
      // Every country's bureau works at the same time.
      const moved = await Promise.all([...officers.values()].map((client) => respond(client)));
      // Nothing to do anywhere: look again shortly rather than spin.
      const idle = moved.every((n) => n === 0);
      await new Promise((r) => setTimeout(r, Math.max(options.stepSeconds * 1000, idle ? 200 : 0)));
    }
  }

  const work = Promise.all([...Array.from({ length: options.concurrency }, () => filer()), responder()]);
  work.catch(() => undefined);
  const done = (async () => {
    for (;;) {
      if (stopping)
        return progress().catch(() => ({
          filed: st.filed,
          planned: st.referralsPlanned,
          referrals: 0,
          statuses: 0,
          arrests: 0,
          premisesSearched: 0,
          callCentresDismantled: 0,
          done: 0,
        }));
      try {
        const p = await progress();
        if (st.filed >= st.referralsPlanned && p.referrals > 0 && p.done >= p.referrals) return p;
      } catch {
        // the liaison office is busy; ask again
      }
      await new Promise((r) => setTimeout(r, 1000));
    }
  })();

  const stop = async () => {
    if (stopping) return;
    stopping = true;
    saveState(options.dataRoot, st);
    await Promise.race([work.catch(() => undefined), new Promise((r) => setTimeout(r, 3000))]);
    await stopAll(nodes);
    process.removeListener('exit', onExit);
  };

  return {
    consoleUrl: urls.LIAISON as string,
    consoleBuilt,
    tokens: st.tokens,
    urls,
    readyMs,
    resumed,
    nodes,
    progress,
    done,
    stop,
  };
}
