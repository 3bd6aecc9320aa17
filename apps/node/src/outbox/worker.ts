/**
 * The delivery worker: per peer, claims due messages in batches, posts them, verifies the signed
 * receipts and records them. Each peer is worked independently, so a dead peer never delays the
 * others. Failures back off exponentially with jitter; after deadLetterAfterSeconds a message is
 * dead-lettered for an operator to inspect and retry. While this node's own directory is past its grace
 * period nothing is sent: messages stay queued, untouched (no attempt counted, no backoff), until a
 * fresh directory arrives.
 */
import { randomBytes } from 'node:crypto';
import { isRetryable, sealDelivery, sha256Digest } from '@firstlight/protocol';
import type { Transaction } from 'kysely';
import { appendAudit } from '../audit/audit-log.js';
import { seconds } from '../clock.js';
import type { NodeContext } from '../context.js';
import { fixed, fixedValues } from '../db/fixed.js';
import type { Database } from '../db/schema.js';
import { publishedSigningKey } from '../keys/published-key.js';
import { storeBatch } from '../receipts/stored.js';
import { postEnvelopes } from './federation-client.js';
import type { ClaimedRow, OutboxRow } from './outbox.js';
import { backoffMs, bringForward, claim, duePeers, nextDueAt } from './outbox.js';
import { PeerWatch } from './peer-watch.js';
import { touchPeer } from './peers.js';
import { type CheckedBatch, checkReceiptBatch, type RowAnswer } from './receipt-check.js';

const LEASE_MS = 60_000;
/**
 * The longest the worker sleeps with nothing due: the backstop for what no wake announces (a claim left
 * by another process on a shared database running out, a row queued by another process). Every new row
 * of this process, every answer and every directory wakes it at once.
 */
const IDLE_MS = 2_000;
/** The shortest sleep between two looks at the queue when rows come due by time. */
const MIN_SLEEP_MS = 50;

/**
 * A row's outcome, written for every message sent (so fixed statements, prepared once: the final verdicts
 * of a batch in one, a failed attempt's row by row) and only while this worker still holds its claim:
 * after a stall past the lease another process may have claimed, sent and recorded it, and a late failure
 * must not put a delivered row back in the queue (nor a late success overwrite what that process
 * recorded). Each releases the claim.
 */
const RECORD = fixedValues<
  { id: number },
  [id: number, state: 'delivered' | 'rejected', receipt: string, code: string | null],
  [now: number, worker: string]
>(
  `update outbox
  set state = v.column2, receipt = v.column3, receipt_code = v.column4, delivered_at = ?,
    attempts = attempts + 1, last_error = null, claimed_by = null, claimed_until = null
  from (values ??) as v
  where outbox.id = v.column1 and outbox.claimed_by = ? and outbox.state = 'queued'
  returning id`,
  '(cast(? as bigint), ?, ?, ?)',
);
const RETRY = fixed<
  never,
  [state: 'dead' | 'queued', attempts: number, error: string, next: number, id: number, worker: string]
>(`update outbox
  set state = ?, attempts = ?, last_error = ?, next_attempt_at = ?, claimed_by = null, claimed_until = null
  where id = ? and claimed_by = ? and state = 'queued'`);

/** A row's answer as recorded by this worker. */
type Recorded = RowAnswer & { row: ClaimedRow };

export class OutboxWorker {
  private readonly id = `w-${randomBytes(6).toString('hex')}`;
  private readonly inFlight = new Set<string>();
  /**
   * Peers whose drain was running when a wake came: their drain claims once more before it ends, since
   * the row that woke us may have been committed after its last claim looked (a tick skips a peer in
   * flight, and would otherwise leave that row to the poll timer).
   */
  private readonly rewoken = new Set<string>();
  private timer: NodeJS.Timeout | null = null;
  private stopped = true;
  private ticking = false;
  private again = false;
  /** Delivery is held because this node's directory is past its grace period. */
  private holding = false;
  /** Peers with rows this worker put into backoff: a delivery accepted by one brings the rest forward. */
  private readonly behind = new Set<string>();
  private readonly watch: PeerWatch;
  /** A restart brings every queued row forward once (an operator restarting means "try now"). */
  private started = false;

  constructor(
    private readonly ctx: NodeContext,
    private readonly options: { idleMs?: number } = {},
  ) {
    this.watch = new PeerWatch(ctx, { probeMs: ctx.config.retry.probeMs, wake: () => this.wake() });
  }

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    while (this.inFlight.size > 0 || this.ticking) await new Promise((r) => setTimeout(r, 20));
  }

  /**
   * A new row (or a new directory, an answer from a peer) is looked at now, not at the next poll: the
   * poll timer is only the backstop for rows that become due by time (backoff, lease expiry).
   */
  wake(): void {
    if (this.stopped) return;
    for (const peer of this.inFlight) this.rewoken.add(peer);
    if (this.ticking) {
      this.again = true;
      return;
    }
    this.schedule(0);
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.tick(), ms);
  }

  private async tick(): Promise<void> {
    if (this.stopped || this.ticking) return;
    this.ticking = true;
    this.again = false;
    let sleepMs = this.options.idleMs ?? IDLE_MS;
    try {
      const now = this.ctx.clock.now();
      if (!this.started) {
        await bringForward(this.ctx.db, now);
        this.started = true;
      }
      if (this.mayDeliver(now)) {
        this.watch.probeDue(now);
        for (const peer of await duePeers(this.ctx.db, now)) {
          if (!this.inFlight.has(peer)) this.startPeer(peer);
        }
        // Asleep until the next row comes due by time (a backoff ending) or a down peer's probe: a new
        // row, an answer or a directory wakes the worker at once (wake), so an idle node does not poll.
        const next = Math.min(await nextDueAt(this.ctx.db, now), this.watch.nextProbeAt());
        sleepMs = Math.min(sleepMs, Math.max(MIN_SLEEP_MS, next - now));
      }
    } catch (error) {
      this.ctx.logger.error({ err: error instanceof Error ? error.message : String(error) }, 'outbox tick failed');
    } finally {
      this.ticking = false;
      this.schedule(this.again ? 0 : sleepMs);
    }
  }

  private startPeer(peer: string): void {
    this.inFlight.add(peer);
    void this.drainPeer(peer)
      .catch((error) =>
        this.ctx.logger.error({ peer, err: error instanceof Error ? error.message : String(error) }, 'delivery to peer failed'),
      )
      .finally(() => {
        this.inFlight.delete(peer);
        this.rewoken.delete(peer);
        // The drain may have left rows backing off or a peer to probe: the next sleep is worked out again.
        this.wake();
      });
  }

  /**
   * Delivers batches to one peer until nothing is due or an attempt fails. A lone row goes at once in a
   * batch of one; while a batch is on the wire the rows queued behind it wait and leave together in the
   * next claim, so coalescing happens only while the queue is busy, never as a delay.
   */
  private async drainPeer(peer: string): Promise<void> {
    while (!this.stopped) {
      const now = this.ctx.clock.now();
      if (!this.mayDeliver(now)) return;
      this.rewoken.delete(peer);
      const batch = await claim(this.ctx.db, { peer, worker: this.id, now, leaseMs: LEASE_MS, limit: this.ctx.config.batchSize });
      if (batch.length === 0) {
        if (this.rewoken.has(peer)) continue;
        return;
      }
      const delivered = await this.deliverBatch(peer, batch);
      if (!delivered) return;
    }
  }

  /**
   * Nothing is signed for, sent or checked against a directory whose grace period is over (PROTOCOL
   * §3.1): the queue waits, intact, for a fresh one (the periodic refresh or the liaison office's push).
   */
  private mayDeliver(now: number): boolean {
    const expired = this.ctx.directory.expiredError(now);
    if (expired && !this.holding)
      this.ctx.logger.warn({ code: expired.code, serial: this.ctx.directory.serial }, `outbox held: ${expired.message}`);
    else if (!expired && this.holding)
      this.ctx.logger.info({ serial: this.ctx.directory.serial }, 'outbox resumed: the directory is trusted again');
    this.holding = expired !== null;
    return !this.holding;
  }

  private async deliverBatch(peer: string, batch: ClaimedRow[]): Promise<boolean> {
    const { ctx } = this;
    const member = ctx.directory.member(peer);
    const started = ctx.clock.now();
    const digests = batch.map((m) => sha256Digest(m.jws));
    const response = member
      ? await postEnvelopes(
          ctx.federation,
          peer,
          member.endpoint,
          batch.map((m) => m.jws),
          { seal: this.seal(peer, digests, started) },
        )
      : ({ ok: false, error: `${peer} is not in directory serial ${ctx.directory.serial ?? 'none'}` } as const);
    const now = ctx.clock.now();
    if (!response.ok || !('receiptBatch' in response)) {
      await this.fail(batch, response.ok ? 'answered without a receipt batch' : response.error, now);
      // Down only when it did not answer at all: a peer that answers with an error (a 503 from a full
      // disk, a bug's 500) is up, and its rows keep their own backoff rather than a probe's pace.
      if (!response.ok && !('status' in response && response.status !== undefined)) this.watch.markDown(peer, now);
      return false;
    }
    const checked = await checkReceiptBatch(ctx, peer, digests, response.receiptBatch, now);
    await this.recordVerdicts(peer, batch, checked, now);
    ctx.logger.debug({ peer, count: batch.length, ms: now - started }, 'batch delivered');
    if (checked.rows.some((r) => r.verdict?.verdict === 'accepted')) await this.watch.alive(peer, now, this.behind.delete(peer));
    return true;
  }

  /**
   * Each row's answer, in one transaction: accepted → delivered, refused for good → rejected, anything
   * else (a retryable code, a batch that did not hold) → another attempt later. Audited and counted
   * only for the rows this worker still held.
   */
  private async recordVerdicts(peer: string, batch: ClaimedRow[], checked: CheckedBatch, now: number): Promise<void> {
    const { ctx } = this;
    let held: Recorded[] = [];
    await ctx.db.transaction().execute(async (trx) => {
      if (checked.batch) await storeBatch(trx, checked.batch.digest, checked.batch.jws, now);
      const finals: Array<[id: number, state: 'delivered' | 'rejected', receipt: string, code: string | null]> = [];
      const kept = new Set<number>();
      for (const [i, row] of batch.entries()) {
        const answer = checked.rows[i] as RowAnswer;
        const { verdict } = answer;
        const final = verdict?.verdict === 'accepted' ? 'delivered' : verdict && !isRetryable(verdict.code) ? 'rejected' : null;
        if (final) finals.push([row.id, final, answer.receipt, verdict?.code ?? null]);
        else if (await this.failOne(trx, row, answer.problem ?? `peer answered ${verdict?.code}: will retry`, now)) kept.add(row.id);
      }
      // Every final verdict of the batch in one statement; the rows it names are the ones this worker still held.
      for (const { id } of await RECORD.rows(trx, finals, [now, this.id])) kept.add(Number(id));
      held = batch.flatMap((row, i) => (kept.has(row.id) ? [{ ...(checked.rows[i] as RowAnswer), row }] : []));
      await appendAudit(
        trx,
        held
          .filter((r) => r.verdict)
          .map((r) => ({
            at: now,
            kind: `receipt.${r.verdict?.verdict}`,
            ref: `${r.row.kind}:${r.row.message_id}@${peer}`,
            digest: checked.digest,
          })),
      );
      await touchPeer(trx, peer, now);
    });
    for (const r of held) {
      const outcome = r.verdict?.verdict ?? 'error';
      ctx.metrics.messages.inc({ direction: 'out', type: r.row.kind, outcome });
      if (r.verdict?.code) ctx.metrics.rejections.inc({ direction: 'out', code: r.verdict.code });
      if (outcome === 'accepted') ctx.metrics.deliveryLatency.observe({ peer }, (now - Number(r.row.created_at)) / 1000);
    }
  }

  /**
   * The delivery's seal (PROTOCOL.md §2.3.2): one signature over every envelope's digest, so the peer
   * verifies one signature instead of one per message. A single envelope goes without: its own
   * signature is as cheap to check as a seal's.
   */
  private seal(peer: string, digests: string[], nowMs: number): string | undefined {
    if (digests.length < 2) return undefined;
    const key = publishedSigningKey(this.ctx, seconds(nowMs));
    return sealDelivery(digests, { from: this.ctx.config.party, to: peer, nowMs, key });
  }

  private async fail(batch: OutboxRow[], error: string, now: number): Promise<void> {
    await this.ctx.db.transaction().execute(async (trx) => {
      for (const row of batch) await this.failOne(trx, row, error, now);
    });
    this.ctx.logger.warn({ peer: batch[0]?.peer, count: batch.length, error }, 'delivery failed; will retry');
  }

  /** Records a failed attempt; false when the row was no longer this worker's to record. */
  private async failOne(trx: Transaction<Database>, row: OutboxRow, error: string, now: number): Promise<boolean> {
    const attempts = row.attempts + 1;
    // The last attempt is made at the deadline, not one backoff interval after it.
    const deadline = Number(row.created_at) + this.ctx.config.deadLetterAfterSeconds * 1000;
    const dead = now >= deadline;
    if (!dead) this.behind.add(row.peer);
    const result = await RETRY.run(trx, [
      dead ? 'dead' : 'queued',
      attempts,
      error.slice(0, 500),
      Math.min(deadline, now + backoffMs(attempts, this.ctx.config.retry.baseMs, this.ctx.config.retry.maxMs)),
      row.id,
      this.id,
    ]);
    return (result.numAffectedRows ?? 0n) > 0n;
  }
}
