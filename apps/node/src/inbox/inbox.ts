/**
 * The inbox: federation.deliver's domain. For each envelope, in order: answer again with the stored
 * receipt if these exact bytes were already received; otherwise verify, store and apply the message
 * and sign a receipt, all accepted messages of a batch in one transaction. A bad envelope gets a
 * signed rejection and never spoils the rest of its batch.
 */
import {
  checkSeal,
  DEFAULT_SKEW_SECONDS,
  type DeliveredKind,
  type SigningKey,
  sha256Digest,
  type TrustStore,
  type VerifyResult,
} from '@firstlight/protocol';
import { seconds } from '../clock.js';
import type { NodeContext } from '../context.js';
import { forChunks } from '../db/chunks.js';
import { fixedList } from '../db/fixed.js';
import { isUniqueViolation } from '../db/violations.js';
import { publishedSigningKey } from '../keys/published-key.js';
import { resetBackoff } from '../outbox/outbox.js';
import { type Answer, type Answered, type Answers, signAnswers } from './answers.js';
import { type MessageAppliers, refusals } from './appliers.js';
import { type Accepted, type Judgement, judge, type Known, knownReceipts, markReplays, type StoredById } from './judge.js';
import { storeDelivery } from './store.js';
import { fromWire, type JobOutcome, peekId, peekKind } from './verify-job.js';
import { VerifyPool } from './verify-pool.js';

export const MAX_ENVELOPES = 500;

/** Asked twice per delivery (before verifying and before storing): a fixed statement. */
const RECEIVED_BY_ID = fixedList<{ digest: string; receipt: string; message_id: string; from_country: string }>(
  'select digest, receipt, message_id, from_country from received where message_id in (??)',
);

interface VerifiedDelivery {
  now: number;
  key: SigningKey;
  digests: Array<string | null>;
  outcome: JobOutcome;
  /** The delivery's seal, when it held: messages accepted on it keep it as their proof. */
  seal: { digest: string; jws: string; id: string; from: string; kid: string; covered: boolean[] } | null;
}

export class Inbox {
  constructor(
    private readonly ctx: NodeContext,
    private readonly appliers: MessageAppliers,
    private readonly pool: VerifyPool = new VerifyPool(),
  ) {}

  close(): Promise<void> {
    return this.pool.close();
  }

  private queue: Promise<unknown> = Promise.resolve();

  /**
   * Verification needs no storage, so it starts at once and overlaps the batches ahead of this one;
   * the rest (dedupe, replay check, store) takes batches one at a time in this process, so a
   * message's checks and its insert never interleave with another batch's.
   */
  receive(envelopes: unknown[], answer: Answer = 'each', seal?: string): Promise<Answered> {
    const verified = this.verify(envelopes, answer, seal);
    // Handled below once this batch's turn comes; marked now so a failure is never "unhandled" meanwhile.
    verified.catch(() => undefined);
    const run = this.queue.then(async () => this.settle(envelopes, await verified, answer, true));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * What is stored of each message already received, by message id (the primary key), in one lookup:
   * its digest, receipt and sender. (An index on the digest itself, random keys, cost a page write per
   * message.)
   */
  private async receivedById(ids: Array<string | null>): Promise<StoredById> {
    const stored = new Map();
    await forChunks([...new Set(ids.filter((id): id is string => id !== null))], 500, async (chunk) => {
      for (const r of await RECEIVED_BY_ID.rows(this.ctx.db, chunk, []))
        stored.set(r.message_id, { digest: r.digest, receipt: r.receipt, messageId: r.message_id, from: r.from_country });
    });
    return stored;
  }

  private async verify(envelopes: unknown[], answer: Answer, sealJws: string | undefined): Promise<VerifiedDelivery> {
    const { ctx } = this;
    const now = ctx.clock.now();
    const held = ctx.directory.current();
    const key = publishedSigningKey(ctx, seconds(now));
    const digests = envelopes.map((e) => (typeof e === 'string' ? sha256Digest(e) : null));
    const skewSeconds = ctx.config.skewSeconds ?? DEFAULT_SKEW_SECONDS;
    // Past the directory's grace period nothing is verified (every envelope is refused, verify-pool.ts): nor is a seal.
    const trusted = held && !ctx.directory.expiredError(now) ? held : null;
    const seal = sealJws !== undefined && trusted ? this.checkSeal(sealJws, digests, trusted.trust, now, skewSeconds) : null;
    // Bytes already received are not verified again: they get their stored receipt (idempotent resend).
    // Under a seal verifying costs less than looking them up (or than reading their ids, a payload
    // decoded each), and settle() looks them up in any case.
    let known = new Map<string, Known>();
    if (!seal) {
      const ids = envelopes.map(peekId);
      known = knownReceipts(ids, digests, await this.receivedById(ids));
    }
    // Verify the rest and pre-sign their receipts (on worker threads for large batches); the replay
    // check, the last one, follows in settle() for the whole batch at once.
    const outcome = await this.pool.run(
      {
        envelopes,
        skip: digests.map((d) => d !== null && known.has(d)),
        recipient: ctx.config.party,
        recipientRole: ctx.config.role,
        nowMs: now,
        skewSeconds,
        sealedBy: seal?.kid ?? null,
        sealed: seal?.covered ?? [],
        presign: answer === 'each',
        party: ctx.config.party,
        key,
      },
      held,
    );
    return { now, key, digests, outcome, seal };
  }

  /**
   * One signature for the delivery (PROTOCOL.md §2.3.2). A seal that fails is only logged: every
   * envelope is then verified on its own signature, so a bad seal never costs a message.
   */
  private checkSeal(
    jws: string,
    digests: Array<string | null>,
    trust: TrustStore,
    now: number,
    skewSeconds: number,
  ): VerifiedDelivery['seal'] {
    const { ctx } = this;
    const check = checkSeal(jws, digests, {
      keys: trust,
      recipient: ctx.config.party,
      recipientRole: ctx.config.role,
      now: seconds(now),
      skewSeconds,
    });
    ctx.metrics.seals.inc({ outcome: check.ok ? 'accepted' : 'refused' });
    if (!check.ok) {
      ctx.logger.info({ code: check.error.code }, `delivery seal not used, every envelope verified on its own: ${check.error.message}`);
      return null;
    }
    return { digest: check.digest, jws, id: check.seal.id, from: check.seal.from, kid: check.kid, covered: check.covered };
  }

  /**
   * A delivery's outcome, once its turn comes: each envelope's verdict (answerKnown, judge), the answers
   * signed (signAnswers), then every accepted message stored and applied in one transaction (store).
   */
  private async settle(envelopes: unknown[], verified: VerifiedDelivery, answer: Answer, retryOnConflict: boolean): Promise<Answered> {
    const { ctx } = this;
    const { results, known, presigned } = await this.answerKnown(envelopes, verified);
    const judged = judge(envelopes, results, known, verified.digests, presigned);
    this.countRejections(envelopes, results);
    const answers = signAnswers(judged, answer, { party: ctx.config.party, key: verified.key, now: verified.now });
    try {
      await this.store(judged, answers, verified);
    } catch (error) {
      // Another process sharing the database stored one of these ids first: answer again from what it stored.
      if (retryOnConflict && isUniqueViolation(error)) return this.settle(envelopes, verified, answer, false);
      throw error;
    }
    const senders = new Set(judged.accepted.map((a) => a.result.message.from));
    for (const sender of senders) await resetBackoff(ctx.db, sender, verified.now);
    if (senders.size > 0) ctx.wakeOutbox();
    if (judged.accepted.some((a) => a.result.kind === 'referral')) ctx.arrivals.notify();
    return answers.answered;
  }

  /**
   * Bytes received by now (a batch ahead of this one may have stored some) are answered as stored; then
   * the checks that need the storage: the replay check (§3 check 12) and the appliers' refusals. A
   * result they turn down loses its presigned receipt.
   */
  private async answerKnown(envelopes: unknown[], { digests, outcome }: VerifiedDelivery) {
    const ids = outcome.results.map((r, i) => (r?.ok ? r.message.id : (r?.id ?? peekId(envelopes[i]))));
    const received = await this.receivedById(ids);
    const known = knownReceipts(ids, digests, received);
    const results = outcome.results.map((r, i) => (r === null || known.has(digests[i] ?? '') ? null : fromWire(r)));
    const presigned = [...outcome.receipts];
    for (const i of markReplays(results, received)) presigned[i] = null;
    // Checked outside the store transaction: what an applier judges by (a status's referral) is never deleted.
    for (const [i, error] of await refusals(this.appliers, this.ctx.db, results)) {
      const r = results[i];
      if (!r?.ok) continue;
      results[i] = { ok: false, error, digest: r.digest, id: r.message.id, sender: r.message.from };
      presigned[i] = null;
    }
    return { results, known, presigned };
  }

  private countRejections(envelopes: unknown[], results: Array<VerifyResult<DeliveredKind> | null>): void {
    const { ctx } = this;
    results.forEach((r, i) => {
      if (r === null || r.ok) return;
      ctx.metrics.messages.inc({ direction: 'in', type: peekKind(envelopes[i]), outcome: 'rejected' });
      ctx.metrics.rejections.inc({ direction: 'in', code: r.error.code });
      ctx.logger.info({ code: r.error.code, id: r.id, sender: r.sender }, `envelope rejected: ${r.error.message}`);
    });
  }

  private async store({ accepted }: Judgement, answers: Answers, { now, seal }: VerifiedDelivery): Promise<void> {
    if (accepted.length === 0 && answers.audit.length === 0) return;
    // A message accepted on the seal (its own signature never checked) keeps the seal as its proof.
    const sealOf = (a: Accepted) => (seal && a.result.sealed ? seal.digest : null);
    const sealed = accepted.some((a) => sealOf(a) !== null) ? seal : null;
    const audit = sealed
      ? [...answers.audit, { at: now, kind: 'received.seal', ref: `seal:${sealed.id}@${sealed.from}`, digest: sealed.digest }]
      : answers.audit;
    await storeDelivery(this.ctx, this.appliers, {
      accepted: accepted.map((a) => ({ ...a, receipt: answers.receiptOf(a.index), seal: sealOf(a) })),
      now,
      audit,
      batch: answers.batch,
      restated: answers.restated,
      seal: sealed,
    });
  }
}
