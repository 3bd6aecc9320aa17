/**
 * The node's one error class. Codes are stable (clients and scripts match on them); messages tell a
 * person what to do. The tRPC edge maps codes to HTTP statuses in api/trpc.ts, nowhere else.
 */
export const NODE_ERROR_CODES = [
  'ERR_INPUT',
  'ERR_UNAUTHORIZED',
  'ERR_FORBIDDEN',
  'ERR_NOT_FOUND',
  'ERR_CONFLICT',
  /** A status that does not follow the referral's current state (PROTOCOL.md §2.2.1: forward only, closed and declined final). */
  'ERR_STATUS_ORDER',
  'ERR_TOO_LARGE',
  'ERR_IP_INVALID',
  'ERR_IP_UNROUTABLE',
  'ERR_IP_DOMESTIC',
  'ERR_IP_UNKNOWN_COUNTRY',
  'ERR_NOT_A_MEMBER',
  'ERR_NO_DIRECTORY',
  'ERR_WRONG_ROLE',
  /** A read of personal data without a purpose (a case reference): refused, nothing read. */
  'ERR_PURPOSE_REQUIRED',
  /** The personal data asked for was erased; its tombstone says when, by whom and why. */
  'ERR_ERASED',
  /** The node cannot write to its storage (disk full, read-only or failing device): nothing was stored; retry later. */
  'ERR_STORAGE',
  'ERR_CONFIG',
  'ERR_INTERNAL',
] as const;

export type NodeErrorCode = (typeof NODE_ERROR_CODES)[number];

export class NodeError extends Error {
  readonly code: NodeErrorCode;
  readonly details: Record<string, unknown>;

  constructor(code: NodeErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.name = 'NodeError';
    this.code = code;
    this.details = details;
  }
}
