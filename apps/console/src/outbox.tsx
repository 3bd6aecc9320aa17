/**
 * A national bureau's outgoing side: every referral sent with each copy's delivery, receipt and next
 * attempt (officers, auditors), and the delivery problems (rejected or dead-lettered messages) that an
 * administrator may put back in the queue. Retrying is the node's decision to make (bureau.outbox.retry);
 * this page never edits a delivery itself.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { format, type Strings } from './i18n';
import { ErrorNote, LIVE, useSession } from './session';
import { span, useNow, utcMinute } from './time';

/** One copy of a referral on its way to one peer, as bureau.referrals.list reports it. */
interface Delivery {
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
export function describeDelivery(d: Delivery, t: Strings, now: number): { state: string; details: string[] } {
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
  if (d.state === 'delivered') details.push(format(o.receiptAccepted, { time: d.deliveredAt ? utcMinute(d.deliveredAt / 1000) : '–' }));
  else if (d.state === 'rejected') details.push(format(o.receiptRejected, { code: d.rejectedCode ?? '?' }));
  else details.push(o.noReceipt);
  if ((d.state === 'queued' || d.state === 'retrying') && d.nextAttemptAt !== null) {
    const left = d.nextAttemptAt - now;
    details.push(left > 0 ? format(o.nextAttempt, { time: span(left) }) : o.nextAttemptNow);
  }
  if ((d.state === 'retrying' || d.state === 'dead') && d.lastError) details.push(format(o.lastError, { error: d.lastError }));
  return { state, details };
}

export function OutboxPage() {
  const { client, t } = useSession();
  const list = useQuery({ queryKey: ['outbox'], queryFn: () => client.bureau.referrals.list.query({ limit: 500 }), ...LIVE });
  const now = useNow();
  return (
    <>
      <h1>{t.outbox.title}</h1>
      <ErrorNote error={list.error} />
      {list.data?.length === 0 ? <p>{t.empty}</p> : null}
      <div className="scroll-x">
        <table>
          <thead>
            <tr>
              <th scope="col">{t.referrals.columns.to}</th>
              <th scope="col">{t.referrals.columns.ip}</th>
              <th scope="col">{t.referrals.columns.action}</th>
              <th scope="col">{t.outbox.delivery}</th>
              <th scope="col">{t.referrals.columns.state}</th>
            </tr>
          </thead>
          <tbody>
            {(list.data ?? []).map((r) => (
              <tr key={r.id} data-referral={r.id}>
                <td>{r.to}</td>
                <td className="mono">{r.ip}</td>
                <td>{t.actions[r.action as keyof typeof t.actions] ?? r.action}</td>
                <td>
                  <ul className="deliveries">
                    {(r.delivery as Array<Record<string, unknown>>).map(toDelivery).map((d) => {
                      const words = describeDelivery(d, t, now);
                      return (
                        <li key={d.peer} data-peer={d.peer} data-delivery={d.state}>
                          <strong className={d.state === 'dead' || d.state === 'rejected' ? 'warn' : ''}>
                            {d.peer}: {words.state}
                          </strong>
                          {words.details.map((w) => (
                            <span key={w}> · {w}</span>
                          ))}
                          {d.state === 'dead' ? <span className="help"> · {t.outbox.deadHelp}</span> : null}
                        </li>
                      );
                    })}
                  </ul>
                </td>
                <td>{r.state ? (t.states[r.state as keyof typeof t.states] ?? r.state) : t.states.sent}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}

export function ProblemsPage() {
  const { client, t, me } = useSession();
  const qc = useQueryClient();
  const problems = useQuery({ queryKey: ['outbox-problems'], queryFn: () => client.bureau.outbox.problems.query({ limit: 500 }), ...LIVE });
  const retry = useMutation({
    mutationFn: (id: number) => client.bureau.outbox.retry.mutate({ id }),
    onSuccess: () => qc.invalidateQueries(),
  });
  const admin = me.role === 'admin';
  const p = t.problems;
  return (
    <>
      <h1>{p.title}</h1>
      <p className="help">{p.help}</p>
      {admin ? null : <p>{p.adminOnly}</p>}
      <ErrorNote error={problems.error ?? retry.error} />
      {retry.isSuccess ? <p role="status">{format(p.retried, { id: retry.variables })}</p> : null}
      {problems.data?.length === 0 ? <p>{t.empty}</p> : null}
      <div className="scroll-x">
        <table>
          <thead>
            <tr>
              <th scope="col">{p.message}</th>
              <th scope="col">{p.peer}</th>
              <th scope="col">{p.state}</th>
              <th scope="col">{p.attempts}</th>
              <th scope="col">{p.problem}</th>
              <th scope="col">{p.created}</th>
              {admin ? (
                <th scope="col">
                  <span className="sr-only">{p.retry}</span>
                </th>
              ) : null}
            </tr>
          </thead>
          <tbody>
            {(problems.data ?? []).map((m) => (
              <tr key={m.id} data-outbox={m.id}>
                <td>
                  {m.kind} <span className="mono">{m.message_id}</span>
                </td>
                <td>{m.peer}</td>
                <td className="warn">{m.state === 'dead' ? p.dead : p.rejected}</td>
                <td>{Number(m.attempts)}</td>
                <td>
                  {m.state === 'rejected' ? format(t.outbox.receiptRejected, { code: m.receipt_code ?? '?' }) : (m.last_error ?? '–')}
                </td>
                <td>{utcMinute(Number(m.created_at) / 1000)}</td>
                {admin ? (
                  <td>
                    <button
                      type="button"
                      onClick={() => retry.mutate(Number(m.id))}
                      disabled={retry.isPending}
                      aria-label={`${p.retry} ${m.kind} → ${m.peer}`}
                    >
                      {p.retry}
                    </button>
                  </td>
                ) : null}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
