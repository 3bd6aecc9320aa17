/**
 * One batch's verification and receipt signing, as plain data: run on a worker thread (verify-worker.ts)
 * or, for small batches and as a fallback, on the main thread. The replay check is not here: it needs
 * the database, and it is the last check, so the inbox applies it to the whole batch afterwards.
 */
import {
  createTrustStore,
  DELIVERED_KINDS,
  type DeliveredKind,
  type Directory,
  type ErrorCode,
  type ErrorDetails,
  kindOfTyp,
  ProtocolError,
  peekJws,
  peekString,
  type Receipt,
  type SigningKey,
  sha256Digest,
  signMessageSync,
  type TrustStore,
  uuidv7,
  type VerifyResult,
  verifySync,
} from '@firstlight/protocol';

export interface VerifyJob {
  envelopes: unknown[];
  /** Envelopes already answered (idempotent resend): skipped. */
  skip: boolean[];
  /** The kid of the delivery's verified seal (PROTOCOL.md §2.3.2), or null when there is none. */
  sealedBy: string | null;
  /** Per envelope: listed by that seal, so its signature step is the seal's. */
  sealed: boolean[];
  directory: { serial: number; directory?: Directory };
  recipient: string;
  recipientRole: 'national' | 'liaison';
  nowMs: number;
  skewSeconds: number;
  /** Sign each envelope's receipt here (answer each); false when one receipt batch answers them all. */
  presign: boolean;
  /** Receipts are signed with this key, as this party. */
  party: string;
  key: SigningKey;
}

/** A verify result that crosses a thread boundary (ProtocolError as its JSON). */
export type WireResult =
  | Extract<VerifyResult<DeliveredKind>, { ok: true }>
  | {
      ok: false;
      error: { code: ErrorCode; message: string; details: ErrorDetails };
      digest: string;
      id: string | null;
      sender: string | null;
    };

export interface JobOutcome {
  results: Array<WireResult | null>;
  /** The receipt each result gets unless the replay check turns it down (accepted or rejected, signed). */
  receipts: Array<string | null>;
}

/** The message id in an envelope's payload, read without verifying anything (null when there is none). */
export function peekId(jws: unknown): string | null {
  return peekString(peekJws(jws)?.payload, 'id');
}

/** The delivered kind an envelope's typ names, read without verifying anything: for metrics of refused bytes. */
export function peekKind(jws: unknown): DeliveredKind | 'unknown' {
  const kind = kindOfTyp(peekJws(jws)?.typ ?? '');
  return DELIVERED_KINDS.find((k) => k === kind) ?? 'unknown';
}

export function signReceipt(party: string, key: SigningKey, nowMs: number, receipt: Omit<Receipt, 'v' | 'id' | 'from' | 'iat'>): string {
  const iat = Math.floor(nowMs / 1000);
  return signMessageSync('receipt', { v: 1, id: uuidv7(nowMs), from: party, iat, ...receipt }, key);
}

/** The receipt a verify result earns before the replay check. */
export function receiptFor(job: Pick<VerifyJob, 'party' | 'key' | 'nowMs'>, result: WireResult | VerifyResult<DeliveredKind>): string {
  if (result.ok)
    return signReceipt(job.party, job.key, job.nowMs, {
      to: result.message.from,
      ref: { id: result.message.id, digest: result.digest },
      verdict: 'accepted',
    });
  return signReceipt(job.party, job.key, job.nowMs, {
    to: result.sender,
    ref: { id: result.id, digest: result.digest },
    verdict: 'rejected',
    code: result.error.code,
  });
}

export function toWire(result: VerifyResult<DeliveredKind>): WireResult {
  return result.ok ? result : { ...result, error: result.error.toJSON() };
}

export function fromWire(result: WireResult): VerifyResult<DeliveredKind> {
  return result.ok ? result : { ...result, error: new ProtocolError(result.error.code, result.error.message, result.error.details) };
}

export function runJob(job: VerifyJob, trust: TrustStore | null): JobOutcome {
  const now = Math.floor(job.nowMs / 1000);
  const results: Array<WireResult | null> = [];
  const receipts: Array<string | null> = [];
  for (let i = 0; i < job.envelopes.length; i++) {
    if (job.skip[i]) {
      results.push(null);
      receipts.push(null);
      continue;
    }
    const jws = job.envelopes[i];
    const result: WireResult = trust
      ? toWire(
          verifySync(jws, {
            type: DELIVERED_KINDS,
            keys: trust,
            recipient: job.recipient,
            recipientRole: job.recipientRole,
            now,
            skewSeconds: job.skewSeconds,
            ...(job.sealedBy !== null && job.sealed[i] ? { sealedBy: job.sealedBy } : {}),
          }),
        )
      : {
          ok: false,
          error: { code: 'ERR_KEY_UNKNOWN', message: 'this node holds no directory yet', details: {} },
          digest: typeof jws === 'string' ? sha256Digest(jws) : '',
          id: null,
          sender: null,
        };
    results.push(result);
    receipts.push(job.presign ? receiptFor(job, result) : null);
  }
  return { results, receipts };
}

/** Trust stores by directory serial, so a worker imports each key once. */
export function trustCache(): (d: VerifyJob['directory']) => TrustStore | null {
  let held: TrustStore | null = null;
  return (d) => {
    if (d.directory && d.directory.serial === d.serial && held?.serial !== d.serial) held = createTrustStore(d.directory);
    return held?.serial === d.serial ? held : null;
  };
}
