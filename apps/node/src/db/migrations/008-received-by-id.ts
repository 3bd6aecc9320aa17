/**
 * Received messages are looked up by message id only (their primary key): a resend is recognised by
 * its id and then its digest compared. The index on the digest went: its keys are random, so on a large
 * inbox every stored message dirtied a page of it of its own (measured in bench/README.md). Self-contained:
 * never imports domain code, which may change after this migration is released.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('received_digest').ifExists().execute();
}
