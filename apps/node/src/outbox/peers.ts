/** When each peer was last heard from (a receipt, or a delivery it made to us). */
import type { Kysely, Transaction } from 'kysely';
import { fixed } from '../db/fixed.js';
import type { Database } from '../db/schema.js';

/** Once per delivery each way: a fixed statement. */
const TOUCH = fixed<never, [peer: string, now: number, now: number]>(
  `insert into peers (country, last_heard_at, last_attempt_at, backoff_level) values (?, ?, ?, 0)
  on conflict (country) do update set last_heard_at = excluded.last_heard_at, backoff_level = 0`,
);

export async function touchPeer(db: Kysely<Database> | Transaction<Database>, peer: string, now: number): Promise<void> {
  await TOUCH.run(db, [peer, now, now]);
}

export async function listPeers(db: Kysely<Database>) {
  return db.selectFrom('peers').selectAll().orderBy('country').execute();
}
