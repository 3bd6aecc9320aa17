/**
 * Key submissions (PROTOCOL.md §3.2): a member signs its new public key with its current directory key
 * (proof of continuity), and the liaison office checks it as it checks any message (verify.ts, under
 * the directory it holds), then that the submission is fresh and that the new key is what it claims.
 * It never decides whether the key is listed: that is the liaison office's policy.
 */
import { ProtocolError } from './errors.js';
import { importPublicJwk, type SigningKey } from './keys.js';
import type { MemberKey } from './messages/directory.js';
import type { KeySubmission } from './messages/key-submission.js';
import { signMessageSync } from './sign.js';
import { DEFAULT_SKEW_SECONDS, type VerifyContext, verifySync } from './verify.js';

export type KeySubmissionCheck = { ok: true; submission: KeySubmission; kid: string } | { ok: false; error: ProtocolError };

/** The member's side: its new key, signed with the current one. */
export function signKeySubmission(key: MemberKey, input: { party: string; nowMs: number; current: SigningKey }): string {
  return signMessageSync('keySubmission', { v: 1, party: input.party, iat: Math.floor(input.nowMs / 1000), key }, input.current);
}

/**
 * The liaison office's side: every check of §3 (signed by a key of the directory held, not revoked,
 * owned by `party`, valid at iat), then freshness (iat within the skew allowance either way: a
 * submission is not kept to be replayed later) and that the new key is an Ed25519 key whose kid is its
 * thumbprint.
 */
export function checkKeySubmission(
  jws: unknown,
  context: Omit<VerifyContext<'keySubmission'>, 'type' | 'isReplay' | 'sealedBy'>,
): KeySubmissionCheck {
  const result = verifySync(jws, { ...context, type: 'keySubmission' });
  if (!result.ok) return { ok: false, error: result.error };
  const submission = result.message;
  const skew = context.skewSeconds ?? DEFAULT_SKEW_SECONDS;
  if (context.now - submission.iat > skew)
    return {
      ok: false,
      error: new ProtocolError(
        'ERR_EXPIRED',
        `the submission is dated ${context.now - submission.iat}s ago; a submission is good for ${skew}s`,
        {
          iat: submission.iat,
          now: context.now,
        },
      ),
    };
  // A new key cannot reach back before it was submitted (PROTOCOL.md §3.2): it would verify messages
  // dated before the rotation that the member never signed with it.
  if (submission.key.nbf < submission.iat - skew)
    return {
      ok: false,
      error: new ProtocolError(
        'ERR_SCHEMA',
        `the new key's nbf is ${submission.iat - submission.key.nbf}s before the submission; a key may start at most ${skew}s before it is submitted`,
        { nbf: submission.key.nbf, iat: submission.iat },
      ),
    };
  let imported: ReturnType<typeof importPublicJwk>;
  try {
    imported = importPublicJwk(submission.key.jwk);
  } catch (error) {
    return { ok: false, error: error instanceof ProtocolError ? error : new ProtocolError('ERR_KEY_INVALID') };
  }
  if (imported.kid !== submission.key.kid)
    return {
      ok: false,
      error: new ProtocolError('ERR_KEY_INVALID', 'the new key kid is not its RFC 7638 thumbprint', { kid: submission.key.kid }),
    };
  return { ok: true, submission, kid: result.kid };
}
