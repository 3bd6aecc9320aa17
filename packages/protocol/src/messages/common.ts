/** Building blocks shared by every wire message. Pure zod: safe to import in a browser. */
import { z } from 'zod';
import { isCountryCode } from '../countries.js';
import { ACTIONS, URGENCIES } from '../enums.js';
import { checkIp } from '../ip.js';

export const PROTOCOL_VERSION = 1;

export const version = z.literal(PROTOCOL_VERSION);

export const messageId = z.uuid({ version: 'v7', error: 'must be a UUIDv7' });

export const countryCode = z.string().length(2).refine(isCountryCode, { error: 'must be an ISO 3166-1 alpha-2 code of a real country' });

/**
 * The liaison office is not a country: it is addressed by this reserved party code, which can never
 * collide with an ISO 3166-1 code (so the liaison office can sit in Bangkok while Thailand is a member).
 */
export const LIAISON_PARTY = 'LIAISON';

/** A party to the federation: a member country, or the liaison office. */
export const partyCode = z.union([countryCode, z.literal(LIAISON_PARTY)]);

/** Seconds since the epoch (JWT NumericDate), whole, within a sane window (2000–2100). */
export const numericDate = z.int().min(946_684_800).max(4_102_444_800);

export const utcTimestamp = z.iso.datetime({ offset: false, local: false, error: 'must be an RFC 3339 UTC time ending in Z' });

export const isoDate = z.iso.date();

export const evidenceDigest = z.string().regex(/^sha256:[0-9a-f]{64}$/, {
  error: 'must be sha256: followed by 64 lowercase hex digits',
});

export const slug = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, { error: 'must be a lowercase slug (a-z, 0-9, single dashes)' });

/** A routable IP in its canonical text form. Unroutable ranges fail with the message "unroutable:<range>". */
export const routableIp = z.string().superRefine((value, ctx) => {
  const result = checkIp(value);
  if (!result.ok && result.reason === 'invalid') {
    ctx.addIssue({ code: 'custom', message: 'must be an IPv4 or IPv6 address' });
  } else if (!result.ok) {
    ctx.addIssue({ code: 'custom', message: `unroutable:${result.range}`, params: { range: result.range } });
  } else if (result.canonical !== value) {
    ctx.addIssue({ code: 'custom', message: `must be written canonically as ${result.canonical}` });
  }
});

export { ACTIONS, URGENCIES };
export const action = z.enum(ACTIONS);
export const urgency = z.enum(URGENCIES);

export const MESSAGE_TYPES = [
  'referral',
  'receipt',
  'receiptBatch',
  'seal',
  'status',
  'keySubmission',
  'tlsPinSubmission',
  'directory',
] as const;
export type MessageType = (typeof MESSAGE_TYPES)[number];

export const JWS_TYP: Record<MessageType, string> = {
  referral: 'firstlight-referral+jws',
  receipt: 'firstlight-receipt+jws',
  receiptBatch: 'firstlight-receipt-batch+jws',
  seal: 'firstlight-seal+jws',
  status: 'firstlight-status+jws',
  keySubmission: 'firstlight-key-submission+jws',
  tlsPinSubmission: 'firstlight-tls-pin-submission+jws',
  directory: 'firstlight-directory+jws',
};

/**
 * Whether a list names an item twice. For the schemas' short lists (at most 16 evidence digests, 4 TLS
 * pins, bounded before a refinement runs): compared pairwise, with no Set built per message.
 */
export function repeats(list: readonly string[]): boolean {
  for (let i = 1; i < list.length; i++) for (let j = 0; j < i; j++) if (list[i] === list[j]) return true;
  return false;
}
