/**
 * Test harness: a liaison office and national nodes in one process, each with its own temp data
 * directory and SQLite database, real HTTP on loopback port 0, real signatures. Used by node tests.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTRPCClient, httpLink } from '@trpc/client';
import { pino } from 'pino';
import type { AppRouter } from '../api/app-router.js';
import { createToken, type Role } from '../auth/tokens.js';
import { initNode } from '../cli/init.js';
import type { Clock } from '../clock.js';
import type { NodeConfig } from '../config/config.js';
import { addMember, createOperation, publishDirectory, pushDirectory } from '../liaison/authority.js';
import { createLogger } from '../logging/logger.js';
import { type RunningNode, startNode } from '../node.js';
import { type IpIndex, loadIpIndex } from '../routing/ip-index.js';
import { createScratchDatabase, testsUsePostgres } from './scratch-db.js';

export const OPERATION = 'first-light-2015';

let sharedIndex: IpIndex | null = null;
/** One routing index per test process: loading it is the slowest part of starting a node. */
export function testIndex(): IpIndex {
  sharedIndex ??= loadIpIndex();
  return sharedIndex;
}

export interface TestFederation {
  root: string;
  liaison: RunningNode;
  nodes: Record<string, RunningNode>;
  anchor: string;
  /** The running national node of `country` (throws if there is none). */
  node(country: string): RunningNode;
  /** Starts (again) a national node from its data directory, e.g. after stop(). */
  restart(country: string): Promise<RunningNode>;
  token(node: RunningNode, role: Role): Promise<string>;
  client(node: RunningNode, token?: string): ReturnType<typeof createTRPCClient<AppRouter>>;
  publish(): Promise<number>;
  /** Waits until `check` returns a truthy value (polling), or fails after timeoutMs. */
  until<T>(check: () => Promise<T | undefined | null | false> | T | undefined | null | false, timeoutMs?: number): Promise<T>;
  close(): Promise<void>;
}

export interface FederationOptions {
  countries: string[];
  clocks?: Record<string, Clock>;
  override?: Partial<NodeConfig>;
  /** Serve a built console from this directory on every node (browser tests). */
  consoleDir?: string;
  /** National nodes log everything (trace) to <data>/node.log: tests that look for what a log kept. */
  logToDataDir?: boolean;
  /**
   * Mutual TLS between the nodes, keys pinned in the directory, and a separate operators' listener
   * (node.url) beside the federation one (node.federationUrl). Off by default: the tests that are
   * about something else run the explicit insecure-plain-http mode, one plain listener per node.
   */
  tls?: boolean;
  /**
   * Each national node builds its own routing index on its first routing question, as a deployed node
   * does. Off by default: the nodes of a test process share one (testIndex).
   */
  ownRouting?: boolean;
}

const quiet = () => createLogger({ level: process.env.FIRSTLIGHT_TEST_LOG ?? 'silent' });

export async function createTestFederation(options: FederationOptions): Promise<TestFederation> {
  const root = mkdtempSync(join(tmpdir(), 'firstlight-'));
  const fast = { retry: { baseMs: 50, maxMs: 500, probeMs: 200 }, directoryRefreshSeconds: 3600, ...options.override };
  const scratch: Array<{ drop(): Promise<void> }> = [];
  const database = async (label: string) => {
    if (!testsUsePostgres()) return {};
    const db = await createScratchDatabase(label);
    scratch.push(db);
    return { database: db.url };
  };
  const insecurePlainHttp = options.tls !== true;
  const lo = await initNode({
    data: join(root, 'liaison'),
    role: 'liaison',
    host: '127.0.0.1',
    port: 0,
    insecurePlainHttp,
    ...(await database('liaison')),
  });
  const consoleDir = options.consoleDir ?? null;
  const liaison = await startNode({ dataDir: lo.dataDir, logger: quiet(), override: fast, consoleDir });
  const anchor = lo.anchor as string;
  const nodes: Record<string, RunningNode> = {};
  const start = async (country: string) => {
    const clock = options.clocks?.[country];
    const node = await startNode({
      dataDir: join(root, country),
      logger: options.logToDataDir
        ? createLogger({ level: 'trace', destination: pino.destination({ dest: join(root, country, 'node.log'), sync: true }) })
        : quiet(),
      ...(options.ownRouting ? {} : { routing: testIndex() }),
      consoleDir,
      override: { ...fast, listen: { host: '127.0.0.1', port: 0 } },
      ...(clock ? { clock } : {}),
    });
    nodes[country] = node;
    return node;
  };
  for (const country of options.countries) {
    const init = await initNode({
      data: join(root, country),
      role: 'national',
      country,
      host: '127.0.0.1',
      port: 0,
      insecurePlainHttp,
      ...(await database(country)),
      liaison: liaison.federationUrl,
      anchor,
    });
    const node = await start(country);
    await addMember(liaison.ctx.db, {
      country,
      name: country,
      endpoint: node.federationUrl,
      jwk: init.publicJwk,
      tlsPins: [init.tlsPin],
      now: Date.now(),
    });
  }
  await createOperation(liaison.ctx.db, {
    id: OPERATION,
    name: 'First Light 2015',
    start: '2015-06-01',
    end: '2027-12-31',
    participants: options.countries,
  });

  const federation: TestFederation = {
    root,
    liaison,
    nodes,
    anchor,
    node(country) {
      const node = nodes[country];
      if (!node) throw new Error(`no running node for ${country}`);
      return node;
    },
    async restart(country) {
      const node = await start(country);
      // Its endpoint changed (port 0): re-enrol and publish so peers reach it.
      await liaison.ctx.db.updateTable('dir_members').set({ endpoint: node.federationUrl }).where('country', '=', country).execute();
      await federation.publish();
      return node;
    },
    async token(node, role) {
      return (await createToken(node.ctx.db, { name: `test-${role}`, role, nodeRole: node.ctx.config.role, now: Date.now() })).token;
    },
    client(node, token) {
      return createTRPCClient<AppRouter>({
        links: [httpLink({ url: `${node.url}/trpc`, headers: () => (token ? { authorization: `Bearer ${token}` } : {}) })],
      });
    },
    async publish() {
      const { serial } = await publishDirectory(liaison.ctx);
      await pushDirectory(liaison.ctx, serial);
      // Under mTLS a node that holds no directory yet lets nobody in, not even the liaison office's push
      // (here nodes start before they are enrolled, to learn their port): it fetches the serial itself.
      for (const n of Object.values(nodes)) if (n.ctx.directory.serial === null) n.services.refreshDirectory();
      await federation.until(() => Object.values(nodes).every((n) => n.ctx.directory.serial === serial));
      return serial;
    },
    async until(check, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const value = await check();
        if (value) return value as never;
        if (Date.now() > deadline) throw new Error('condition not met in time');
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    async close() {
      await Promise.all([liaison, ...Object.values(nodes)].map((n) => n.stop().catch(() => undefined)));
      await Promise.all(scratch.map((db) => db.drop().catch(() => undefined)));
      rmSync(root, { recursive: true, force: true });
    },
  };
  await federation.publish();
  return federation;
}
