/**
 * Storage failures told apart from bugs: a full disk, a read-only or failing device, on SQLite
 * (SQLITE_FULL, SQLITE_IOERR*, SQLITE_READONLY*), PostgreSQL (class 53 insufficient resources: 53100
 * disk_full; 58030 io_error) or the file system (ENOSPC, EDQUOT, EROFS, EIO). Nothing was stored when
 * one is raised (the transaction rolled back), so the caller may retry: the API answers them as the
 * retryable ERR_STORAGE (HTTP 503), never as "internal error".
 */

const SQLITE = /^SQLITE_(FULL|IOERR|READONLY)/;
const FILESYSTEM = new Set(['ENOSPC', 'EDQUOT', 'EROFS', 'EIO']);
const POSTGRES = new Set(['53100', '58030']);

/** What kind of storage failure `error` (or any error in its cause chain) is, or null when it is none. */
export function storageFailure(error: unknown): string | null {
  for (let e = error, depth = 0; e && typeof e === 'object' && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code !== 'string') continue;
    if (SQLITE.test(code) || FILESYSTEM.has(code) || POSTGRES.has(code)) return code;
  }
  return null;
}
