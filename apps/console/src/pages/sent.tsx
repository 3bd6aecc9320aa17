/**
 * One referral this bureau sent (#/sent/ID): what was asked of whom, each copy's delivery and receipt,
 * and the recipient's signed statuses as they arrive, newest outcome first in the summary.
 */
import { useQuery } from '@tanstack/react-query';
import { CaseHeading } from '../components/CaseHeading';
import { Deliveries } from '../components/Deliveries';
import { Fields, OutcomeText } from '../components/Outcome';
import { ReferralHistory, signedReferralRows } from '../components/ReferralCase';
import { Signed } from '../components/StatusEvent';
import { format, sentState, word } from '../lib/i18n';
import { href } from '../lib/router';
import { ErrorNote, LIVE, useSession } from '../lib/session';
import type { PageDef } from './page';

function Sent({ arg }: { arg: string | null }) {
  const { client, t, f, me } = useSession();
  const id = arg ?? '';
  const referral = useQuery({
    queryKey: ['sent', id],
    queryFn: () => client.bureau.referrals.get.query({ id }),
    enabled: id !== '',
    ...LIVE,
  });
  const r = referral.data;
  return (
    <>
      <CaseHeading back="outbox" backLabel={t.case.backToOutbox} title={t.case.sentTitle} id={id} />
      <ErrorNote error={referral.error} />
      {r ? (
        <>
          <p className="state-line">
            <strong data-state={r.state ?? 'sent'}>{sentState(t, r.state)}</strong>
            {' · '}
            <OutcomeText outcome={r.outcome} />
          </p>
          <section aria-labelledby="fields-title">
            <h2 id="fields-title">{t.case.details}</h2>
            <Fields
              rows={[
                [t.referrals.columns.to, f.country(r.to)],
                [t.case.routedTo, r.routedCountry && r.routedCountry !== r.to ? f.country(r.routedCountry) : null],
                [t.case.overrideReason, r.overrideReason],
                ...signedReferralRows(r, t, f),
                [t.case.createdBy, r.createdBy],
                [
                  t.case.complaint,
                  <a key="k56" href={href('complaint', r.complaintId)}>
                    {r.complaintId}
                  </a>,
                ],
                [t.inbox.reason, r.reason ? word(t.reasons, r.reason) : null],
                [t.outbox.delivery, <Deliveries key="k58" delivery={r.delivery as Array<Record<string, unknown>>} />],
              ]}
            />
          </section>
          <ReferralHistory
            first={
              <>
                <strong>{f.time(r.iat)}</strong> {format(t.case.referralTo, { country: f.country(r.to) })}
                <em> {format(t.referrals.signer, { party: f.country(me.party) })}</em>
                <Signed jws={r.jws} />
              </>
            }
            statuses={r.statuses}
            signerOf={(s) => s.from}
          >
            {r.statuses.length === 0 ? <p className="help">{t.case.noStatusYet}</p> : null}
          </ReferralHistory>
        </>
      ) : null}
    </>
  );
}

export const sentPage: PageDef = {
  id: 'sent',
  label: (t) => t.case.sentTitle,
  roles: ['bureau.read'],
  nav: false,
  parent: 'outbox',
  Component: Sent,
};
