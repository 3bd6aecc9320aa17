/**
 * Where a held directory stands at a given moment: valid, expiring soon, stale (past expiresAt, within
 * the grace period: still used, but reported) or expired (grace over: no longer trusted, PROTOCOL §3.1).
 * Pure: the caller passes the time from its injected clock; this never reads the system clock.
 */
import { type Directory, ProtocolError } from '@firstlight/protocol';

/** A directory this close to its expiresAt is flagged, so the liaison office publishes in time. */
export const DIRECTORY_EXPIRY_WARNING_SECONDS = 7 * 24 * 3600;

export type DirectoryState = 'none' | 'valid' | 'expiring' | 'stale' | 'expired';

export interface DirectoryStanding {
  state: DirectoryState;
  serial: number | null;
  issuedAt: number | null;
  expiresAt: number | null;
  /** expiresAt + grace: from this second on the directory is no longer trusted. */
  graceEndsAt: number | null;
  /** Whether messages may be verified and sent with it (every state but none and expired). */
  usable: boolean;
  /** What an operator should know, in words. */
  message: string;
}

export function directoryStanding(directory: Directory | null, graceSeconds: number, nowSeconds: number): DirectoryStanding {
  if (!directory)
    return {
      state: 'none',
      serial: null,
      issuedAt: null,
      expiresAt: null,
      graceEndsAt: null,
      usable: false,
      message: 'no directory held yet: the node fetches it from the liaison office',
    };
  const { serial, issuedAt, expiresAt } = directory;
  const graceEndsAt = expiresAt + graceSeconds;
  const base = { serial, issuedAt, expiresAt, graceEndsAt };
  if (nowSeconds >= graceEndsAt)
    return { ...base, state: 'expired', usable: false, message: directoryExpiredError(directory, graceSeconds).message };
  if (nowSeconds >= expiresAt)
    return {
      ...base,
      state: 'stale',
      usable: true,
      message: `directory serial ${serial} expired at ${iso(expiresAt)}; it is still used until its grace period ends at ${iso(graceEndsAt)}: ask the liaison office to publish`,
    };
  if (expiresAt - nowSeconds <= DIRECTORY_EXPIRY_WARNING_SECONDS)
    return {
      ...base,
      state: 'expiring',
      usable: true,
      message: `directory serial ${serial} expires at ${iso(expiresAt)}: the liaison office should publish before then`,
    };
  return { ...base, state: 'valid', usable: true, message: `directory serial ${serial} is valid until ${iso(expiresAt)}` };
}

/** The protocol's refusal of a directory whose grace period is over. */
export function directoryExpiredError(directory: Directory, graceSeconds: number): ProtocolError {
  return new ProtocolError(
    'ERR_DIRECTORY_EXPIRED',
    `directory serial ${directory.serial} expired at ${iso(directory.expiresAt)} and its ${graceSeconds}s grace period is over: ask the liaison office to publish`,
    { serial: directory.serial, expiresAt: directory.expiresAt },
  );
}

const iso = (s: number) => new Date(s * 1000).toISOString();
