/** Applies the node's migrations in order, once each, recording them in kysely's migration table. */
import type { Kysely } from 'kysely';
import { type Migration, Migrator } from 'kysely';
import * as initial from './migrations/001-initial.js';
import * as liaison from './migrations/002-liaison.js';
import * as evidencePerComplaint from './migrations/003-evidence-per-complaint.js';
import * as auditHead from './migrations/004-audit-head.js';
import * as receiptBatches from './migrations/005-receipt-batches.js';
import * as seals from './migrations/006-seals.js';
import * as bulkRequests from './migrations/007-bulk-requests.js';
import * as receivedById from './migrations/008-received-by-id.js';
import * as openInbox from './migrations/009-open-inbox.js';
import * as privacy from './migrations/010-privacy.js';
import * as statusOutcomeFlag from './migrations/011-status-outcome-flag.js';
import * as memberTlsPins from './migrations/012-member-tls-pins.js';
import * as memberTlsPinsPending from './migrations/013-member-tls-pins-pending.js';
import * as liaisonFigures from './migrations/014-liaison-figures.js';
import * as outboxMessageOnce from './migrations/015-outbox-message-once.js';

type Step = { up(db: Kysely<unknown>, isPostgres: boolean): Promise<void> };

/** Append only: a released migration is never edited. */

const STEPS: Record<string, Step> = {
  '001-initial': initial,
  '002-liaison': liaison,
  '003-evidence-per-complaint': evidencePerComplaint,
  '004-audit-head': auditHead,
  '005-receipt-batches': receiptBatches,
  '006-seals': seals,
  '007-bulk-requests': bulkRequests,
  '008-received-by-id': receivedById,
  '009-open-inbox': openInbox,
  '010-privacy': privacy,
  '011-status-outcome-flag': statusOutcomeFlag,
  '012-member-tls-pins': memberTlsPins,
  '013-member-tls-pins-pending': memberTlsPinsPending,
  '014-liaison-figures': liaisonFigures,
  '015-outbox-message-once': outboxMessageOnce,
};

// biome-ignore lint/suspicious/noExplicitAny: migrations run before the typed schema exists
export async function migrate(db: Kysely<any>, isPostgres: boolean): Promise<void> {
  const migrations: Record<string, Migration> = {};
  for (const [name, step] of Object.entries(STEPS)) {
    migrations[name] = { up: (d: Kysely<unknown>) => step.up(d, isPostgres) };
  }
  const migrator = new Migrator({
    db: db as Kysely<unknown>,
    provider: { getMigrations: async () => migrations },
    // Names are "NNN-words" in ASCII: plain code-unit order. Kysely's default (localeCompare) loads ICU's
    // collation data, a few MB a node would otherwise hold for nothing.
    nameComparator: (a, b) => (a < b ? -1 : a > b ? 1 : 0),
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(`database migration ${failed} failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}
