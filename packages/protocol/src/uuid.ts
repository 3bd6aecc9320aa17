/** UUIDv7 (RFC 9562): time-ordered ids for messages. Clock and randomness are injectable. */
import { randomFillSync } from 'node:crypto';

export function uuidv7(nowMs: number = Date.now(), random: (bytes: Uint8Array) => void = randomFillSync): string {
  const bytes = new Uint8Array(16);
  random(bytes);
  const ms = BigInt(Math.max(0, Math.floor(nowMs)));
  for (let i = 0; i < 6; i++) bytes[i] = Number((ms >> BigInt(8 * (5 - i))) & 0xffn);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x70;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = Buffer.from(bytes).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
