/**
 * One referral's signed history at the liaison office (#/history/ID): the referral and each status its
 * recipient signed, each with the receipts that answered it folded beneath, times to the second, in
 * the reader's language (built from the signed payloads, not the server's English summaries).
 */
import { useQuery } from '@tanstack/react-query';
import { CaseHeading } from '../components/CaseHeading';
import { OutcomeText } from '../components/Outcome';
import { codeWithMeaning } from '../lib/errors';
import { format, partyName, type Strings, word } from '../lib/i18n';
import { ErrorNote, LIVE, useSession } from '../lib/session';
import type { PageDef } from './page';

type Event = {
  type: 'referral' | 'receipt' | 'status';
  ref: string;
  at: number;
  signer: string;
  kid: string;
  digest: string;
  message: unknown;
};

const field = (m: unknown, k: string): unknown => (typeof m === 'object' && m !== null ? (m as Record<string, unknown>)[k] : undefined);
const text = (v: unknown): string => (typeof v === 'string' ? v : '');

/** Messages in order, each with the receipts that answered it. */
export function groupHistory(events: Event[]): Array<{ event: Event; receipts: Event[] }> {
  const groups = events.filter((e) => e.type !== 'receipt').map((event) => ({ event, receipts: [] as Event[] }));
  const byRef = new Map(groups.map((g) => [g.event.ref, g]));
  for (const e of events) if (e.type === 'receipt') byRef.get(e.ref)?.receipts.push(e);
  return groups;
}

function summary(e: Event, t: Strings, country: (c: string) => string): string {
  const m = e.message;
  if (e.type === 'referral')
    return format(t.history.referral, {
      from: country(text(field(m, 'from'))),
      to: country(text(field(m, 'to'))),
      action: word(t.actions, text(field(m, 'action'))),
      ip: text(field(m, 'ip')),
    });
  const state = text(field(m, 'state'));
  const reason = text(field(m, 'reason'));
  return `${country(e.signer)}: ${word(t.states, state)}${reason ? ` (${word(t.reasons, reason)})` : ''}`;
}

function History({ arg }: { arg: string | null }) {
  const { client, t, f } = useSession();
  const id = arg ?? '';
  const history = useQuery({ queryKey: ['history', id], queryFn: () => client.liaison.history.query({ id }), enabled: id !== '', ...LIVE });
  const groups = groupHistory((history.data?.events ?? []) as Event[]);
  return (
    <>
      <CaseHeading back="referrals" backLabel={t.history.back} title={t.referrals.history} id={id} headingId="history-title" />
      <ErrorNote error={history.error} />
      <ol className="events" aria-labelledby="history-title">
        {groups.map(({ event: e, receipts }) => {
          const outcome = field(e.message, 'outcome');
          return (
            <li key={e.digest} data-event={e.type}>
              <strong>{f.time(e.at)}</strong> {summary(e, t, f.country)}
              {outcome && typeof outcome === 'object' ? (
                <>
                  {' · '}
                  <OutcomeText outcome={outcome as Record<string, number>} />
                </>
              ) : null}{' '}
              <em>{format(t.referrals.signer, { party: f.country(e.signer) })}</em>
              <ul className="receipts">
                {receipts.map((r) => {
                  const verdict = text(field(r.message, 'verdict'));
                  const code = text(field(r.message, 'code'));
                  return (
                    <li key={r.digest} data-receipt={verdict}>
                      {f.time(r.at)} ·{' '}
                      {verdict === 'accepted'
                        ? format(t.history.accepted, { party: partyName(r.signer, t, f) })
                        : format(t.history.rejected, {
                            party: partyName(r.signer, t, f),
                            code: codeWithMeaning(code, t),
                          })}
                    </li>
                  );
                })}
              </ul>
              <details>
                <summary className="mono small">{e.digest}</summary>
                <pre>{JSON.stringify(e.message, null, 2)}</pre>
              </details>
            </li>
          );
        })}
      </ol>
    </>
  );
}

export const historyPage: PageDef = {
  id: 'history',
  label: (t) => t.referrals.history,
  roles: ['liaison.read'],
  nav: false,
  parent: 'referrals',
  Component: History,
};
