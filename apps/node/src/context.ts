/** Everything a domain module may use, constructed once per node and passed in (no module state). */
import type { Kysely } from 'kysely';
import type { Clock } from './clock.js';
import type { NodeConfig } from './config/config.js';
import type { Database } from './db/schema.js';
import type { DirectoryClient } from './directory/directory-client.js';
import type { Arrivals } from './inbox/arrivals.js';
import type { Keystore } from './keys/keystore.js';
import type { Logger } from './logging/logger.js';
import type { Metrics } from './metrics/metrics.js';
import type { FederationTransport } from './tls/federation-transport.js';

export interface NodeContext {
  config: NodeConfig;
  dataDir: string;
  db: Kysely<Database>;
  dbKind: 'sqlite' | 'postgres';
  clock: Clock;
  logger: Logger;
  keys: Keystore;
  directory: DirectoryClient;
  /** Every call to another node goes through it: pinned mutual TLS, or plain HTTP when so configured. */
  federation: FederationTransport;
  metrics: Metrics;
  /** The last storage failure a request met (disk full, I/O error), for health: null while none. */
  storage: { failedAt: number | null; code: string | null };
  /** Wakes the outbox worker (after an enqueue, or when a peer is heard from). */
  wakeOutbox(): void;
  /** News of referrals stored in the inbox, for `bureau.inbox.since` calls that wait (inbox/arrivals.ts). */
  arrivals: Arrivals;
}
