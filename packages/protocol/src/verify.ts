/**
 * verify(jws, context): the one gate every incoming message passes. Checks run in the order
 * docs/PROTOCOL.md gives; nothing in the payload is parsed before the signature holds.
 * It never throws: every outcome is a typed result.
 */
import { verify as ed25519Verify } from 'node:crypto';
import { sha256Digest } from './encoding.js';
import { ProtocolError } from './errors.js';
import { decodePayload, MAX_MESSAGE_BYTES, MAX_RECEIPT_BATCH_BYTES, MAX_SEAL_BYTES, splitCompact } from './jws.js';
import { JWS_TYP, PROTOCOL_VERSION } from './messages/common.js';
import { unroutableRange, zodIssueSummary } from './schema-errors.js';
import { type MessageByType, SCHEMAS } from './sign.js';
import type { TrustStore } from './trust-store.js';

export type WireMessageType = 'referral' | 'receipt' | 'receiptBatch' | 'seal' | 'status';

const MAX_BYTES: Record<WireMessageType, number> = {
  referral: MAX_MESSAGE_BYTES,
  receipt: MAX_MESSAGE_BYTES,
  receiptBatch: MAX_RECEIPT_BATCH_BYTES,
  seal: MAX_SEAL_BYTES,
  status: MAX_MESSAGE_BYTES,
};

/** Default clock-skew allowance between countries, in seconds. */
export const DEFAULT_SKEW_SECONDS = 300;

export interface VerifyContext<T extends WireMessageType> {
  type: T;
  keys: TrustStore;
  /** The verifying country. */
  recipient: string;
  /** A liaison office receives copies of every message, so it accepts any member as `to`. */
  recipientRole: 'national' | 'liaison';
  /** Now, in seconds since the epoch. */
  now: number;
  skewSeconds?: number;
  /** True when this id was already received with other bytes (same bytes are an idempotent resend). */
  isReplay?: (id: string, digest: string) => boolean | Promise<boolean>;
  /**
   * The kid of a delivery seal that was verified (checkSeal) and lists these exact bytes' digest. When
   * the envelope names the same key, the seal's signature stands for its own (§3 step 5): both were
   * made with that key over these bytes. Never set it for bytes the seal does not list.
   */
  sealedBy?: string;
}

export type VerifyResult<T extends WireMessageType> =
  | {
      ok: true;
      message: MessageByType[T];
      kid: string;
      digest: string;
      /** The delivery seal's signature stood for the message's own (`sealedBy`): the seal is its proof. */
      sealed: boolean;
    }
  | {
      ok: false;
      error: ProtocolError;
      digest: string;
      /** The message id, known only once the signature held. */
      id: string | null;
      /** The sender, known only once the signature held (and the key's owner agrees). */
      sender: string | null;
    };

export async function verify<T extends WireMessageType>(jws: unknown, context: VerifyContext<T>): Promise<VerifyResult<T>> {
  const result = verifySync(jws, context);
  // The replay check is the caller's storage: its failures are the caller's, not the peer's, so they propagate.
  if (!result.ok || !context.isReplay) return result;
  const messageId = (result.message as { id: string }).id;
  if (await context.isReplay(messageId, result.digest))
    return {
      ok: false,
      error: new ProtocolError('ERR_REPLAY', `message ${messageId} was already received with different bytes`, { id: messageId }),
      digest: result.digest,
      id: messageId,
      sender: (result.message as { from: string }).from,
    };
  return result;
}

/**
 * Every check but the replay check (which needs the caller's storage and comes last), synchronously:
 * for worker threads and batches. A caller using it applies its own replay check to the ok results.
 */
export function verifySync<T extends WireMessageType>(jws: unknown, context: Omit<VerifyContext<T>, 'isReplay'>): VerifyResult<T> {
  // The digest of the exact bytes received, whatever their size (the HTTP body limit bounds it): a
  // receipt's ref.digest must match what the sender holds.
  const digest = sha256Digest(typeof jws === 'string' ? jws : describeNonString(jws));
  let id: string | null = null;
  let sender: string | null = null;
  const fail = (error: ProtocolError): VerifyResult<T> => ({ ok: false, error, digest, id, sender });
  let verified: { message: MessageByType[T]; kid: string; sealed: boolean };
  try {
    const parts = splitCompact(jws, MAX_BYTES[context.type], JWS_TYP[context.type]);
    if (parts instanceof ProtocolError) return fail(parts);
    const { keys } = context;
    const key = keys.find(parts.kid);
    if (!key)
      return fail(
        new ProtocolError(
          'ERR_KEY_UNKNOWN',
          `key ${parts.kid} is not in directory serial ${keys.serial}: refresh the directory or ask the liaison office`,
          {
            kid: parts.kid,
            serial: keys.serial,
          },
        ),
      );
    const revoked = keys.revocation(parts.kid);
    if (revoked)
      return fail(
        new ProtocolError(
          'ERR_KEY_REVOKED',
          `key ${parts.kid} of ${key.country} was revoked (${revoked.reason}) in directory serial ${keys.serial}`,
          {
            kid: parts.kid,
            serial: keys.serial,
            country: key.country,
          },
        ),
      );
    // EdDSA over the exact signing input (RFC 8037): header and payload as received, no re-encoding.
    const sealed = context.sealedBy !== undefined && context.sealedBy === parts.kid;
    let valid = false;
    try {
      valid = parts.signature.length === 64 && (sealed || ed25519Verify(null, parts.signingInput, keys.publicKey(key), parts.signature));
    } catch {
      valid = false;
    }
    if (!valid) {
      return fail(
        new ProtocolError('ERR_SIGNATURE_INVALID', `the signature does not verify with key ${parts.kid} of ${key.country}`, {
          kid: parts.kid,
        }),
      );
    }

    const payload = decodePayload(parts.payloadBytes);
    if (payload instanceof ProtocolError) return fail(payload);
    const claims = payload as Record<string, unknown>;
    if (claims.v !== PROTOCOL_VERSION)
      return fail(
        new ProtocolError(
          'ERR_VERSION_UNSUPPORTED',
          `message version ${JSON.stringify(claims.v ?? null).slice(0, 20)} is not supported; this node speaks v${PROTOCOL_VERSION}`,
        ),
      );
    const parsed = SCHEMAS[context.type].safeParse(payload);
    if (!parsed.success) {
      const range = unroutableRange(parsed.error);
      if (range)
        return fail(new ProtocolError('ERR_IP_UNROUTABLE', `the IP is in the ${range} range, which cannot be located abroad`, { range }));
      return fail(new ProtocolError('ERR_SCHEMA', `the ${context.type} does not match its schema: ${zodIssueSummary(parsed.error)}`));
    }
    const message = parsed.data as MessageByType[T] & { id: string; from: string; to: string | null; iat: number; exp?: number };
    id = message.id;
    if (key.country !== message.from)
      return fail(
        new ProtocolError('ERR_KEY_NOT_OWNER', `key ${parts.kid} belongs to ${key.country}, not to ${message.from}`, {
          kid: parts.kid,
          owner: key.country,
          from: message.from,
        }),
      );
    sender = message.from;
    if (message.iat < key.nbf || message.iat >= key.exp)
      return fail(
        new ProtocolError(
          'ERR_KEY_NOT_VALID_AT_IAT',
          `key ${parts.kid} is valid from ${key.nbf} to ${key.exp}; the message iat is ${message.iat}`,
          {
            kid: parts.kid,
            nbf: key.nbf,
            exp: key.exp,
            iat: message.iat,
          },
        ),
      );
    // A receipt for a message whose sender could not be authenticated is addressed to nobody (to: null);
    // its ref digest ties it to the exact bytes, so the sender of those bytes may still take it.
    const receipted = context.type === 'receipt' || context.type === 'receiptBatch';
    const anonymousReceipt = receipted && message.to === null;
    // A seal is addressed to the party the delivery is posted to, whatever its role.
    const exact = context.recipientRole !== 'liaison' || context.type === 'seal';
    if (exact && message.to !== context.recipient && !anonymousReceipt)
      return fail(
        new ProtocolError(
          'ERR_WRONG_RECIPIENT',
          `the message is addressed to ${message.to ?? 'nobody'}, and this node is ${context.recipient}`,
          {
            to: message.to,
            recipient: context.recipient,
          },
        ),
      );
    // The liaison office takes copies addressed to any member, and only to a member (§3, check 9).
    if (!exact && !receipted && message.to !== null && !keys.isMember(message.to))
      return fail(
        new ProtocolError('ERR_WRONG_RECIPIENT', `the message is addressed to ${message.to}, which is not a member of the federation`, {
          to: message.to,
          recipient: context.recipient,
        }),
      );
    const skew = context.skewSeconds ?? DEFAULT_SKEW_SECONDS;
    if (message.exp !== undefined && context.now - skew >= message.exp)
      return fail(
        new ProtocolError('ERR_EXPIRED', `the message expired at ${message.exp}; now is ${context.now}`, {
          exp: message.exp,
          now: context.now,
        }),
      );
    if (message.iat > context.now + skew)
      return fail(
        new ProtocolError(
          'ERR_IAT_FUTURE',
          `the message is dated ${message.iat - context.now}s in the future; the allowance is ${skew}s: check the sender's clock`,
          {
            iat: message.iat,
            now: context.now,
            skew,
          },
        ),
      );
    verified = { message: parsed.data as MessageByType[T], kid: parts.kid, sealed };
  } catch {
    // Nothing above throws on any input; this is a last guard so that verify stays total.
    return fail(new ProtocolError('ERR_JWS_MALFORMED', 'the message could not be processed'));
  }
  return { ok: true, message: verified.message, kid: verified.kid, digest, sealed: verified.sealed };
}

/** A stable text for a non-string envelope (never throws, whatever the value: it only feeds the digest). */
function describeNonString(value: unknown): string {
  try {
    return JSON.stringify(value) ?? typeof value;
  } catch {
    return typeof value;
  }
}
