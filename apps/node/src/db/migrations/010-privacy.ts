/**
 * Personal data with a lifetime (OPERATIONS.md §8): a review date per complaint and per received
 * referral (null: the configured default from creation, or from closure), the erasure mark of a
 * complaint, and the privacy log — every read of personal data, every review extended, every erasure
 * (the tombstone) — each row bound to its audit entry by seq and digest. Self-contained: never
 * imports domain code, which may change after this migration is released.
 */
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>, isPostgres: boolean): Promise<void> {
  const ms = 'bigint' as const;
  await db.schema.alterTable('complaints').addColumn('review_at', ms).execute();
  await db.schema.alterTable('complaints').addColumn('erased_at', ms).execute();
  await db.schema.alterTable('referrals_in').addColumn('review_at', ms).execute();
  await db.schema
    .createTable('privacy_log')
    .addColumn('seq', ms, (c) => c.primaryKey())
    .addColumn('at', ms, (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('subject_kind', 'text', (c) => c.notNull())
    .addColumn('subject_id', 'text', (c) => c.notNull())
    .addColumn('item', 'text', (c) => c.notNull())
    .addColumn('operator_id', 'text', (c) => c.notNull())
    .addColumn('operator_name', 'text', (c) => c.notNull())
    .addColumn('operator_role', 'text', (c) => c.notNull())
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('detail', 'text', (c) => c.notNull())
    .execute();
  // "Who read complaint X": its audit entries without scanning the whole chain. Partial, so the hot
  // path (messages sent and received) never writes to it.
  await sql`create index audit_privacy_ref on audit (ref, seq) where kind like 'privacy.%'`.execute(db);
  await db.schema.createIndex('privacy_log_subject').on('privacy_log').columns(['subject_id', 'seq']).execute();
  // PostgreSQL's ANALYZE copies sample values into pg_statistic (most common values, histograms),
  // where an erasure cannot reach them: personal columns are never sampled.
  if (isPostgres)
    for (const [table, column] of [
      ['complaints', 'victim_name'],
      ['complaints', 'victim_contact'],
      ['complaints', 'narrative'],
      ['evidence', 'filename'],
      ['referrals_in', 'ip'],
      ['referrals_in', 'port'],
      ['received', 'jws'],
    ])
      await sql`alter table ${sql.table(table as string)} alter column ${sql.ref(column as string)} set statistics 0`.execute(db);
  // Rows written before secure_delete was on may have left copies in free space (SQLite): the first
  // erasure on such a database rebuilds it (VACUUM) once. Harmless on PostgreSQL (it vacuums anyway).
  await sql`insert into kv (key, value) select 'privacy.vacuum_pending', '1' where exists (select 1 from complaints)`.execute(db);
}
