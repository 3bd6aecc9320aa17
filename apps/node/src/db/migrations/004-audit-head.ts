/**
 * The audit chain's head anchor: one row (id 1) holding the seq and hash of the last audit entry,
 * rewritten in the same transaction as every append, so entries cut off the end of the log no longer
 * leave a chain that verifies. Seeded here from the chain as it stands (seq 0 and the genesis hash
 * when the log is empty), so from this migration on every database has an anchor. Self-contained:
 * never imports domain code, which may change after this migration is released.
 */
import { type Kysely, sql } from 'kysely';

const GENESIS_HASH = `sha256:${'0'.repeat(64)}`;

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('audit_head')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .execute();
  const last = await sql<{ seq: number | string; hash: string }>`select seq, hash from audit order by seq desc limit 1`.execute(db);
  const row = last.rows[0];
  await sql`insert into audit_head (id, seq, hash) values (1, ${row ? Number(row.seq) : 0}, ${row ? row.hash : GENESIS_HASH})`.execute(db);
}
