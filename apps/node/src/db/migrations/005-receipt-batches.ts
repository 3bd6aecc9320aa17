/**
 * Receipt batches (PROTOCOL.md §2.3.1): one signed JWS answers a whole delivery. Each is kept once,
 * by its digest; a received message's or an outbox row's `receipt` then names its verdict in the batch
 * as `batch:<digest>:<index>` instead of holding a receipt JWS of its own. Self-contained: never
 * imports domain code, which may change after this migration is released.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('receipt_batches')
    .addColumn('digest', 'text', (c) => c.primaryKey())
    .addColumn('jws', 'text', (c) => c.notNull())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .execute();
}
