/**
 * TLS pin submissions (PROTOCOL.md §3.2, §2.4.1): a member signs the TLS key pins it wants listed with
 * its current directory key, and the liaison office checks it as it checks any message (verify.ts,
 * under the directory it holds), then that it is fresh. It never decides whether the pins are listed:
 * that is the liaison office's policy.
 */
import { ProtocolError } from './errors.js';
import type { SigningKey } from './keys.js';
import type { TlsPinSubmission } from './messages/tls-pin-submission.js';
import { signMessageSync } from './sign.js';
import { DEFAULT_SKEW_SECONDS, type VerifyContext, verifySync } from './verify.js';

export type TlsPinSubmissionCheck = { ok: true; submission: TlsPinSubmission; kid: string } | { ok: false; error: ProtocolError };

/** The member's side: the pins to list, signed with its current key. */
export function signTlsPinSubmission(tlsPins: string[], input: { party: string; nowMs: number; current: SigningKey }): string {
  return signMessageSync('tlsPinSubmission', { v: 1, party: input.party, iat: Math.floor(input.nowMs / 1000), tlsPins }, input.current);
}

/**
 * The liaison office's side: every check of §3 (signed by a key of the directory held, not revoked,
 * owned by `party`, valid at iat), then freshness (iat within the skew allowance either way: a
 * submission is not kept to be replayed later, which could bring back a pin the member dropped).
 */
export function checkTlsPinSubmission(
  jws: unknown,
  context: Omit<VerifyContext<'tlsPinSubmission'>, 'type' | 'isReplay' | 'sealedBy'>,
): TlsPinSubmissionCheck {
  const result = verifySync(jws, { ...context, type: 'tlsPinSubmission' });
  if (!result.ok) return { ok: false, error: result.error };
  const skew = context.skewSeconds ?? DEFAULT_SKEW_SECONDS;
  if (context.now - result.message.iat > skew)
    return {
      ok: false,
      error: new ProtocolError(
        'ERR_EXPIRED',
        `the submission is dated ${context.now - result.message.iat}s ago; a submission is good for ${skew}s`,
        { iat: result.message.iat, now: context.now },
      ),
    };
  return { ok: true, submission: result.message, kid: result.kid };
}
