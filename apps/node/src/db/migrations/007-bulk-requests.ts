/**
 * Bulk calls made idempotent (OPERATIONS.md §4): a bureau call that carries a requestId keeps its
 * answer here, written in the same transaction as its effects, so a retry after a lost response gets
 * the same answer instead of filing again. Kept 7 days. Self-contained: never imports domain code,
 * which may change after this migration is released.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('bulk_requests')
    .addColumn('procedure', 'text', (c) => c.notNull())
    .addColumn('request_id', 'text', (c) => c.notNull())
    .addColumn('digest', 'text', (c) => c.notNull())
    .addColumn('response', 'text', (c) => c.notNull())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('bulk_requests_pk', ['procedure', 'request_id'])
    .execute();
  await db.schema.createIndex('bulk_requests_at').on('bulk_requests').column('at').execute();
}
