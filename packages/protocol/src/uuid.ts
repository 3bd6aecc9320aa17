/** UUIDv7 (RFC 9562): time-ordered ids for messages. Clock and randomness are injectable. */
import { randomFillSync } from 'node:crypto';

// Entropy drawn 4 KiB at a time: one system call per 256 ids rather than one each.
const pool = Buffer.alloc(4096);
let offset = pool.length;

function pooledRandom(bytes: Uint8Array): void {
  if (offset + bytes.length > pool.length) {
    randomFillSync(pool);
    offset = 0;
  }
  bytes.set(pool.subarray(offset, offset + bytes.length));
  // Never hand out the same bytes twice.
  pool.fill(0, offset, offset + bytes.length);
  offset += bytes.length;
}

export function uuidv7(nowMs: number = Date.now(), random: (bytes: Uint8Array) => void = pooledRandom): string {
  const bytes = Buffer.alloc(16);
  random(bytes);
  // 48-bit big-endian milliseconds (exact for any date before the year 10889).
  const ms = Math.min(2 ** 48 - 1, Math.max(0, Math.floor(nowMs)));
  bytes.writeUIntBE(ms, 0, 6);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x70;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
