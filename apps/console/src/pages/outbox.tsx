/**
 * Referrals this bureau sent, newest first: where each went, the recipient's latest signed state and
 * outcome (suspects, arrests, premises, call centres), and each copy's delivery. A row opens the
 * referral's page (#/sent/ID) with the recipient's whole history.
 */
import { useQuery } from '@tanstack/react-query';
import { Deliveries } from '../components/Deliveries';
import { OutcomeText } from '../components/Outcome';
import { href } from '../lib/router';
import { ErrorNote, LIVE, useSession } from '../lib/session';
import type { PageDef } from './page';

function Outbox() {
  const { client, t, f } = useSession();
  const list = useQuery({ queryKey: ['outbox'], queryFn: () => client.bureau.referrals.list.query({ limit: 500 }), ...LIVE });
  return (
    <>
      <h1>{t.outbox.title}</h1>
      <ErrorNote error={list.error} />
      {list.data?.length === 0 ? <p>{t.empty}</p> : null}
      <div className="scroll-x">
        <table>
          <thead>
            <tr>
              <th scope="col">{t.referrals.columns.date}</th>
              <th scope="col">{t.referrals.columns.to}</th>
              <th scope="col">{t.referrals.columns.ip}</th>
              <th scope="col">{t.referrals.columns.action}</th>
              <th scope="col">{t.referrals.columns.state}</th>
              <th scope="col">{t.case.outcome}</th>
              <th scope="col">{t.outbox.delivery}</th>
            </tr>
          </thead>
          <tbody>
            {(list.data ?? []).map((r) => (
              <tr key={r.id} data-referral={r.id}>
                <td>
                  <a href={href('sent', r.id)}>{f.time(r.iat)}</a>
                </td>
                <td>{f.country(r.to)}</td>
                <td className="mono">{r.ip}</td>
                <td>{t.actions[r.action as keyof typeof t.actions] ?? r.action}</td>
                <td data-state={r.state ?? 'sent'}>{r.state ? (t.states[r.state as keyof typeof t.states] ?? r.state) : t.states.sent}</td>
                <td>
                  <OutcomeText outcome={r.outcome} />
                </td>
                <td>
                  <Deliveries delivery={r.delivery as Array<Record<string, unknown>>} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}

export const outboxPage: PageDef = { id: 'outbox', label: (t) => t.nav.outbox, roles: ['bureau.read'], nav: true, Component: Outbox };
