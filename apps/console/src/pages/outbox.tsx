/**
 * Referrals this bureau sent, newest first: where each went, the recipient's latest signed state and
 * outcome (suspects, arrests, premises, call centres), and each copy's delivery. A row opens the
 * referral's page (#/sent/ID) with the recipient's whole history.
 */
import { useQuery } from '@tanstack/react-query';
import { Deliveries } from '../components/Deliveries';
import { OutcomeText } from '../components/Outcome';
import { Table } from '../components/Table';
import { sentState, word } from '../lib/i18n';
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
      <Table
        columns={[
          t.referrals.columns.date,
          t.referrals.columns.to,
          t.referrals.columns.ip,
          t.referrals.columns.action,
          t.referrals.columns.state,
          t.case.outcome,
          t.outbox.delivery,
        ]}
      >
        {(list.data ?? []).map((r) => (
          <tr key={r.id} data-referral={r.id}>
            <td>
              <a href={href('sent', r.id)}>{f.time(r.iat)}</a>
            </td>
            <td>{f.country(r.to)}</td>
            <td className="mono">{r.ip}</td>
            <td>{word(t.actions, r.action)}</td>
            <td data-state={r.state ?? 'sent'}>{sentState(t, r.state)}</td>
            <td>
              <OutcomeText outcome={r.outcome} />
            </td>
            <td>
              <Deliveries delivery={r.delivery as Array<Record<string, unknown>>} />
            </td>
          </tr>
        ))}
      </Table>
    </>
  );
}

export const outboxPage: PageDef = { id: 'outbox', label: (t) => t.nav.outbox, roles: ['bureau.read'], nav: true, Component: Outbox };
