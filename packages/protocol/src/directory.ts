/**
 * The signed federation directory: issuing (liaison office) and accepting (every node).
 * The authority key travels in the payload and is trusted only because its RFC 7638 thumbprint equals
 * the anchor the node pinned at init; that check, and the signature, come before the schema.
 */
import { compactVerify, importJWK } from 'jose';
import { ProtocolError } from './errors.js';
import { decodePayload, MAX_DIRECTORY_BYTES, splitCompact } from './jws.js';
import { jwkThumbprint, type SigningKey } from './keys.js';
import { JWS_TYP } from './messages/common.js';
import { type Directory, directorySchema, ed25519Jwk } from './messages/directory.js';
import { zodIssueSummary } from './schema-errors.js';
import { signMessage } from './sign.js';
import { DEFAULT_SKEW_SECONDS } from './verify.js';

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

export async function verifyDirectory(jws: unknown, context: DirectoryContext): Promise<DirectoryResult> {
  const fail = (error: ProtocolError): DirectoryResult => ({ ok: false, error });
  try {
    const parts = splitCompact(jws, MAX_DIRECTORY_BYTES, JWS_TYP.directory);
    if (parts instanceof ProtocolError) return fail(parts);
    if (parts.kid !== context.anchor)
      return fail(
        new ProtocolError('ERR_DIRECTORY_ANCHOR', `the directory is signed by ${parts.kid}, not by the pinned anchor ${context.anchor}`, {
          kid: parts.kid,
          anchor: context.anchor,
        }),
      );
    // Only the authority member is read before the signature, and only to be matched against the pin.
    const unverified = decodePayload(parts.payloadB64);
    if (unverified instanceof ProtocolError) return fail(unverified);
    const authority = ed25519Jwk.safeParse((unverified as Record<string, unknown>).authority);
    if (!authority.success || jwkThumbprint(authority.data) !== context.anchor)
      return fail(
        new ProtocolError('ERR_DIRECTORY_ANCHOR', 'the directory authority key does not match the pinned anchor', {
          anchor: context.anchor,
        }),
      );
    try {
      const key = await importJWK({ ...authority.data, alg: 'EdDSA' }, 'EdDSA');
      await compactVerify(jws as string, key, { algorithms: ['EdDSA'] });
    } catch {
      return fail(new ProtocolError('ERR_SIGNATURE_INVALID', 'the directory signature does not verify with the anchor key'));
    }
    const parsed = directorySchema.safeParse(unverified);
    if (!parsed.success)
      return fail(new ProtocolError('ERR_SCHEMA', `the directory does not match its schema: ${zodIssueSummary(parsed.error)}`));
    const directory = parsed.data;
    for (const member of directory.members) {
      for (const key of member.keys) {
        if (jwkThumbprint(key.jwk) !== key.kid)
          return fail(
            new ProtocolError(
              'ERR_DIRECTORY_INVALID',
              `member ${member.country} lists kid ${key.kid}, which is not the thumbprint of its key`,
              { kid: key.kid },
            ),
          );
      }
    }
    if (context.heldSerial !== undefined && directory.serial < context.heldSerial)
      return fail(
        new ProtocolError(
          'ERR_DIRECTORY_STALE',
          `directory serial ${directory.serial} is older than serial ${context.heldSerial} already held`,
          {
            serial: directory.serial,
            held: context.heldSerial,
          },
        ),
      );
    const skew = context.skewSeconds ?? DEFAULT_SKEW_SECONDS;
    if (directory.issuedAt > context.now + skew)
      return fail(
        new ProtocolError('ERR_IAT_FUTURE', `directory serial ${directory.serial} is issued in the future: check the clock`, {
          serial: directory.serial,
        }),
      );
    const grace = context.graceSeconds ?? DEFAULT_DIRECTORY_GRACE_SECONDS;
    if (context.now >= directory.expiresAt + grace)
      return fail(
        new ProtocolError(
          'ERR_DIRECTORY_EXPIRED',
          `directory serial ${directory.serial} expired at ${directory.expiresAt} and its ${grace}s grace period is over: ask the liaison office to publish`,
          {
            serial: directory.serial,
            expiresAt: directory.expiresAt,
          },
        ),
      );
    return { ok: true, directory, stale: context.now >= directory.expiresAt };
  } catch {
    return fail(new ProtocolError('ERR_JWS_MALFORMED', 'the directory could not be processed'));
  }
}
