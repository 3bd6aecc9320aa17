/**
 * Delivery seals (PROTOCOL.md §2.3.2): the sender signs the digests of a whole delivery once, and the
 * recipient checks that one signature instead of one per envelope. A seal that fails any check is
 * ignored, never fatal: the recipient then verifies each envelope on its own, so a bad seal costs time,
 * never a message. It must never vouch for bytes it does not list, nor for another key's envelopes.
 */
import { ProtocolError } from './errors.js';
import type { SigningKey } from './keys.js';
import type { Seal } from './messages/seal.js';
import { signMessageSync } from './sign.js';
import { uuidv7 } from './uuid.js';
import { DEFAULT_SKEW_SECONDS, type VerifyContext, verifySync } from './verify.js';

export type SealCheck =
  | {
      ok: true;
      seal: Seal;
      /** The key that signed the seal: envelopes naming it are covered (verify's `sealedBy`). */
      kid: string;
      /** SHA-256 of the seal's own JWS text. */
      digest: string;
      /** Per envelope: the seal lists these exact bytes at this position. */
      covered: boolean[];
    }
  | { ok: false; error: ProtocolError };

/**
 * Checks a seal against the digests of the envelopes delivered (null for an envelope that is not a
 * string): every check of §3 on the seal itself (addressed to this party exactly, whatever its role),
 * then freshness (iat no older than the skew allowance) and that it lists one digest per envelope.
 */
export function checkSeal(
  seal: unknown,
  digests: ReadonlyArray<string | null>,
  context: Omit<VerifyContext<'seal'>, 'type' | 'isReplay' | 'sealedBy'>,
): SealCheck {
  const result = verifySync(seal, { ...context, type: 'seal' });
  if (!result.ok) return { ok: false, error: result.error };
  const { message } = result;
  const skew = context.skewSeconds ?? DEFAULT_SKEW_SECONDS;
  if (context.now - message.iat > skew)
    return {
      ok: false,
      error: new ProtocolError('ERR_SEAL_STALE', `the seal is dated ${context.now - message.iat}s ago; a seal is good for ${skew}s`, {
        iat: message.iat,
        now: context.now,
      }),
    };
  if (message.envelopes.length !== digests.length)
    return {
      ok: false,
      error: new ProtocolError(
        'ERR_SEAL_MISMATCH',
        `the seal lists ${message.envelopes.length} envelopes and ${digests.length} were delivered`,
        { listed: message.envelopes.length, delivered: digests.length },
      ),
    };
  return {
    ok: true,
    seal: message,
    kid: result.kid,
    digest: result.digest,
    covered: digests.map((d, i) => d !== null && d === message.envelopes[i]),
  };
}

/** The sender's side: a seal over these digests (the envelopes' `sha256Digest`, in delivery order). */
export function sealDelivery(digests: string[], input: { from: string; to: string; nowMs: number; key: SigningKey }): string {
  return signMessageSync(
    'seal',
    { v: 1, id: uuidv7(input.nowMs), from: input.from, to: input.to, iat: Math.floor(input.nowMs / 1000), envelopes: digests },
    input.key,
  );
}
