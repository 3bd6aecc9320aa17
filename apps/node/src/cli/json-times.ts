/**
 * One time format in every `--json` output: ISO 8601 UTC text to the second (2015-06-01T12:00:00Z),
 * the format `--seen-at` takes. The domain keeps its own units (NumericDate seconds in signed messages,
 * milliseconds in rows); each command names which of its fields are times and in which unit, and this
 * rewrites exactly those, at any depth. It never changes a field it was not told about.
 */
import { timeMs } from './view-format.js';

export type TimeUnits = Readonly<Record<string, 'ms' | 's'>>;

/** The times of referrals and statuses, wherever they are listed (inbox, referrals, referral show). */
export const MESSAGE_TIMES: TimeUnits = {
  iat: 's',
  exp: 's',
  createdAt: 'ms',
  receivedAt: 'ms',
  deadlineAt: 'ms',
  nextAttemptAt: 'ms',
  deliveredAt: 'ms',
};

/** A copy of value with the named number fields as ISO 8601 text; null stays null. */
export function jsonTimes(value: unknown, units: TimeUnits): unknown {
  if (Array.isArray(value)) return value.map((v) => jsonTimes(v, units));
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, v]) => {
      const unit = Object.hasOwn(units, key) ? units[key] : undefined;
      if (unit === undefined || v === null || v === undefined) return [key, jsonTimes(v, units)];
      const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v;
      if (typeof n !== 'number') return [key, v];
      return [key, timeMs(unit === 's' ? n * 1000 : n)];
    }),
  );
}
