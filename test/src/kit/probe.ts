/**
 * What every kit check shares: delivering envelopes to the target over HTTP and checking the signed
 * receipt or receipt batch it answers with (each helper answers null, or what is wrong). The kit never
 * trusts what the target says about itself: a receipt counts only if it verifies under the key the
 * kit's own directory lists for the target.
 */
import { sign as edSign } from 'node:crypto';
import type { Ed25519Jwk } from '@firstlight/protocol';
import {
  createTrustStore,
  type Directory,
  encodeBase64url,
  type Receipt,
  type SigningKey,
  sha256Digest,
  verify,
} from '@firstlight/protocol';

export interface KitTarget {
  url: string;
  country: string;
  jwk: Ed25519Jwk;
}

export interface DeliverOutcome {
  status: number;
  text: string;
  receipts: string[] | null;
  /** The receipt batch, when one was asked for (answer: batch). */
  receiptBatch: string | null;
}

export const nowSeconds = () => Math.floor(Date.now() / 1000);

/** Signs by hand so that the kit can produce headers a JOSE library refuses to. */
export function manual(header: Record<string, unknown>, payload: unknown, key: SigningKey, payloadText?: string): string {
  const input = `${encodeBase64url(JSON.stringify(header))}.${encodeBase64url(payloadText ?? JSON.stringify(payload))}`;
  return `${input}.${encodeBase64url(edSign(null, Buffer.from(input), key.privateKey))}`;
}

export async function deliver(target: KitTarget, body: string): Promise<DeliverOutcome> {
  const res = await fetch(`${target.url}/trpc/federation.deliver`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  let receipts: string[] | null = null;
  let receiptBatch: string | null = null;
  try {
    const data = (JSON.parse(text) as { result?: { data?: { receipts?: string[]; receiptBatch?: string } } }).result?.data;
    receipts = data?.receipts ?? null;
    receiptBatch = data?.receiptBatch ?? null;
  } catch {
    receipts = null;
  }
  return { status: res.status, text, receipts, receiptBatch };
}

/** What a receipt must say besides its verdict, when the kit knows it. */
export interface ReceiptExpectation {
  /** The message id the receipt must name (null: bytes that could not be attributed). */
  id?: string | null;
  /** The party the receipt must be addressed to (null: nobody). */
  to?: string | null;
}

export class Probe {
  readonly trust;

  constructor(
    readonly target: KitTarget,
    readonly directory: Directory,
    /** The kit country receipts are addressed to by default. */
    private readonly sender: string,
  ) {
    this.trust = createTrustStore(directory);
  }

  /** Delivers one envelope and checks its receipt. */
  async single(jws: string, expected: string, more: ReceiptExpectation = {}): Promise<string | null> {
    const out = await deliver(this.target, JSON.stringify({ envelopes: [jws] }));
    if (out.status !== 200) return `HTTP ${out.status}: ${out.text.slice(0, 120)}`;
    return this.receiptFor(jws, out.receipts?.[0], expected, more);
  }

  /**
   * Checks a receipt: signed by the key the kit's directory lists for the target (verify checks the
   * kid is the target's), for these exact bytes, with this verdict and code, and the id/addressee asked for.
   */
  async receiptFor(jws: string, receipt: string | undefined, expected: 'accepted' | string, more: ReceiptExpectation = {}) {
    if (!receipt) return 'no receipt';
    const context = { type: 'receipt' as const, keys: this.trust, recipient: this.sender, now: nowSeconds(), skewSeconds: 300 };
    let r = await verify(receipt, { ...context, recipientRole: 'national' });
    // A receipt addressed to another kit country, or to nobody (bytes that could not be attributed): verify as the liaison view.
    if (!r.ok) r = await verify(receipt, { ...context, recipientRole: 'liaison' });
    if (!r.ok) return `the receipt does not verify: ${r.error.code} ${r.error.message}`;
    const m = r.message as Receipt;
    if (m.from !== this.target.country) return `the receipt is from ${m.from}, not ${this.target.country}`;
    if (m.ref.digest !== sha256Digest(jws)) return 'the receipt is for other bytes';
    if (more.id !== undefined && m.ref.id !== more.id) return `the receipt names message ${m.ref.id}, not ${more.id}`;
    if (more.to !== undefined && m.to !== more.to) return `the receipt is addressed to ${m.to}, not ${more.to}`;
    if (expected === 'accepted') return m.verdict === 'accepted' ? null : `rejected with ${m.code}, expected acceptance`;
    if (m.verdict !== 'rejected') return `accepted, expected rejection with ${expected}`;
    return m.code === expected ? null : `rejected with ${m.code}, expected ${expected}`;
  }

  /**
   * Checks a receipt batch (PROTOCOL.md §2.3.1): one signature by the target's directory key, addressed
   * to the kit sender, one verdict per envelope in the order sent, each bound to that envelope's bytes.
   */
  async batchFor(envelopes: unknown[], batch: string | null, expected: Array<'accepted' | string>): Promise<string | null> {
    if (!batch) return 'no receipt batch';
    const r = await verify(batch, {
      type: 'receiptBatch',
      keys: this.trust,
      recipient: this.sender,
      recipientRole: 'national',
      now: nowSeconds(),
      skewSeconds: 300,
    });
    if (!r.ok) return `the receipt batch does not verify: ${r.error.code} ${r.error.message}`;
    const m = r.message;
    if (m.from !== this.target.country) return `the receipt batch is from ${m.from}, not ${this.target.country}`;
    if (m.receipts.length !== envelopes.length) return `${m.receipts.length} verdicts for ${envelopes.length} envelopes`;
    for (const [i, e] of envelopes.entries()) {
      const v = m.receipts[i];
      if (typeof e === 'string' && v?.ref.digest !== sha256Digest(e)) return `verdict ${i + 1} is for other bytes`;
      const want = expected[i];
      const got = v?.verdict === 'accepted' ? 'accepted' : v?.code;
      if (got !== want) return `verdict ${i + 1} is ${got}, expected ${want}`;
    }
    return null;
  }
}
