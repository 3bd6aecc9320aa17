/**
 * A running node: wires config, database, keys, directory, inbox, outbox worker and HTTP server.
 * start() and stop() are the only lifecycle; stop() lets in-flight deliveries finish.
 */
import { join } from 'node:path';
import { openListeners } from './api/listeners.js';
import { type Clock, systemClock } from './clock.js';
import { loadConfig, type NodeConfig } from './config/config.js';
import type { NodeContext } from './context.js';
import { openDatabase } from './db/database.js';
import { DirectoryClient } from './directory/directory-client.js';
import { checkDirectoryAtStart } from './directory/start-check.js';
import { NodeError } from './errors.js';
import { Arrivals } from './inbox/arrivals.js';
import { Inbox } from './inbox/inbox.js';
import { nationalApplier } from './inbox/national-applier.js';
import { VerifyPool } from './inbox/verify-pool.js';
import { Keystore } from './keys/keystore.js';
import { submitTlsPins } from './keys/rotation.js';
import { liaisonApplier } from './liaison/applier.js';
import { createMemberProbes } from './liaison/member-probes.js';
import { createLogger, type Logger } from './logging/logger.js';
import { createMetrics } from './metrics/metrics.js';
import { depthByPeer, releaseClaims } from './outbox/outbox.js';
import { OutboxWorker } from './outbox/worker.js';
import { requireDataSet } from './routing/data-set.js';
import { type IpIndex, loadIpIndex } from './routing/ip-index.js';
import type { Services } from './services.js';
import { ensureTlsIdentity, loadTlsIdentity, promoteNextTlsIdentity } from './tls/certificate.js';
import { FederationTransport } from './tls/federation-transport.js';
import { pinsOf } from './tls/pins.js';

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
  /** The operators' listener: bureau API, console, metrics. */
  url: string;
  /** What the operator must know at once (checkDirectoryAtStart): `firstlight start` prints them in the terminal. */
  warnings: string[];
  /** The federation listener other nodes reach (https:// under mutual TLS; `url` itself when shared). */
  federationUrl: string;
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
  // Under mTLS the node needs its TLS key before it can call anyone; a data directory from before TLS gets one now.
  const identity =
    config.federationTransport === 'mtls'
      ? ensureTlsIdentity(options.dataDir, `firstlight ${config.party}`)
      : loadTlsIdentity(options.dataDir);
  const federation = new FederationTransport(config.federationTransport, identity, () => directory);
  const directory: DirectoryClient = new DirectoryClient({
    federation,
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
    federation,
    metrics: createMetrics({ party: config.party }, { outboxDepth: () => depthByPeer(handle.db) }),
    storage: { failedAt: null, code: null },
    wakeOutbox: () => wake(),
    arrivals: new Arrivals(),
  };
  return {
    ctx,
    close: async () => {
      await federation.close();
      await handle.close();
    },
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
  if (ctx.config.role === 'national' && !options.routing) {
    try {
      requireDataSet();
    } catch (error) {
      await closeAndThrow(opened)(error);
    }
  }
  if (ctx.dbKind === 'sqlite') await releaseClaims(ctx.db);
  promoteTlsKey(ctx);
  const worker = new OutboxWorker(ctx);
  opened.setWake(() => worker.wake());
  // A new directory may end a hold (an expired one) or list a peer: the queue is looked at again.
  ctx.directory.onChange(() => worker.wake());
  // Loaded on the first routing question (a bureau's referral or route preview), not here: an idle node
  // holds none of it (4 MB of steps; read from the bundle's prebuilt file, or built from the CSV files).
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
      if (!index) {
        index = loadIpIndex();
        const { source, loadMs, unusable } = index.stats;
        if (unusable)
          ctx.logger.warn(
            { source, ms: Math.round(loadMs), unusable },
            'routing index built from the data set: the prebuilt one is not usable',
          );
        else ctx.logger.info({ source, ms: Math.round(loadMs) }, 'routing index loaded');
      }
      return index;
    },
    refreshDirectory: () => {
      if (ctx.config.role === 'national') ctx.directory.refreshSoon();
    },
    memberProbes: createMemberProbes(ctx.clock, { transport: ctx.federation }),
  };
  const listeners = await openListeners(ctx, services, options.consoleDir ?? null).catch(async (error: unknown) => {
    await services.inbox.close();
    await opened.close();
    throw error;
  });
  const url = listeners.operatorUrl;
  // Listening on port 0 (tests): the node is reachable where it actually listens.
  if (ctx.config.listen.port === 0) ctx.config.publicUrl = listeners.federationUrl;
  if (ctx.config.federationTransport === 'insecure-plain-http')
    ctx.logger.warn(
      { federationUrl: listeners.federationUrl },
      'federation over plain HTTP (--insecure-plain-http): anyone on the path reads every referral; use it only on a test bed',
    );
  if (ctx.config.role === 'national') ctx.directory.startRefreshing(ctx.config.directoryRefreshSeconds);
  worker.start();
  ctx.logger.info(
    {
      url,
      federationUrl: listeners.federationUrl,
      transport: ctx.config.federationTransport,
      role: ctx.config.role,
      serial: ctx.directory.serial,
    },
    'node started',
  );
  return {
    ctx,
    services,
    url,
    warnings,
    federationUrl: listeners.federationUrl,
    async stop() {
      ctx.directory.stopRefreshing();
      // A bureau's waiting inbox.since calls are answered now, not when their wait runs out.
      ctx.arrivals.close();
      await worker.stop();
      await listeners.close();
      await services.inbox.close();
      await opened.close();
    },
  };
}

/**
 * A TLS key rotation's third step, at start only (a one-shot command must not swap the key under a
 * running node): the directory now pins the key `tls rotate` made, so serve it, and ask the liaison
 * office (signed) to list the new pin alone: the old one goes with the next serial.
 */
function promoteTlsKey(ctx: NodeContext): void {
  const promoted = promoteNextTlsIdentity(ctx.dataDir, pinsOf(ctx.directory, ctx.config.party));
  if (!promoted) return;
  ctx.federation.useIdentity(promoted);
  ctx.logger.info(
    { pin: promoted.pin },
    'TLS key rotated: the directory pins the next key, served from now on (the old one is in tls/previous)',
  );
  if (ctx.config.role === 'national')
    void submitTlsPins(ctx, [promoted.pin]).then((sent) =>
      sent.ok
        ? ctx.logger.info({ pin: promoted.pin, status: sent.status }, 'asked the liaison office (signed) to list the new TLS pin alone')
        : ctx.logger.warn({ pin: promoted.pin }, `could not ask the liaison office to drop the old TLS pin: ${sent.message}`),
    );
}
