/**
 * One referral this bureau received, at its own URL (#/received/ID): every field, the signed history,
 * and the statuses the server says may be signed next (bureau.inbox.get's `next`). Only a token that
 * passes the server's bureau.act rule sees the action buttons.
 */
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { CaseHeading } from '../components/CaseHeading';
import { Fields, OutcomeText } from '../components/Outcome';
import { ReferralHistory, signedReferralRows } from '../components/ReferralCase';
import { Signed } from '../components/StatusEvent';
import { StatusForm } from '../components/StatusForm';
import { format, word } from '../lib/i18n';
import { ErrorNote, LIVE, useSession } from '../lib/session';
import { span, useNow } from '../lib/time';
import type { PageDef } from './page';

type Next = 'acknowledged' | 'in_progress' | 'located' | 'action_taken' | 'closed' | 'declined';

function Received({ arg }: { arg: string | null }) {
  const { client, t, f, me } = useSession();
  const id = arg ?? '';
  const referral = useQuery({
    queryKey: ['received', id],
    queryFn: () => client.bureau.inbox.get.query({ id }),
    enabled: id !== '',
    ...LIVE,
  });
  const [acting, setActing] = useState<Next | null>(null);
  const now = useNow();
  const r = referral.data;
  const mayAct = me.access.includes('bureau.act');
  const settled = r ? ['action_taken', 'declined', 'closed'].includes(r.state) : false;
  return (
    <>
      <CaseHeading back="inbox" backLabel={t.case.backToInbox} title={t.case.receivedTitle} id={id} />
      <ErrorNote error={referral.error} />
      {r ? (
        <>
          <p className="state-line">
            <strong data-state={r.state}>{word(t.states, r.state)}</strong>
            {settled ? null : (
              <span className={r.deadlineAt < now ? 'warn' : ''}>
                {' · '}
                {r.deadlineAt < now
                  ? format(t.inbox.overdue, { time: span(r.deadlineAt - now, t.units) })
                  : format(t.inbox.dueIn, { time: span(r.deadlineAt - now, t.units) })}
              </span>
            )}
          </p>
          {mayAct && r.next.length > 0 ? (
            <section aria-labelledby="actions-title">
              <h2 id="actions-title">{t.case.actions}</h2>
              <div className="buttons">
                {r.next.map((s) => (
                  <button key={s} type="button" onClick={() => setActing(s)} aria-pressed={acting === s}>
                    {t.case.act[s]}
                  </button>
                ))}
              </div>
            </section>
          ) : null}
          {mayAct && r.next.length === 0 ? <p className="help">{t.case.final}</p> : null}
          {acting ? <StatusForm key={acting} referralId={r.id} state={acting} current={r.outcome} onDone={() => setActing(null)} /> : null}
          <section aria-labelledby="fields-title">
            <h2 id="fields-title">{t.case.details}</h2>
            <Fields
              rows={[
                [t.referrals.columns.from, f.country(r.from)],
                ...signedReferralRows(r, t, f),
                [t.case.receivedAt, f.time(r.receivedAt / 1000)],
                [t.inbox.deadline, f.time(r.deadlineAt / 1000)],
                [t.case.expires, f.time(r.exp)],
                [t.case.outcome, <OutcomeText key="k82" outcome={r.outcome} />],
                [t.inbox.reason, r.reason ? word(t.reasons, r.reason) : null],
                [
                  t.case.evidence,
                  <ul key="k86" className="plain">
                    {r.evidence.map((d) => (
                      <li key={d} className="mono small">
                        {d}
                      </li>
                    ))}
                  </ul>,
                ],
              ]}
            />
          </section>
          <ReferralHistory
            first={
              <>
                <strong>{f.time(r.iat)}</strong> {format(t.case.referralFrom, { country: f.country(r.from) })}
                {r.receipt ? <span className="help"> · {t.case.receiptSent}</span> : null}
                {r.jws ? <Signed jws={r.jws} /> : null}
              </>
            }
            statuses={r.statuses}
            signerOf={() => me.party}
          />
        </>
      ) : null}
    </>
  );
}

export const receivedPage: PageDef = {
  id: 'received',
  label: (t) => t.case.receivedTitle,
  roles: ['bureau.read'],
  nav: false,
  parent: 'inbox',
  Component: Received,
};
