/** When each peer was last heard from (a receipt, or a delivery it made to us). */
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/schema.js';

export async function touchPeer(db: Kysely<Database> | Transaction<Database>, peer: string, now: number): Promise<void> {
  await db
    .insertInto('peers')
    .values({ country: peer, last_heard_at: now, last_attempt_at: now, backoff_level: 0 })
    .onConflict((oc) => oc.column('country').doUpdateSet({ last_heard_at: now, backoff_level: 0 }))
    .execute();
}

export async function listPeers(db: Kysely<Database>) {
  return db.selectFrom('peers').selectAll().orderBy('country').execute();
}
