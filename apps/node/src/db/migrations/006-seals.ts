/**
 * Delivery seals (PROTOCOL.md §2.3.2): a received message accepted on its delivery's seal rather than
 * its own signature keeps the seal as its proof. Each seal is kept once, by its digest; the received
 * row names it in `seal` (null when the message's own signature was verified). Self-contained: never
 * imports domain code, which may change after this migration is released.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('seals')
    .addColumn('digest', 'text', (c) => c.primaryKey())
    .addColumn('jws', 'text', (c) => c.notNull())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.alterTable('received').addColumn('seal', 'text').execute();
}
