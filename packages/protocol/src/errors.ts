/**
 * The protocol's one error class and its stable codes.
 * Codes are part of the wire contract (receipts carry them): never rename one, only add.
 */

export const ERROR_CODES = {
  ERR_JWS_TOO_LARGE: 'The JWS is larger than the protocol allows (16 KiB).',
  ERR_JWS_MALFORMED: 'The JWS is not three strict base64url segments with a JSON header.',
  ERR_JWS_ALG: 'The JWS algorithm is not EdDSA.',
  ERR_JWS_TYP: 'The JWS typ does not name the expected message type.',
  ERR_JWS_KID: 'The JWS kid is missing or is not a JWK thumbprint.',
  ERR_JWS_HEADER_FORBIDDEN: 'The JWS header carries a member the protocol forbids (keys come from the directory).',
  ERR_KEY_UNKNOWN: 'The signing key is not in the directory.',
  ERR_KEY_REVOKED: 'The signing key has been revoked.',
  ERR_SIGNATURE_INVALID: 'The signature does not verify.',
  ERR_PAYLOAD_MALFORMED: 'The payload is not strict JSON (duplicate or prototype keys, bad encoding).',
  ERR_VERSION_UNSUPPORTED: 'The message version is not supported.',
  ERR_SCHEMA: 'The message does not match its schema.',
  ERR_IP_UNROUTABLE: 'The IP address is in a range that cannot be located abroad.',
  ERR_KEY_NOT_OWNER: 'The signing key does not belong to the country in "from".',
  ERR_KEY_NOT_VALID_AT_IAT: 'The signing key was not valid at the message time.',
  ERR_WRONG_RECIPIENT: 'The message is addressed to another country.',
  ERR_EXPIRED: 'The message has expired.',
  ERR_IAT_FUTURE: 'The message is dated in the future beyond the clock-skew allowance.',
  ERR_REPLAY: 'A message with this id was already received with other bytes.',
  ERR_DIRECTORY_ANCHOR: 'The directory is not signed by the pinned trust anchor.',
  ERR_DIRECTORY_STALE: 'The directory serial is older than the one already held.',
  ERR_DIRECTORY_EXPIRED: 'The directory expired and its grace period is over.',
  ERR_DIRECTORY_INVALID: 'The directory content is inconsistent.',
  ERR_KEY_INVALID: 'The key material is not an Ed25519 key the protocol accepts.',
  ERR_SEAL_MISMATCH: 'The delivery seal does not list as many envelopes as were delivered.',
  ERR_SEAL_STALE: 'The delivery seal is older than the clock-skew allowance.',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export const errorCodes = Object.keys(ERROR_CODES) as ErrorCode[];

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_CODES, value);
}

export type ErrorDetails = Record<string, string | number | boolean | null>;

export class ProtocolError extends Error {
  readonly code: ErrorCode;
  readonly details: ErrorDetails;

  constructor(code: ErrorCode, message?: string, details: ErrorDetails = {}) {
    super(message ?? ERROR_CODES[code]);
    this.name = 'ProtocolError';
    this.code = code;
    this.details = details;
  }

  toJSON(): { code: ErrorCode; message: string; details: ErrorDetails } {
    return { code: this.code, message: this.message, details: this.details };
  }
}
