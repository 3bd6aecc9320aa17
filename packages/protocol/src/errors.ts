/**
 * The protocol's one error class and its stable codes, each with the rules that go with it.
 * Codes are part of the wire contract (receipts carry them): never rename one, only add. A code's rules
 * live here and nowhere else: whoever audits a refusal or retries a rejection asks this table.
 */

/** What a code means, and what a node does when it meets it. */
export interface ErrorCodeRules {
  /** For people: what went wrong. */
  description: string;
  /**
   * The signature held before this check failed (a member's key signed these bytes), so the refusal is
   * attributable to that member: it is audited. Bytes refused before the signature check (garbage,
   * unknown or revoked keys, an expired directory) are attributable to no one and never audited, so
   * nobody can fill the audit log from outside the federation.
   */
  attributable: boolean;
  /** A later attempt may turn this rejection into acceptance (the recipient's directory or clock lags the sender's). */
  retryable: boolean;
}

export const ERROR_CODES = {
  ERR_JWS_TOO_LARGE: { description: 'The JWS is larger than the protocol allows (16 KiB).', attributable: false, retryable: false },
  ERR_JWS_MALFORMED: {
    description: 'The JWS is not three strict base64url segments with a JSON header.',
    attributable: false,
    retryable: false,
  },
  ERR_JWS_ALG: { description: 'The JWS algorithm is not EdDSA.', attributable: false, retryable: false },
  ERR_JWS_TYP: { description: 'The JWS typ does not name the expected message type.', attributable: false, retryable: false },
  ERR_JWS_KID: { description: 'The JWS kid is missing or is not a JWK thumbprint.', attributable: false, retryable: false },
  ERR_JWS_HEADER_FORBIDDEN: {
    description: 'The JWS header carries a member the protocol forbids (keys come from the directory).',
    attributable: false,
    retryable: false,
  },
  ERR_KEY_UNKNOWN: { description: 'The signing key is not in the directory.', attributable: false, retryable: true },
  ERR_KEY_REVOKED: { description: 'The signing key has been revoked.', attributable: false, retryable: false },
  ERR_SIGNATURE_INVALID: { description: 'The signature does not verify.', attributable: false, retryable: false },
  ERR_PAYLOAD_MALFORMED: {
    description: 'The payload is not strict JSON (duplicate or prototype keys, bad encoding).',
    attributable: true,
    retryable: false,
  },
  ERR_VERSION_UNSUPPORTED: { description: 'The message version is not supported.', attributable: true, retryable: false },
  ERR_SCHEMA: { description: 'The message does not match its schema.', attributable: true, retryable: false },
  ERR_IP_UNROUTABLE: { description: 'The IP address is in a range that cannot be located abroad.', attributable: true, retryable: false },
  ERR_KEY_NOT_OWNER: { description: 'The signing key does not belong to the country in "from".', attributable: true, retryable: false },
  ERR_KEY_NOT_VALID_AT_IAT: { description: 'The signing key was not valid at the message time.', attributable: true, retryable: false },
  ERR_WRONG_RECIPIENT: { description: 'The message is addressed to another country.', attributable: true, retryable: false },
  ERR_EXPIRED: { description: 'The message has expired.', attributable: true, retryable: false },
  ERR_IAT_FUTURE: {
    description: 'The message is dated in the future beyond the clock-skew allowance.',
    attributable: true,
    retryable: true,
  },
  ERR_REPLAY: { description: 'A message with this id was already received with other bytes.', attributable: true, retryable: false },
  ERR_STATUS_ORDER: {
    description:
      "The status does not follow from the referral's earlier statuses (states only move forward; closed and declined are final).",
    attributable: true,
    retryable: false,
  },
  ERR_DIRECTORY_ANCHOR: { description: 'The directory is not signed by the pinned trust anchor.', attributable: false, retryable: false },
  ERR_DIRECTORY_STALE: { description: 'The directory serial is older than the one already held.', attributable: false, retryable: false },
  ERR_DIRECTORY_EXPIRED: { description: 'The directory expired and its grace period is over.', attributable: false, retryable: true },
  ERR_DIRECTORY_INVALID: { description: 'The directory content is inconsistent.', attributable: false, retryable: false },
  ERR_KEY_INVALID: { description: 'The key material is not an Ed25519 key the protocol accepts.', attributable: false, retryable: false },
  ERR_SEAL_MISMATCH: {
    description: 'The delivery seal does not list as many envelopes as were delivered.',
    attributable: false,
    retryable: false,
  },
  ERR_SEAL_STALE: { description: 'The delivery seal is older than the clock-skew allowance.', attributable: false, retryable: false },
} as const satisfies Record<`ERR_${string}`, ErrorCodeRules>;

export type ErrorCode = keyof typeof ERROR_CODES;

export const errorCodes = Object.keys(ERROR_CODES) as ErrorCode[];

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_CODES, value);
}

/** Whether a rejection with this code (as a receipt carries it: any string, or none) is worth sending again. */
export function isRetryable(code: string | undefined): boolean {
  return isErrorCode(code) && ERROR_CODES[code].retryable;
}

export type ErrorDetails = Record<string, string | number | boolean | null>;

export class ProtocolError extends Error {
  readonly code: ErrorCode;
  readonly details: ErrorDetails;

  constructor(code: ErrorCode, message?: string, details: ErrorDetails = {}) {
    super(message ?? ERROR_CODES[code].description);
    this.name = 'ProtocolError';
    this.code = code;
    this.details = details;
  }

  toJSON(): { code: ErrorCode; message: string; details: ErrorDetails } {
    return { code: this.code, message: this.message, details: this.details };
  }
}
