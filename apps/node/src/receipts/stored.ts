/**
 * Receipts as this node keeps them. A receipt answered or received on its own is stored as its JWS; a
 * verdict that came in a receipt batch (PROTOCOL.md §2.3.1) is stored as `batch:<digest>:<index>`, the
 * batch's JWS kept once in receipt_batches. Readers resolve either to the signed bytes and the verdict.
 */
import { peekJws, type Receipt, receiptBatchSchema, receiptSchema } from '@firstlight/protocol';
import type { Kysely, Transaction } from 'kysely';
import { forChunks, inList } from '../db/chunks.js';
import { fixed } from '../db/fixed.js';
import type { Database } from '../db/schema.js';

const BATCH_REF = /^batch:(sha256:[0-9a-f]{64}):(\d{1,3})$/;

export function batchRef(digest: string, index: number): string {
  return `batch:${digest}:${index}`;
}

const STORE_BATCH = fixed<never, [digest: string, jws: string, at: number]>(
  'insert into receipt_batches (digest, jws, at) values (?, ?, ?) on conflict (digest) do nothing',
);

/** Keeps a batch once (a resend answered by the same bytes, or two processes, store it once). Once per delivery each way. */
export async function storeBatch(trx: Transaction<Database> | Kysely<Database>, digest: string, jws: string, at: number): Promise<void> {
  await STORE_BATCH.run(trx, [digest, jws, at]);
}

/** A stored receipt resolved: the signed bytes that carry it, and its position when they are a batch. */
export interface StoredReceipt {
  jws: string;
  /** The verdict's index in the batch; null for a receipt of its own. */
  index: number | null;
}

/** Resolves stored receipt values (JWS or batch reference) in one query; unknown batches resolve to null. */
export async function resolveReceipts(db: Kysely<Database>, stored: ReadonlyArray<string | null>): Promise<Array<StoredReceipt | null>> {
  const digests = [
    ...new Set(
      stored.flatMap((s) => {
        const digest = s === null ? undefined : BATCH_REF.exec(s)?.[1];
        return digest ? [digest] : [];
      }),
    ),
  ];
  const batches = new Map<string, string>();
  await forChunks(digests, 500, async (chunk) => {
    for (const r of await db.selectFrom('receipt_batches').select(['digest', 'jws']).where('digest', 'in', inList(chunk)).execute())
      batches.set(r.digest, r.jws);
  });
  return stored.map((s) => {
    if (s === null) return null;
    const ref = BATCH_REF.exec(s);
    if (!ref) return { jws: s, index: null };
    const jws = batches.get(ref[1] as string);
    return jws === undefined ? null : { jws, index: Number(ref[2]) };
  });
}

/** What a stored receipt says (its signer, time and the one verdict it names), or null if unreadable. */
export function receiptVerdict(stored: StoredReceipt): Receipt | null {
  // Stored receipts were signed here or verified on arrival: read, not verified again.
  const payload = peekJws(stored.jws)?.payload;
  if (stored.index === null) {
    const single = receiptSchema.safeParse(payload);
    return single.success ? single.data : null;
  }
  const batch = receiptBatchSchema.safeParse(payload);
  if (!batch.success) return null;
  const verdict = batch.data.receipts[stored.index];
  if (!verdict) return null;
  const { v, id, from, to, iat } = batch.data;
  return { v, id, from, to, iat, ...verdict };
}
