/**
 * The signed federation directory: issuing (liaison office) and accepting (every node).
 * The authority key travels in the payload and is trusted only because its RFC 7638 thumbprint equals
 * the anchor the node pinned at init; that check, and the signature, come before the schema.
 */
import { createPublicKey } from 'node:crypto';
import { type ErrorCode, type ErrorDetails, ProtocolError } from './errors.js';
import { decodePayload, splitCompact } from './jws.js';
import { jwkThumbprint, type SigningKey } from './keys.js';
import { KINDS } from './kinds.js';
import { JWS_TYP } from './messages/common.js';
import { type Directory, directorySchema, ed25519Jwk } from './messages/directory.js';
import { zodIssueSummary } from './schema-errors.js';
import { signMessage } from './sign.js';
import { DEFAULT_SKEW_SECONDS, signatureHolds } from './verify.js';

/** Default grace period after a directory's expiresAt during which it is still accepted (7 days). */
export const DEFAULT_DIRECTORY_GRACE_SECONDS = 7 * 24 * 3600;

export interface DirectoryContext {
  /** Pinned RFC 7638 thumbprint of the liaison office's authority key. */
  anchor: string;
  now: number;
  /** The serial already held, if any: an older serial is refused. */
  heldSerial?: number;
  graceSeconds?: number;
  skewSeconds?: number;
}

export type DirectoryResult = { ok: true; directory: Directory; stale: boolean } | { ok: false; error: ProtocolError };

export async function signDirectory(directory: Directory, authority: SigningKey): Promise<string> {
  if (jwkThumbprint(directory.authority) !== authority.kid)
    throw new ProtocolError('ERR_DIRECTORY_ANCHOR', 'the directory names another authority key than the one signing it');
  return signMessage('directory', directory, authority);
}

/** §3.1 in order, one line per check. It never throws: every outcome is a typed result. */
export async function verifyDirectory(jws: unknown, context: DirectoryContext): Promise<DirectoryResult> {
  const fail = (code: ErrorCode, message: string, details?: ErrorDetails): DirectoryResult => ({
    ok: false,
    error: new ProtocolError(code, message, details),
  });
  const { anchor } = context;
  try {
    const parts = splitCompact(jws, KINDS.directory.maxBytes, JWS_TYP.directory);
    if (parts instanceof ProtocolError) return { ok: false, error: parts };
    if (parts.kid !== anchor)
      return fail('ERR_DIRECTORY_ANCHOR', `the directory is signed by ${parts.kid}, not by the pinned anchor ${anchor}`, {
        kid: parts.kid,
        anchor,
      });
    // Only the authority member is read before the signature, and only to be matched against the pin.
    const unverified = decodePayload(parts.payloadB64);
    if (unverified instanceof ProtocolError) return { ok: false, error: unverified };
    const authority = ed25519Jwk.safeParse((unverified as Record<string, unknown>).authority);
    if (!authority.success || jwkThumbprint(authority.data) !== anchor)
      return fail('ERR_DIRECTORY_ANCHOR', 'the directory authority key does not match the pinned anchor', { anchor });
    if (!signatureHolds(parts, () => createPublicKey({ key: authority.data, format: 'jwk' })))
      return fail('ERR_SIGNATURE_INVALID', 'the directory signature does not verify with the anchor key');
    const parsed = directorySchema.safeParse(unverified);
    if (!parsed.success) return fail('ERR_SCHEMA', `the directory does not match its schema: ${zodIssueSummary(parsed.error)}`);
    const directory = parsed.data;
    const misnamed = directory.members
      .flatMap((m) => m.keys.map((key) => ({ country: m.country, key })))
      .find(({ key }) => jwkThumbprint(key.jwk) !== key.kid);
    if (misnamed)
      return fail(
        'ERR_DIRECTORY_INVALID',
        `member ${misnamed.country} lists kid ${misnamed.key.kid}, which is not the thumbprint of its key`,
        { kid: misnamed.key.kid },
      );
    const { serial, issuedAt, expiresAt } = directory;
    if (context.heldSerial !== undefined && serial < context.heldSerial)
      return fail('ERR_DIRECTORY_STALE', `directory serial ${serial} is older than serial ${context.heldSerial} already held`, {
        serial,
        held: context.heldSerial,
      });
    if (issuedAt > context.now + (context.skewSeconds ?? DEFAULT_SKEW_SECONDS))
      return fail('ERR_IAT_FUTURE', `directory serial ${serial} is issued in the future: check the clock`, { serial });
    const grace = context.graceSeconds ?? DEFAULT_DIRECTORY_GRACE_SECONDS;
    if (context.now >= expiresAt + grace)
      return fail(
        'ERR_DIRECTORY_EXPIRED',
        `directory serial ${serial} expired at ${expiresAt} and its ${grace}s grace period is over: ask the liaison office to publish`,
        { serial, expiresAt },
      );
    return { ok: true, directory, stale: context.now >= expiresAt };
  } catch {
    return fail('ERR_JWS_MALFORMED', 'the directory could not be processed');
  }
}
