/**
 * An outbox row no longer carries its signed message: the JWS is kept once, in the table of what this
 * node sent (referrals_out or statuses, by the row's kind and message id), and read from there when a
 * worker claims the row. A message went to two peers (its recipient and the liaison office), so the
 * node stored its JWS three times, and each outbox row (about 1 KB with it, about 150 bytes without)
 * was written again by its claim and by its receipt's verdict: most of the bytes a sending node wrote.
 * SQLite rewrites the table once here (a few seconds per million rows); PostgreSQL only marks the column
 * dropped. Self-contained: never imports domain code, which may change after this migration is released.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('outbox').dropColumn('jws').execute();
}
