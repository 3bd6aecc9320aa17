/**
 * verify(jws, context): the one gate every incoming message passes. Checks run in the order
 * docs/PROTOCOL.md §3 gives, one line each, by the rules of the message's kind (kinds.ts), which the
 * typ names; nothing in the payload is parsed before the signature holds.
 * It never throws: every outcome is a typed result.
 */
import { verify as ed25519Verify, type KeyObject } from 'node:crypto';
import type { ZodError } from 'zod';
import { sha256Digest } from './encoding.js';
import { type ErrorCode, type ErrorDetails, ProtocolError } from './errors.js';
import { type CompactParts, decodePayload, splitCompact } from './jws.js';
import { KINDS, kindOfTyp, type MessageByType, type RecipientRule, type WireMessageType } from './kinds.js';
import { JWS_TYP, messageId, PROTOCOL_VERSION } from './messages/common.js';
import { unroutableRange, zodIssueSummary } from './schema-errors.js';
import type { TrustStore } from './trust-store.js';

/** Default clock-skew allowance between countries, in seconds. */
export const DEFAULT_SKEW_SECONDS = 300;

export interface VerifyContext<T extends WireMessageType> {
  /** The kind expected, or the kinds accepted: the typ then says which one it is (the result's `kind`). */
  type: T | readonly T[];
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

/** An accepted message, of the kind its typ named. */
export type Verified<T extends WireMessageType> = {
  [K in T]: {
    ok: true;
    kind: K;
    message: MessageByType[K];
    kid: string;
    digest: string;
    /** The delivery seal's signature stood for the message's own (`sealedBy`): the seal is its proof. */
    sealed: boolean;
  };
}[T];

export interface Refused {
  ok: false;
  error: ProtocolError;
  digest: string;
  /** The message id, known only once the signature held. */
  id: string | null;
  /** The sender, known only once the signature held (and the key's owner agrees). */
  sender: string | null;
}

export type VerifyResult<T extends WireMessageType> = Verified<T> | Refused;

export async function verify<T extends WireMessageType>(jws: unknown, context: VerifyContext<T>): Promise<VerifyResult<T>> {
  const result = verifySync(jws, context);
  // The replay check is the caller's storage: its failures are the caller's, not the peer's, so they propagate.
  if (!result.ok || !context.isReplay) return result;
  const { id } = headOf(result.kind, result.message);
  return id !== null && (await context.isReplay(id, result.digest)) ? refuseReplay(result) : result;
}

/** §3 check 12, for a message that passed every other check: its id was already received with other bytes. */
export function refuseReplay(result: { kind: WireMessageType; message: object; digest: string }): Refused {
  const { id, from } = headOf(result.kind, result.message);
  const error = new ProtocolError('ERR_REPLAY', `message ${id} was already received with different bytes`, { id });
  return { ok: false, error, digest: result.digest, id, sender: from };
}

/**
 * Every check but the replay check (which needs the caller's storage and comes last), synchronously:
 * for worker threads and batches. A caller using it applies its own replay check (refuseReplay) to the ok results.
 */
export function verifySync<T extends WireMessageType>(jws: unknown, context: Omit<VerifyContext<T>, 'isReplay'>): VerifyResult<T> {
  // The digest of the exact bytes received, whatever their size (the HTTP body limit bounds it): a
  // receipt's ref.digest must match what the sender holds.
  const digest = sha256Digest(typeof jws === 'string' ? jws : describeNonString(jws));
  const known: Known = { digest, id: null, sender: null };
  try {
    const accept = accepted(context.type);
    const parts = splitCompact(jws, accept.maxBytes, accept.typs);
    if (parts instanceof ProtocolError) return refuse(known, parts);
    const kind = kindOfTyp(parts.typ) as T;
    const rules = KINDS[kind];
    // splitCompact bounded the bytes by the largest kind accepted; this kind's own limit, also in bytes.
    const size = rules.maxBytes < accept.maxBytes ? Buffer.byteLength(jws as string, 'utf8') : 0;
    if (size > rules.maxBytes)
      return fail(known, 'ERR_JWS_TOO_LARGE', `the JWS is ${size} bytes; the limit is ${rules.maxBytes}`, { limit: rules.maxBytes });
    const { keys } = context;
    const key = keys.find(parts.kid);
    if (!key)
      return fail(
        known,
        'ERR_KEY_UNKNOWN',
        `key ${parts.kid} is not in directory serial ${keys.serial}: refresh the directory or ask the liaison office`,
        { kid: parts.kid, serial: keys.serial },
      );
    const revoked = keys.revocation(parts.kid);
    if (revoked)
      return fail(
        known,
        'ERR_KEY_REVOKED',
        `key ${parts.kid} of ${key.country} was revoked (${revoked.reason}) in directory serial ${keys.serial}`,
        { kid: parts.kid, serial: keys.serial, country: key.country },
      );
    const sealed = context.sealedBy !== undefined && context.sealedBy === parts.kid;
    if (!signatureHolds(parts, sealed ? null : () => keys.publicKey(key)))
      return fail(known, 'ERR_SIGNATURE_INVALID', `the signature does not verify with key ${parts.kid} of ${key.country}`, {
        kid: parts.kid,
      });
    // From here on the bytes are the key owner's: every refusal is attributable to it (audited, and
    // its receipt addressed to it, §2.3), whatever the payload says, and names the id if it has one.
    known.sender = key.country;

    const payload = decodePayload(parts.payloadBytes);
    if (payload instanceof ProtocolError) return refuse(known, payload);
    known.id = claimedId(payload);
    const v = (payload as { v?: unknown }).v;
    if (v !== PROTOCOL_VERSION)
      return fail(
        known,
        'ERR_VERSION_UNSUPPORTED',
        `message version ${JSON.stringify(v ?? null).slice(0, 20)} is not supported; this node speaks v${PROTOCOL_VERSION}`,
      );
    const parsed = rules.schema.safeParse(payload);
    if (!parsed.success) return schemaFailure(known, kind, parsed.error);
    const message = parsed.data as MessageByType[T];
    const head = headOf(kind, message);
    known.id = head.id;
    if (key.country !== head.from)
      return fail(known, 'ERR_KEY_NOT_OWNER', `key ${parts.kid} belongs to ${key.country}, not to ${head.from}`, {
        kid: parts.kid,
        owner: key.country,
        from: head.from,
      });
    if (head.iat < key.nbf || head.iat >= key.exp)
      return fail(
        known,
        'ERR_KEY_NOT_VALID_AT_IAT',
        `key ${parts.kid} is valid from ${key.nbf} to ${key.exp}; the message iat is ${head.iat}`,
        {
          kid: parts.kid,
          nbf: key.nbf,
          exp: key.exp,
          iat: head.iat,
        },
      );
    const misaddressed = wrongRecipient(rules.recipient, head.to ?? null, context);
    if (misaddressed) return fail(known, 'ERR_WRONG_RECIPIENT', misaddressed, { to: head.to ?? null, recipient: context.recipient });
    const skew = context.skewSeconds ?? DEFAULT_SKEW_SECONDS;
    if (head.exp !== undefined && context.now - skew >= head.exp)
      return fail(known, 'ERR_EXPIRED', `the message expired at ${head.exp}; now is ${context.now}`, { exp: head.exp, now: context.now });
    if (head.iat > context.now + skew)
      return fail(
        known,
        'ERR_IAT_FUTURE',
        `the message is dated ${head.iat - context.now}s in the future; the allowance is ${skew}s: check the sender's clock`,
        { iat: head.iat, now: context.now, skew },
      );
    return { ok: true, kind, message, kid: parts.kid, digest, sealed } as Verified<T>;
  } catch {
    // Nothing above throws on any input; this is a last guard so that verify stays total.
    return fail(known, 'ERR_JWS_MALFORMED', 'the message could not be processed');
  }
}

/** What a refusal names: the digest always; the id and the sender once the signature held. */
interface Known {
  digest: string;
  id: string | null;
  sender: string | null;
}

function refuse(known: Known, error: ProtocolError): Refused {
  return { ok: false, error, digest: known.digest, id: known.id, sender: known.sender };
}

function fail(known: Known, code: ErrorCode, message: string, details?: ErrorDetails): Refused {
  return refuse(known, new ProtocolError(code, message, details));
}

/** The payload's `id` when it is a well-formed message id (a refused message's receipt names it), else null. */
function claimedId(payload: unknown): string | null {
  const id = (payload as { id?: unknown }).id;
  return messageId.safeParse(id).success ? (id as string) : null;
}

/**
 * EdDSA over the exact signing input (RFC 8037): header and payload as received, no re-encoding. The
 * one signature check of the protocol (messages and the directory alike). `key` null: a verified seal
 * stands for the computation (§3 check 5), and the signature must still be 64 bytes.
 */
export function signatureHolds(parts: Pick<CompactParts, 'signingInput' | 'signature'>, key: (() => KeyObject) | null): boolean {
  try {
    return parts.signature.length === 64 && (key === null || ed25519Verify(null, parts.signingInput, key(), parts.signature));
  } catch {
    return false;
  }
}

/** The members every check after the signature reads, wherever the kind keeps them. */
interface Head {
  id: string | null;
  from: string;
  to: string | null | undefined;
  iat: number;
  exp: number | undefined;
}

function headOf(kind: WireMessageType, message: object): Head {
  const m = message as { id?: string; from?: string; party?: string; to?: string | null; iat: number; exp?: number };
  const from = KINDS[kind].sender === 'party' ? m.party : m.from;
  return { id: m.id ?? null, from: from ?? '', to: m.to, iat: m.iat, exp: m.exp };
}

/** Why `to` is not acceptable to this party under the kind's rule (§3 check 9), or null. */
function wrongRecipient(
  rule: RecipientRule,
  to: string | null,
  context: Pick<VerifyContext<WireMessageType>, 'recipient' | 'recipientRole' | 'keys'>,
): string | null {
  const atLiaison = context.recipientRole === 'liaison';
  const mine = to === context.recipient;
  if (rule === 'none' || mine) return null;
  const misaddressed = `the message is addressed to ${to ?? 'nobody'}, and this node is ${context.recipient}`;
  if (rule === 'exact') return misaddressed;
  if (rule === 'answer') return atLiaison || to === null ? null : misaddressed;
  // addressed: the liaison office takes copies addressed to any member, and only to a member.
  if (!atLiaison) return misaddressed;
  return to !== null && !context.keys.isMember(to) ? `the message is addressed to ${to}, which is not a member of the federation` : null;
}

function schemaFailure(known: Known, kind: WireMessageType, error: ZodError): Refused {
  const range = unroutableRange(error);
  if (range) return fail(known, 'ERR_IP_UNROUTABLE', `the IP is in the ${range} range, which cannot be located abroad`, { range });
  return fail(known, 'ERR_SCHEMA', `the ${kind} does not match its schema: ${zodIssueSummary(error)}`);
}

interface Accepted {
  typs: string | readonly string[];
  /** Check 1 before the typ is read: the largest of the accepted kinds' limits (each kind's own follows). */
  maxBytes: number;
}

const acceptedLists = new WeakMap<readonly WireMessageType[], Accepted>();

function accepted(type: WireMessageType | readonly WireMessageType[]): Accepted {
  if (typeof type === 'string') return { typs: JWS_TYP[type], maxBytes: KINDS[type].maxBytes };
  let held = acceptedLists.get(type);
  if (!held) {
    held = { typs: type.map((k) => JWS_TYP[k]), maxBytes: Math.max(...type.map((k) => KINDS[k].maxBytes)) };
    acceptedLists.set(type, held);
  }
  return held;
}

/** A stable text for a non-string envelope (never throws, whatever the value: it only feeds the digest). */
function describeNonString(value: unknown): string {
  try {
    return JSON.stringify(value) ?? typeof value;
  } catch {
    return typeof value;
  }
}
