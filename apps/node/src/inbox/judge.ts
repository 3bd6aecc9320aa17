/**
 * Each envelope's verdict in a delivery, from what verification said and what is already stored: pure
 * decisions, no storage, no signing. Bytes already received are accepted again as they were (an
 * idempotent resend); an id received with other bytes is a replay; the same message twice in one batch
 * shares one verdict. It never accepts what verification refused.
 */
import { type BatchVerdict, type DeliveredKind, ERROR_CODES, refuseReplay, type Verified, type VerifyResult } from '@firstlight/protocol';
import type { Received } from './appliers.js';

/** Bytes already stored: the receipt answered then, and whose message they are. */
export interface Known {
  receipt: string;
  messageId: string;
  from: string;
}

/** What is stored of each message already received, by message id. */
export type StoredById = Map<string, Known & { digest: string }>;

/** One envelope's verdict, before it is signed on its own or in the batch. */
export interface Settled {
  verdict: BatchVerdict;
  to: string | null;
  receipt: string | null;
  /** Stored bytes whose verdict was kept in a batch: the receipt signed for them now is kept in its place. */
  restate?: boolean;
}

/** A message accepted now, at its position in the delivery. */
export interface Accepted extends Received {
  index: number;
}

/** A refusal of bytes a member's key signed: audited, with the signed rejection sent back. */
export interface Refusal {
  ref: string;
  code: string;
  digest: string;
  index: number;
}

export interface Judgement {
  settled: Settled[];
  accepted: Accepted[];
  refused: Refusal[];
}

/**
 * The stored receipt of every envelope whose exact bytes were already received: a stored message with
 * the envelope's id counts only if its digest is the envelope's (the same bytes carry the same id).
 */
export function knownReceipts(ids: Array<string | null>, digests: Array<string | null>, stored: StoredById): Map<string, Known> {
  const known = new Map<string, Known>();
  for (let i = 0; i < ids.length; i++) {
    const row = stored.get(ids[i] ?? '');
    const digest = digests[i];
    if (row && digest && row.digest === digest) known.set(digest, { receipt: row.receipt, messageId: row.messageId, from: row.from });
  }
  return known;
}

/** An id already received with other bytes is a replay (same bytes were answered as known): their indexes. */
export function markReplays(results: Array<VerifyResult<DeliveredKind> | null>, stored: Map<string, { digest: string }>): number[] {
  const replays: number[] = [];
  for (let i = 0; i < results.length; i++) {
    const r = results[i];
    if (!r?.ok) continue;
    const digest = stored.get(r.message.id)?.digest;
    if (digest === undefined || digest === r.digest) continue;
    results[i] = refuseReplay(r);
    replays.push(i);
  }
  return replays;
}

/**
 * Every envelope's verdict, in order. `results[i]` null: the bytes are known (answered as stored).
 * `presigned[i]`: the receipt already signed for that verdict, if it still holds.
 */
export function judge(
  envelopes: unknown[],
  results: Array<VerifyResult<DeliveredKind> | null>,
  known: Map<string, Known>,
  digests: Array<string | null>,
  presigned: Array<string | null>,
): Judgement {
  const settled: Settled[] = new Array(envelopes.length);
  const accepted: Accepted[] = [];
  const refused: Refusal[] = [];
  const seenInBatch = new Map<string, number>();
  for (let i = 0; i < envelopes.length; i++) {
    const result = results[i];
    const digest = digests[i] ?? '';
    if (!result) {
      settled[i] = answeredBefore(known.get(digest) as Known, digest);
      continue;
    }
    if (!result.ok) {
      const { id, sender, error } = result;
      settled[i] = {
        verdict: { ref: { id, digest: result.digest }, verdict: 'rejected', code: error.code },
        to: sender,
        receipt: presigned[i] ?? null,
      };
      // Audited only when attributable: the signature held, so a member's key signed these bytes.
      if (sender !== null && ERROR_CODES[error.code].attributable)
        refused.push({ ref: `${id ?? '-'}@${sender}`, code: error.code, digest: result.digest, index: i });
      continue;
    }
    const { message } = result;
    const earlier = seenInBatch.get(message.id);
    if (earlier !== undefined) {
      settled[i] = sameMessageAgain(settled[earlier] as Settled, result);
      continue;
    }
    seenInBatch.set(message.id, i);
    settled[i] = {
      verdict: { ref: { id: message.id, digest: result.digest }, verdict: 'accepted' },
      to: message.from,
      receipt: presigned[i] ?? null,
    };
    accepted.push({ index: i, result, jws: envelopes[i] as string });
  }
  return { settled, accepted, refused };
}

/** A stored receipt of its own is answered again as it was; a verdict kept in a batch is signed anew. */
function answeredBefore(k: Known, digest: string): Settled {
  const inBatch = k.receipt.startsWith('batch:');
  return {
    verdict: { ref: { id: k.messageId, digest }, verdict: 'accepted' },
    to: k.from,
    receipt: inBatch ? null : k.receipt,
    restate: inBatch,
  };
}

/** The same message twice in one batch: same bytes share the verdict, other bytes are a replay. */
function sameMessageAgain(first: Settled, result: Verified<DeliveredKind>): Settled {
  if (first.verdict.ref.digest === result.digest) return first;
  const ref = { id: result.message.id, digest: result.digest };
  return { verdict: { ref, verdict: 'rejected', code: 'ERR_REPLAY' }, to: result.message.from, receipt: null };
}
