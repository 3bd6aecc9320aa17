/**
 * One sent message's copies, one per peer, as words: delivered with its receipt, retrying, rejected
 * with the peer's code, or dead-lettered. Reads the API's loosely typed delivery rows once, here.
 */
import { codeWithMeaning } from '../lib/errors';
import { format, partyName, type Strings } from '../lib/i18n';
import { useSession } from '../lib/session';
import { span, useNow } from '../lib/time';

/** One copy of a referral on its way to one peer, as bureau.referrals.list reports it. */
export interface Delivery {
  peer: string;
  state: string;
  attempts: number;
  nextAttemptAt: number | null;
  lastError: string | null;
  rejectedCode: string | null;
  deliveredAt: number | null;
}

const num = (v: unknown): number | null =>
  v === null || v === undefined || v === '' ? null : Number.isFinite(Number(v)) ? Number(v) : null;
const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

/** The API types a delivery as a record of unknowns; read each field once, here. */
export function toDelivery(d: Record<string, unknown>): Delivery {
  return {
    peer: String(d.peer ?? '?'),
    state: String(d.state ?? 'queued'),
    attempts: num(d.attempts) ?? 0,
    nextAttemptAt: num(d.nextAttemptAt),
    lastError: str(d.lastError),
    rejectedCode: str(d.rejectedCode),
    deliveredAt: num(d.deliveredAt),
  };
}

/** The words for one delivery: its state, its receipt, when it is tried next, and why it failed. */
export function describeDelivery(
  d: Delivery,
  t: Strings,
  now: number,
  time: (seconds: number) => string = (s) => new Date(s * 1000).toISOString(),
): { state: string; details: string[] } {
  const o = t.outbox;
  const state =
    d.state === 'delivered'
      ? o.delivered
      : d.state === 'retrying'
        ? format(o.retrying, { attempts: d.attempts })
        : d.state === 'rejected'
          ? o.rejected
          : d.state === 'dead'
            ? format(o.dead, { attempts: d.attempts })
            : o.queued;
  const details: string[] = [];
  if (d.state === 'delivered') details.push(format(o.receiptAccepted, { time: d.deliveredAt ? time(d.deliveredAt / 1000) : '–' }));
  else if (d.state === 'rejected') {
    const code = d.rejectedCode ?? '?';
    details.push(format(o.receiptRejected, { code: codeWithMeaning(code, t) }));
  } else details.push(o.noReceipt);
  if ((d.state === 'queued' || d.state === 'retrying') && d.nextAttemptAt !== null) {
    const left = d.nextAttemptAt - now;
    details.push(left > 0 ? format(o.nextAttempt, { time: span(left, t.units) }) : o.nextAttemptNow);
  }
  if ((d.state === 'retrying' || d.state === 'dead') && d.lastError) details.push(format(o.lastError, { error: d.lastError }));
  return { state, details };
}

export function Deliveries({ delivery }: { delivery: Array<Record<string, unknown>> }) {
  const { t, f } = useSession();
  const now = useNow();
  return (
    <ul className="deliveries">
      {delivery.map(toDelivery).map((d) => {
        const words = describeDelivery(d, t, now, f.time);
        return (
          <li key={d.peer} data-peer={d.peer} data-delivery={d.state}>
            <strong className={d.state === 'dead' || d.state === 'rejected' ? 'warn' : ''}>
              {partyName(d.peer, t, f)}: {words.state}
            </strong>
            {words.details.map((w) => (
              <span key={w}> · {w}</span>
            ))}
            {d.state === 'dead' ? <span className="help"> · {t.outbox.deadHelp}</span> : null}
          </li>
        );
      })}
    </ul>
  );
}
