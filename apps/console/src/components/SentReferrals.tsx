/**
 * Referrals this bureau sent, as a table: when (opening the referral's page), to whom, which IP, the
 * recipient's latest signed state and outcome. The outbox adds the action asked and each copy's delivery;
 * a complaint's page lists its own referrals without them. It only renders the rows it is given.
 */
import type { Client } from '../lib/api';
import { sentState, word } from '../lib/i18n';
import { href } from '../lib/router';
import { useSession } from '../lib/session';
import { Deliveries } from './Deliveries';
import { OutcomeText } from './Outcome';
import { Table } from './Table';

type SentReferral = Awaited<ReturnType<Client['bureau']['referrals']['list']['query']>>[number];

export function SentReferrals({ referrals, outbox = false }: { referrals: SentReferral[]; outbox?: boolean }) {
  const { t, f } = useSession();
  return (
    <Table
      columns={[
        t.referrals.columns.date,
        t.referrals.columns.to,
        t.referrals.columns.ip,
        outbox && t.referrals.columns.action,
        t.referrals.columns.state,
        t.case.outcome,
        outbox && t.outbox.delivery,
      ]}
    >
      {referrals.map((r) => (
        <tr key={r.id} data-referral={r.id}>
          <td>
            <a href={href('sent', r.id)}>{f.time(r.iat)}</a>
          </td>
          <td>{f.country(r.to)}</td>
          <td className="mono">{r.ip}</td>
          {outbox ? <td>{word(t.actions, r.action)}</td> : null}
          <td data-state={r.state ?? 'sent'}>{sentState(t, r.state)}</td>
          <td>
            <OutcomeText outcome={r.outcome} />
          </td>
          {outbox ? (
            <td>
              <Deliveries delivery={r.delivery as Array<Record<string, unknown>>} />
            </td>
          ) : null}
        </tr>
      ))}
    </Table>
  );
}
