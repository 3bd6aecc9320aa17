/**
 * The inbox: federation.deliver's domain. For each envelope, in order: answer again with the stored
 * receipt if these exact bytes were already received; otherwise verify, store and apply the message
 * and sign a receipt, all accepted messages of a batch in one transaction. A bad envelope gets a
 * signed rejection and never spoils the rest of its batch.
 */
import {
  type BatchVerdict,
  checkSeal,
  DEFAULT_SKEW_SECONDS,
  ERROR_CODES,
  type ProtocolError,
  type Referral,
  refuseReplay,
  type SigningKey,
  type Status,
  sha256Digest,
  signMessageSync,
  type TrustStore,
  uuidv7,
  type VerifyResult,
} from '@firstlight/protocol';
import type { Kysely, Transaction } from 'kysely';
import { type AuditEntryInput, appendAudit } from '../audit/audit-log.js';
import { seconds } from '../clock.js';
import type { NodeContext } from '../context.js';
import { forChunks, insertRows } from '../db/chunks.js';
import type { Database } from '../db/schema.js';
import { isUniqueViolation } from '../db/violations.js';
import { publishedSigningKey } from '../keys/published-key.js';
import { resetBackoff } from '../outbox/outbox.js';
import { touchPeer } from '../outbox/peers.js';
import { batchRef, storeBatch } from '../receipts/stored.js';
import { fromWire, type JobOutcome, peekId, peekKind } from './verify-job.js';
import { VerifyPool } from './verify-pool.js';

export const MAX_ENVELOPES = 500;

/** What a node does with an accepted message (a national bureau and the liaison office differ). */
export interface MessageApplier {
  /** Referrals of one batch, in order (one multi-row insert rather than one statement each). */
  referrals(trx: Transaction<Database>, items: Array<{ message: Referral; jws: string }>, now: number): Promise<void>;
  /** Statuses of one batch, in order (as if applied one after another). */
  statuses(trx: Transaction<Database>, items: Array<{ message: Status; jws: string }>, now: number): Promise<void>;
  /** Why this node must refuse each verified status (it is not the signer's to give), or null to apply it. */
  refuseStatuses?(db: Kysely<Database>, messages: Status[]): Promise<Array<ProtocolError | null>>;
}

interface Verified {
  now: number;
  key: SigningKey;
  digests: Array<string | null>;
  outcome: JobOutcome;
  /** The delivery's seal, when it held: messages accepted on it keep it as their proof. */
  seal: { digest: string; jws: string; id: string; from: string; kid: string; covered: boolean[] } | null;
}

/** How a delivery is answered (PROTOCOL.md §5.1): a receipt per envelope, or one receipt batch. */
export type Answer = 'each' | 'batch';
export type Answered = { receipts: string[] } | { receiptBatch: string };

/** Bytes already stored: the receipt answered then, and whose message they are. */
interface Known {
  receipt: string;
  messageId: string;
  from: string;
}

/** One envelope's verdict, before it is signed on its own or in the batch. */
type Settled = {
  verdict: BatchVerdict;
  to: string | null;
  receipt: string | null;
  /** Stored bytes whose verdict was kept in a batch: the receipt signed for them now is kept in its place. */
  restate?: boolean;
};

export class Inbox {
  constructor(
    private readonly ctx: NodeContext,
    private readonly applier: MessageApplier,
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
  private async receivedById(ids: Array<string | null>): Promise<Map<string, Known & { digest: string }>> {
    const stored = new Map<string, Known & { digest: string }>();
    await forChunks([...new Set(ids.filter((id): id is string => id !== null))], 500, async (chunk) => {
      const rows = await this.ctx.db
        .selectFrom('received')
        .select(['digest', 'receipt', 'message_id', 'from_country'])
        .where('message_id', 'in', chunk)
        .execute();
      for (const r of rows)
        stored.set(r.message_id, { digest: r.digest, receipt: r.receipt, messageId: r.message_id, from: r.from_country });
    });
    return stored;
  }

  private async verify(envelopes: unknown[], answer: Answer, sealJws: string | undefined): Promise<Verified> {
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
    // Under a seal verifying costs less than looking them up, and settle() looks them up in any case.
    const ids = envelopes.map(peekId);
    const known = seal ? new Map<string, Known>() : knownReceipts(ids, digests, await this.receivedById(ids));
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
  private checkSeal(jws: string, digests: Array<string | null>, trust: TrustStore, now: number, skewSeconds: number): Verified['seal'] {
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

  private async settle(envelopes: unknown[], verified: Verified, answer: Answer, retryOnConflict: boolean): Promise<Answered> {
    const { ctx } = this;
    const { now, key, digests, outcome } = verified;
    // Kept on the verdict, so the same message twice in one batch shares one receipt.
    const signOne = (r: Settled): string =>
      (r.receipt ??= signMessageSync(
        'receipt',
        { v: 1, id: uuidv7(now), from: ctx.config.party, iat: seconds(now), to: r.to, ...r.verdict },
        key,
      ));

    // 1. Bytes received by now (a batch ahead of this one may have stored some) get their stored receipt.
    const ids = outcome.results.map((r, i) => (r?.ok ? r.message.id : (r?.id ?? peekId(envelopes[i]))));
    const received = await this.receivedById(ids);
    const known = knownReceipts(ids, digests, received);
    const results = outcome.results.map((r, i) => (r === null || known.has(digests[i] ?? '') ? null : fromWire(r)));
    const presigned = [...outcome.receipts];
    for (const i of markReplays(results, received)) presigned[i] = null;
    for (const i of await this.markRefusedStatuses(results)) presigned[i] = null;

    // 2. Each envelope's verdict; then the receipts (one each, or one batch), then store and apply every
    //    accepted message in one transaction.
    const settled: Settled[] = new Array(envelopes.length);
    const accepted: Array<{ index: number; result: Extract<VerifyResult<'referral' | 'status'>, { ok: true }>; jws: string }> = [];
    const seenInBatch = new Map<string, number>();
    const refused: Array<{ ref: string; code: string; digest: string; index: number }> = [];
    for (let i = 0; i < envelopes.length; i++) {
      const result = results[i];
      const digest = digests[i];
      if (result === null || result === undefined) {
        const k = known.get(digest ?? '') as Known;
        // A stored receipt of its own is answered again as it was; a verdict kept in a batch is signed anew.
        const inBatch = k.receipt.startsWith('batch:');
        settled[i] = {
          verdict: { ref: { id: k.messageId, digest: digest as string }, verdict: 'accepted' },
          to: k.from,
          receipt: inBatch ? null : k.receipt,
          restate: inBatch,
        };
        continue;
      }
      if (!result.ok) {
        const verdict: BatchVerdict = { ref: { id: result.id, digest: result.digest }, verdict: 'rejected', code: result.error.code };
        settled[i] = { verdict, to: result.sender, receipt: presigned[i] ?? null };
        // Audited only when attributable: the signature held, so a member's key signed these bytes.
        if (result.sender !== null && ERROR_CODES[result.error.code].attributable)
          refused.push({ ref: `${result.id ?? '-'}@${result.sender}`, code: result.error.code, digest: result.digest, index: i });
        ctx.metrics.messages.inc({ direction: 'in', type: peekKind(envelopes[i]), outcome: 'rejected' });
        ctx.metrics.rejections.inc({ direction: 'in', code: result.error.code });
        ctx.logger.info({ code: result.error.code, id: result.id, sender: result.sender }, `envelope rejected: ${result.error.message}`);
        continue;
      }
      const message = result.message;
      const ref = { id: message.id, digest: result.digest };
      const earlier = seenInBatch.get(message.id);
      if (earlier !== undefined) {
        // The same message twice in one batch: same bytes share the verdict, other bytes are a replay.
        const first = settled[earlier] as Settled;
        settled[i] =
          first.verdict.ref.digest === result.digest
            ? first
            : { verdict: { ref, verdict: 'rejected', code: 'ERR_REPLAY' }, to: message.from, receipt: null };
        continue;
      }
      seenInBatch.set(message.id, i);
      settled[i] = { verdict: { ref, verdict: 'accepted' }, to: message.from, receipt: presigned[i] ?? null };
      accepted.push({ index: i, result, jws: envelopes[i] as string });
    }

    let answered: Answered;
    let stored: (index: number) => string;
    const audit: AuditEntryInput[] = refused.map((r) => ({ at: now, kind: `received.rejected.${r.code}`, ref: r.ref, digest: r.digest }));
    let batch: { digest: string; jws: string } | null = null;
    const restated: Array<{ id: string; digest: string; receipt: string }> = [];
    if (answer === 'batch') {
      const senders = new Set(settled.flatMap((r) => (r.to === null ? [] : [r.to])));
      const id = uuidv7(now);
      const jws = signMessageSync(
        'receiptBatch',
        {
          v: 1,
          id,
          from: ctx.config.party,
          to: senders.size === 1 ? ([...senders][0] as string) : null,
          iat: seconds(now),
          receipts: settled.map((r) => r.verdict),
        },
        key,
      );
      batch = { digest: sha256Digest(jws), jws };
      const { digest } = batch;
      answered = { receiptBatch: jws };
      stored = (index) => batchRef(digest, index);
      if (accepted.length > 0 || refused.length > 0) audit.push({ at: now, kind: 'sent.receipt-batch', ref: `batch:${id}`, digest });
    } else {
      const receipts = settled.map(signOne);
      answered = { receipts };
      stored = (index) => receipts[index] as string;
      for (const r of refused) audit.push({ at: now, kind: 'sent.receipt', ref: r.ref, digest: sha256Digest(receipts[r.index] as string) });
      // A resend asking for a receipt of its own, for bytes answered in a batch before: the receipt signed
      // now is kept, so every later resend gets these same bytes again (idempotent, as §5.1 asks).
      settled.forEach((r, i) => {
        if (!r.restate || restated.some((x) => x.digest === r.verdict.ref.digest)) return;
        restated.push({ id: r.verdict.ref.id as string, digest: r.verdict.ref.digest, receipt: receipts[i] as string });
        audit.push({ at: now, kind: 'sent.receipt', ref: `${r.verdict.ref.id}@${r.to}`, digest: sha256Digest(receipts[i] as string) });
      });
    }
    if (accepted.length > 0 || audit.length > 0) {
      try {
        const seal = verified.seal;
        // A message accepted on the seal (its own signature never checked) keeps the seal as its proof.
        const sealOf = (a: (typeof accepted)[number]) => (seal && a.result.sealed ? seal.digest : null);
        const sealed = accepted.some((a) => sealOf(a) !== null) ? seal : null;
        if (sealed) audit.push({ at: now, kind: 'received.seal', ref: `seal:${sealed.id}@${sealed.from}`, digest: sealed.digest });
        await this.store(
          accepted.map((a) => ({ ...a, receipt: stored(a.index), seal: sealOf(a) })),
          now,
          audit,
          batch,
          restated,
          sealed,
        );
      } catch (error) {
        // Another process sharing the database stored one of these ids first: answer again from what it stored.
        if (retryOnConflict && isUniqueViolation(error)) return this.settle(envelopes, verified, answer, false);
        throw error;
      }
    }
    const senders = new Set(accepted.map((a) => a.result.message.from));
    for (const sender of senders) await resetBackoff(ctx.db, sender, now);
    if (senders.size > 0) ctx.wakeOutbox();
    return answered;
  }

  /**
   * Statuses the applier refuses (not signed by the referral's recipient, or about a referral this
   * node never sent) become signed rejections. Checked outside the store transaction: the referrals a
   * status is judged against are never deleted and their recipient never changes.
   */
  private async markRefusedStatuses(results: Array<VerifyResult<'referral' | 'status'> | null>): Promise<number[]> {
    const refuse = this.applier.refuseStatuses;
    if (!refuse) return [];
    const at = results.flatMap((r, i) => (r?.ok && r.kind === 'status' ? [i] : []));
    if (at.length === 0) return [];
    const errors = await refuse(
      this.ctx.db,
      at.map((i) => (results[i] as { message: Status }).message),
    );
    const refused: number[] = [];
    at.forEach((i, k) => {
      const r = results[i];
      const error = errors[k];
      if (!error || !r?.ok) return;
      results[i] = { ok: false, error, digest: r.digest, id: r.message.id, sender: r.message.from };
      refused.push(i);
    });
    return refused;
  }

  private async store(
    accepted: Array<{
      result: Extract<VerifyResult<'referral' | 'status'>, { ok: true }>;
      jws: string;
      receipt: string;
      seal: string | null;
    }>,
    now: number,
    audit: AuditEntryInput[],
    batch: { digest: string; jws: string } | null,
    restated: Array<{ id: string; digest: string; receipt: string }>,
    seal: { digest: string; jws: string } | null,
  ): Promise<void> {
    const { ctx } = this;
    await ctx.db.transaction().execute(async (trx) => {
      if (batch) await storeBatch(trx, batch.digest, batch.jws, now);
      if (seal)
        await trx
          .insertInto('seals')
          .values({ digest: seal.digest, jws: seal.jws, at: now })
          .onConflict((oc) => oc.column('digest').doNothing())
          .execute();
      for (const r of restated)
        await trx
          .updateTable('received')
          .set({ receipt: r.receipt })
          .where('message_id', '=', r.id)
          .where('digest', '=', r.digest)
          .where('receipt', 'like', 'batch:%')
          .execute();
      const rows = accepted.map(({ result, jws, receipt, seal }) => ({
        message_id: result.message.id,
        kind: result.kind,
        digest: result.digest,
        from_country: result.message.from,
        jws,
        receipt,
        received_at: now,
        seal,
      }));
      await insertRows(trx, 'received', rows, 200);
      // Applied in order, each run of referrals and each run of statuses together (a status after the
      // referrals before it).
      let referrals: Array<{ message: Referral; jws: string }> = [];
      let statuses: Array<{ message: Status; jws: string }> = [];
      for (const { result, jws } of accepted) {
        if (result.kind === 'status') {
          if (referrals.length > 0) await this.applier.referrals(trx, referrals, now);
          referrals = [];
          statuses.push({ message: result.message as Status, jws });
        } else {
          if (statuses.length > 0) await this.applier.statuses(trx, statuses, now);
          statuses = [];
          referrals.push({ message: result.message as Referral, jws });
        }
      }
      if (referrals.length > 0) await this.applier.referrals(trx, referrals, now);
      if (statuses.length > 0) await this.applier.statuses(trx, statuses, now);
      await appendAudit(trx, [
        ...accepted.flatMap(({ result, receipt }) => {
          const kind = result.kind;
          const ref = `${result.message.id}@${result.message.from}`;
          const received: AuditEntryInput = { at: now, kind: `received.${kind}`, ref, digest: result.digest };
          // A batch's verdicts are audited once, by the batch's own entry.
          return batch ? [received] : [received, { at: now, kind: 'sent.receipt', ref, digest: sha256Digest(receipt) }];
        }),
        ...audit,
      ]);
      for (const sender of new Set(accepted.map((a) => a.result.message.from))) await touchPeer(trx, sender, now);
    });
    for (const { result } of accepted) ctx.metrics.messages.inc({ direction: 'in', type: result.kind, outcome: 'accepted' });
  }
}

/**
 * The stored receipt of every envelope whose exact bytes were already received: a stored message with
 * the envelope's id counts only if its digest is the envelope's (the same bytes carry the same id).
 */
function knownReceipts(ids: Array<string | null>, digests: Array<string | null>, stored: Map<string, Known & { digest: string }>) {
  const known = new Map<string, Known>();
  for (let i = 0; i < ids.length; i++) {
    const row = stored.get(ids[i] ?? '');
    const digest = digests[i];
    if (row && digest && row.digest === digest) known.set(digest, { receipt: row.receipt, messageId: row.messageId, from: row.from });
  }
  return known;
}

/** An id already received with other bytes is a replay (same bytes were answered in step 1): their indexes. */
function markReplays(results: Array<VerifyResult<'referral' | 'status'> | null>, stored: Map<string, { digest: string }>): number[] {
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
