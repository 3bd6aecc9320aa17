/**
 * Human renderings for the CLI's read commands: times, outcomes, delivery states, signed receipts, and
 * any record whose shape may change (clusters). Pure functions of what the domain returned; --json
 * output never goes through here, so nothing a script reads is reformatted.
 */
import { LIAISON_PARTY } from '@firstlight/protocol';
import { receiptVerdict } from '../receipts/stored.js';

/** Milliseconds since the epoch as ISO 8601 UTC without milliseconds; '' for none. */
export function timeMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '';
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Seconds since the epoch (JWT NumericDate) the same way. */
export const timeS = (s: number | null | undefined): string => (s === null || s === undefined ? '' : timeMs(s * 1000));

const OUTCOME_LABELS: Record<string, string> = {
  suspectsIdentified: 'suspects',
  arrests: 'arrests',
  premisesSearched: 'premises',
  callCentresDismantled: 'call centres',
};

/** "12 suspects, 9 arrests, 1 premises, 1 call centres"; '' for no outcome. */
export function outcomeText(outcome: Record<string, number> | null | undefined): string {
  if (!outcome) return '';
  return Object.entries(outcome)
    .map(([key, n]) => `${n} ${OUTCOME_LABELS[key] ?? key}`)
    .join(', ');
}

/** A stored receipt's verdict in words ("accepted by KH 2015-06-01T10:00:05Z", "rejected ERR_…"). */
export function receiptText(jws: unknown, index: unknown = null): string {
  if (typeof jws !== 'string') return '';
  const r = receiptVerdict({ jws, index: typeof index === 'number' ? index : null });
  if (!r) return 'unreadable receipt';
  return `${r.verdict}${r.code ? ` ${r.code}` : ''} by ${r.from} ${timeS(r.iat)}`;
}

interface Delivery {
  peer?: unknown;
  state?: unknown;
  attempts?: unknown;
  nextAttemptAt?: unknown;
  rejectedCode?: unknown;
  lastError?: unknown;
}

/** One copy's delivery in a few words: delivered, rejected with its code, retrying with the next attempt, dead-lettered. */
export function deliveryText(d: Delivery | undefined): string {
  if (!d) return '';
  switch (d.state) {
    case 'delivered':
      return 'delivered, accepted';
    case 'rejected':
      return `rejected ${String(d.rejectedCode ?? '')}`.trim();
    case 'retrying':
      return `retrying (attempt ${String(d.attempts)}, next ${timeMs(Number(d.nextAttemptAt))})`;
    case 'dead':
      return 'dead-lettered';
    default:
      return String(d.state ?? '');
  }
}

/** The copy for the recipient country and the liaison office's copy of a sent message. */
export function deliveries(rows: Delivery[], to: string) {
  return { recipient: rows.find((d) => d.peer === to), liaison: rows.find((d) => d.peer === LIAISON_PARTY) };
}

/**
 * A value of unknown shape on one line: lists joined, records as key=value, a list of records as its
 * records' values ("ip 1.2.3.4 2; network 1.2.3.0/24 3"), so a field added later still shows.
 */
export function anyText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) {
    const parts = value.map((v) =>
      v !== null && typeof v === 'object' && !Array.isArray(v) ? Object.values(v).map(anyText).join(' ') : anyText(v),
    );
    return parts.join(value.some((v) => v !== null && typeof v === 'object') ? '; ' : ', ');
  }
  if (typeof value === 'object')
    return Object.entries(value)
      .map(([k, v]) => `${k}=${anyText(v)}`)
      .join(' ');
  return String(value);
}

/** Counts by key as "located 2, closed 1". */
export const countsText = (counts: Record<string, number>): string =>
  Object.entries(counts)
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');
