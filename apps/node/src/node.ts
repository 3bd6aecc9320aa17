/**
 * A running node: wires config, database, keys, directory, inbox, outbox worker and HTTP server.
 * start() and stop() are the only lifecycle; stop() lets in-flight deliveries finish.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createNodeServer } from './api/server.js';
import { type Clock, systemClock } from './clock.js';
import { loadConfig, type NodeConfig } from './config/config.js';
import type { NodeContext } from './context.js';
import { openDatabase } from './db/database.js';
import { DirectoryClient } from './directory/directory-client.js';
import { checkDirectoryAtStart } from './directory/start-check.js';
import { NodeError } from './errors.js';
import { Inbox } from './inbox/inbox.js';
import { nationalApplier } from './inbox/national-applier.js';
import { VerifyPool } from './inbox/verify-pool.js';
import { Keystore } from './keys/keystore.js';
import { liaisonApplier } from './liaison/applier.js';
import { createMemberProbes } from './liaison/member-probes.js';
import { createLogger, type Logger } from './logging/logger.js';
import { createMetrics } from './metrics/metrics.js';
import { depthByPeer, releaseClaims } from './outbox/outbox.js';
import { OutboxWorker } from './outbox/worker.js';
import { type IpIndex, loadIpIndex } from './routing/ip-index.js';
import type { Services } from './services.js';

export interface NodeOptions {
  dataDir: string;
  clock?: Clock;
  logger?: Logger;
  /** Overrides config.json (tests, the simulation). */
  override?: Partial<NodeConfig>;
  consoleDir?: string | null;
  /** Share one routing index between nodes in one process (tests). */
  routing?: IpIndex;
}

export interface RunningNode {
  ctx: NodeContext;
  services: Services;
  url: string;
  /** What the operator must know at once (checkDirectoryAtStart): `firstlight start` prints them in the terminal. */
  warnings: string[];
  stop(): Promise<void>;
}

export interface OpenedNode {
  ctx: NodeContext;
  close(): Promise<void>;
  /** Connects ctx.wakeOutbox to a running worker. */
  setWake(fn: () => void): void;
}

/** Opens a node's state without serving it (the CLI's one-shot commands use this). */
export async function openNode(options: NodeOptions): Promise<OpenedNode> {
  const config = { ...loadConfig(options.dataDir), ...options.override };
  const logger = (options.logger ?? createLogger()).child({ party: config.party });
  const handle = await openDatabase({
    location: config.database ?? join(options.dataDir, 'node.db'),
    poolSize: config.databasePool.max,
    statementTimeoutMs: config.databasePool.statementTimeoutMs,
    tls: config.databasePool.tls,
    caFile: config.databasePool.caFile,
    onIdleError: (error) => logger.warn({ err: error.message }, 'database connection lost; reconnecting on next use'),
  });
  if (!config.anchor) throw new NodeError('ERR_CONFIG', 'no trust anchor configured: run init with --anchor');
  const clock = options.clock ?? systemClock;
  const directory = new DirectoryClient({
    dataDir: options.dataDir,
    anchor: config.anchor,
    liaisonUrl: config.liaisonUrl,
    clock,
    graceSeconds: config.directoryGraceSeconds,
    skewSeconds: config.skewSeconds,
    logger,
  });
  await directory.load();
  let wake = () => {};
  const ctx: NodeContext = {
    config,
    dataDir: options.dataDir,
    db: handle.db,
    dbKind: handle.kind,
    clock,
    logger,
    keys: Keystore.open(options.dataDir),
    directory,
    metrics: createMetrics({ party: config.party }, { outboxDepth: () => depthByPeer(handle.db) }),
    storage: { failedAt: null, code: null },
    wakeOutbox: () => wake(),
  };
  return {
    ctx,
    close: handle.close,
    setWake: (fn) => {
      wake = fn;
    },
  };
}

const closeAndThrow =
  (opened: OpenedNode) =>
  async (error: unknown): Promise<never> => {
    await opened.close();
    throw error;
  };

export async function startNode(options: NodeOptions): Promise<RunningNode> {
  const opened = await openNode(options);
  const { ctx } = opened;
  // A national node judges the liaison office's directory before it serves: a wrong anchor is refused here, in the terminal.
  const warnings = ctx.config.role === 'national' ? await checkDirectoryAtStart(ctx).catch(closeAndThrow(opened)) : [];
  for (const warning of warnings) ctx.logger.warn(warning);
  if (ctx.dbKind === 'sqlite') await releaseClaims(ctx.db);
  const worker = new OutboxWorker(ctx);
  opened.setWake(() => worker.wake());
  // A new directory may end a hold (an expired one) or list a peer: the queue is looked at again.
  ctx.directory.onChange(() => worker.wake());
  let index: IpIndex | null = options.routing ?? null;
  const services: Services = {
    inbox: new Inbox(
      ctx,
      ctx.config.role === 'liaison' ? liaisonApplier : nationalApplier,
      new VerifyPool({
        threads: ctx.config.verifyThreads ?? undefined,
        onError: (error) =>
          ctx.logger.warn(
            { err: error instanceof Error ? error.message : String(error) },
            'verification worker failed; batch verified on the main thread',
          ),
      }),
    ),
    worker,
    routing: () => {
      if (!index) index = loadIpIndex();
      return index;
    },
    refreshDirectory: () => {
      if (ctx.config.role === 'national') ctx.directory.refreshSoon();
    },
    memberProbes: createMemberProbes(ctx.clock),
  };
  if (ctx.config.role === 'national' && !index) index = loadIpIndex();
  const server: Server = createNodeServer(ctx, services, { consoleDir: options.consoleDir ?? null });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE'
          ? new NodeError('ERR_CONFIG', `port ${ctx.config.listen.port} is already in use: choose another with --port`)
          : error,
      ),
    );
    server.listen(ctx.config.listen.port, ctx.config.listen.host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const url = `http://${ctx.config.listen.host}:${address.port}`;
  // Listening on port 0 (tests): the node is reachable where it actually listens.
  if (ctx.config.listen.port === 0) ctx.config.publicUrl = url;
  if (ctx.config.role === 'national') ctx.directory.startRefreshing(ctx.config.directoryRefreshSeconds);
  worker.start();
  ctx.logger.info({ url, role: ctx.config.role, serial: ctx.directory.serial }, 'node started');
  return {
    ctx,
    services,
    url,
    warnings,
    async stop() {
      ctx.directory.stopRefreshing();
      await worker.stop();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await services.inbox.close();
      await opened.close();
    },
  };
}
