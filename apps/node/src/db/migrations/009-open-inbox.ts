/**
 * The bureau's work queue (`bureau.inbox.list` with `open`): the referrals not yet closed or declined,
 * newest first. A partial index holds only those, so the queue costs what is open, not the whole
 * history of the inbox (which only grows). The query states the same predicate, literally.
 * Self-contained: never imports domain code, which may change after this migration is released.
 */
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create index referrals_in_open on referrals_in (received_at) where state not in ('closed', 'declined')`.execute(db);
}
