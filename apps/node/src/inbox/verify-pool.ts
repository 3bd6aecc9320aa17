/**
 * Verification and receipt signing on worker threads. Ed25519 is most of an unsealed batch's CPU; the
 * main thread keeps HTTP, the database and the replay check. Workers start on the first batch with
 * enough signatures to check or make, and stop after a quiet minute, so an idle node holds none. A batch
 * with few (a small one, or one whose seal stands for its envelopes' signatures and that is answered
 * by one receipt batch), and any batch whose worker fails, runs on the main thread: a worker's failure
 * never loses or delays a message beyond a retry.
 * A held directory whose grace period is over verifies nothing: every envelope gets a signed rejection
 * ERR_DIRECTORY_EXPIRED (unattributed, since no signature can be checked without trusted keys).
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { type Directory, sha256Digest, type TrustStore } from '@firstlight/protocol';
import { directoryExpiredError } from '../directory/directory-state.js';
import { type JobOutcome, receiptFor, runJob, type VerifyJob, type WireResult } from './verify-job.js';

export interface VerifyPoolOptions {
  /** Worker threads; 0 verifies on the main thread only. Default: the machine's cores, at most 4. */
  threads?: number;
  /**
   * Batches with fewer signatures than this to check or make run on the main thread (messaging a worker
   * costs more than it saves): an envelope counts unless the delivery's seal stands for its signature
   * and no receipt of its own is signed for it.
   */
  minBatch?: number;
  idleMs?: number;
  onError?: (error: unknown) => void;
}

interface Slot {
  worker: Worker;
  serial: number | null;
  pending: Map<number, { resolve: (o: JobOutcome) => void; reject: (e: Error) => void }>;
}

declare const __FIRSTLIGHT_BUNDLE__: boolean | undefined;

// Bundled (dist/cli/main.js): the worker is its own bundle; from source it needs tsx's loader.
const WORKER_URL =
  typeof __FIRSTLIGHT_BUNDLE__ !== 'undefined' && __FIRSTLIGHT_BUNDLE__
    ? new URL('../inbox/verify-worker.js', import.meta.url)
    : new URL('./verify-worker.mjs', import.meta.url);

export class VerifyPool {
  private readonly threads: number;
  private readonly minBatch: number;
  private readonly idleMs: number;
  private slots: Slot[] = [];
  private seq = 0;
  private idleTimer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(private readonly options: VerifyPoolOptions = {}) {
    this.threads = options.threads ?? Math.min(4, availableParallelism());
    this.minBatch = options.minBatch ?? 64;
    this.idleMs = options.idleMs ?? 60_000;
  }

  /**
   * Verifies and pre-signs receipts for a batch; `trust` is the main thread's store for the same serial.
   * `graceEndsAt` (seconds) is when the held directory stops being trusted, judged at the job's time.
   */
  async run(
    job: Omit<VerifyJob, 'directory'>,
    held: { directory: Directory; trust: TrustStore; graceEndsAt?: number } | null,
  ): Promise<JobOutcome> {
    if (held?.graceEndsAt !== undefined && Math.floor(job.nowMs / 1000) >= held.graceEndsAt) return refuseAll(job, held);
    // Under a seal answered by one receipt batch an envelope costs its parsing and schema check, about a
    // seventh of an Ed25519 check: less than copying it to a worker and its result back (measured on a
    // 2-core host: 500 sealed referrals a delivery, 76 µs of node CPU each on the main thread, 90–114 µs
    // with two workers, scripts/ingest-process.ts with and without --verify-threads=0).
    let work = 0;
    for (let i = 0; i < job.envelopes.length; i++) if (!job.skip[i] && (job.presign || !job.sealed[i])) work += 1;
    if (this.closed || this.threads === 0 || work < this.minBatch || !held)
      return runJob({ ...job, directory: { serial: 0 } }, held?.trust ?? null);
    this.touch();
    const slots = this.ensureSlots();
    // Split into one contiguous part per worker (each result keeps its index).
    const parts = slots.length;
    const size = Math.ceil(job.envelopes.length / parts);
    try {
      const outcomes = await Promise.all(
        slots.map((slot, p) => {
          const from = p * size;
          const to = Math.min(job.envelopes.length, from + size);
          return this.post(slot, {
            ...job,
            envelopes: job.envelopes.slice(from, to),
            skip: job.skip.slice(from, to),
            sealed: job.sealed.slice(from, to),
            directory: { serial: held.directory.serial, directory: slot.serial === held.directory.serial ? undefined : held.directory },
          }).then((o) => {
            slot.serial = held.directory.serial;
            return o;
          });
        }),
      );
      return { results: outcomes.flatMap((o) => o.results), receipts: outcomes.flatMap((o) => o.receipts) };
    } catch (error) {
      this.options.onError?.(error);
      return runJob({ ...job, directory: { serial: held.directory.serial } }, held.trust);
    }
  }

  /** Worker threads running now (tests). */
  get workers(): number {
    return this.slots.length;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.stopWorkers();
  }

  private post(slot: Slot, job: VerifyJob): Promise<JobOutcome> {
    const seq = ++this.seq;
    return new Promise<JobOutcome>((resolve, reject) => {
      slot.pending.set(seq, { resolve, reject });
      slot.worker.postMessage({ seq, job });
    });
  }

  private ensureSlots(): Slot[] {
    while (this.slots.length < this.threads) {
      const worker = new Worker(WORKER_URL);
      worker.unref();
      const slot: Slot = { worker, serial: null, pending: new Map() };
      worker.on('message', (m: { seq: number; outcome?: JobOutcome; error?: string }) => {
        const p = slot.pending.get(m.seq);
        if (!p) return;
        slot.pending.delete(m.seq);
        if (m.outcome) p.resolve(m.outcome);
        else p.reject(new Error(m.error ?? 'worker failure'));
      });
      const fail = (error: Error) => {
        for (const p of slot.pending.values()) p.reject(error);
        slot.pending.clear();
        this.slots = this.slots.filter((s) => s !== slot);
      };
      worker.on('error', fail);
      worker.on('exit', (code) => fail(new Error(`verification worker exited with code ${code}`)));
      this.slots.push(slot);
    }
    return this.slots;
  }

  private touch(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => void this.stopWorkers(), this.idleMs);
    this.idleTimer.unref();
  }

  private async stopWorkers(): Promise<void> {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    const slots = this.slots;
    this.slots = [];
    await Promise.all(slots.map((s) => s.worker.terminate()));
  }
}

/** Every envelope not already answered is refused with ERR_DIRECTORY_EXPIRED, in a signed receipt. */
function refuseAll(job: Omit<VerifyJob, 'directory'>, held: { directory: Directory; graceEndsAt?: number }): JobOutcome {
  const graceSeconds = (held.graceEndsAt ?? held.directory.expiresAt) - held.directory.expiresAt;
  const error = directoryExpiredError(held.directory, graceSeconds).toJSON();
  const results: Array<WireResult | null> = [];
  const receipts: Array<string | null> = [];
  job.envelopes.forEach((jws, i) => {
    if (job.skip[i]) {
      results.push(null);
      receipts.push(null);
      return;
    }
    const result: WireResult = { ok: false, error, digest: typeof jws === 'string' ? sha256Digest(jws) : '', id: null, sender: null };
    results.push(result);
    receipts.push(job.presign ? receiptFor(job, result) : null);
  });
  return { results, receipts };
}
