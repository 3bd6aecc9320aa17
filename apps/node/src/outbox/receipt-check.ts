/**
 * A peer's answer to one delivery, judged: one signature for the whole receipt batch (PROTOCOL.md
 * §2.3.1), checked once with the directory this node holds, then each verdict matched to the envelope
 * sent at its position by its digest. It never takes a verdict for bytes other than those sent, nor
 * one from a batch that fails any check: those rows are left to retry.
 */
import { type BatchVerdict, sha256Digest, verify } from '@firstlight/protocol';
import { seconds } from '../clock.js';
import type { NodeContext } from '../context.js';
import { batchRef } from '../receipts/stored.js';

/** Each row's answer: its verdict and where it is kept, or the problem that leaves it to retry. */
export interface RowAnswer {
  verdict: BatchVerdict | null;
  /** The row's receipt as stored (its place in the batch). */
  receipt: string;
  problem: string | null;
}

export interface CheckedBatch {
  /** SHA-256 of the answer's text, held or not (audit entries name it). */
  digest: string;
  /** The batch, to be kept once, when it held. */
  batch: { digest: string; jws: string } | null;
  rows: RowAnswer[];
}

export async function checkReceiptBatch(
  ctx: NodeContext,
  peer: string,
  sentDigests: string[],
  receiptBatch: unknown,
  now: number,
): Promise<CheckedBatch> {
  const jws = typeof receiptBatch === 'string' ? receiptBatch : '';
  const digest = sha256Digest(jws);
  const verified = await verifiedBatch(ctx, peer, sentDigests.length, receiptBatch, now);
  if (typeof verified === 'string')
    return { digest, batch: null, rows: sentDigests.map((_, i) => ({ verdict: null, receipt: batchRef(digest, i), problem: verified })) };
  const rows = sentDigests.map((sent, i): RowAnswer => {
    const verdict = verified.receipts[i] ?? null;
    if (verdict && verdict.ref.digest !== sent) return { verdict: null, receipt: '', problem: 'receipt is for other bytes than we sent' };
    return { verdict, receipt: batchRef(digest, i), problem: null };
  });
  return { digest, batch: { digest, jws }, rows };
}

/** The batch when it holds, or why it does not (a string). */
async function verifiedBatch(ctx: NodeContext, peer: string, sent: number, receiptBatch: unknown, now: number) {
  // A directory whose grace period ended during the exchange verifies nothing: the resend, once a
  // fresh one arrives, gets the same verdicts again (idempotent).
  const expired = ctx.directory.expiredError(now);
  if (expired) return `receipt not verified: ${expired.code}`;
  const trust = ctx.directory.current()?.trust;
  if (!trust) return 'no directory to verify the receipt with';
  const checked = await verify(receiptBatch, {
    type: 'receiptBatch',
    keys: trust,
    recipient: ctx.config.party,
    recipientRole: 'national',
    now: seconds(now),
    skewSeconds: ctx.config.skewSeconds,
  });
  if (!checked.ok) return `receipt refused: ${checked.error.code}`;
  const { message } = checked;
  if (message.from !== peer) return `receipt signed by ${message.from}, not ${peer}`;
  if (message.receipts.length !== sent) return `answered ${message.receipts.length} verdicts for ${sent} envelopes`;
  return message;
}
