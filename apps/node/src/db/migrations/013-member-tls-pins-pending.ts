/**
 * TLS pins a member submitted (signed, PROTOCOL.md §3.2) that wait for an admin's approval under
 * keyPolicy approve: a JSON array, null when nothing waits.
 * Self-contained: never imports domain code, which may change after this migration is released.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('dir_members').addColumn('tls_pins_pending', 'text').execute();
}
