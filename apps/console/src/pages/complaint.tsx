/**
 * One complaint (#/complaint/ID): the victim's account (it never leaves this country), its evidence
 * files, the referrals made from it with each recipient's latest word, and a form to refer another IP
 * of the same case, at any time after filing. Opening it reads personal data: the page asks once per
 * case for the purpose (a case reference) and sends it with the read, which the node records.
 */
import { useQuery } from '@tanstack/react-query';
import { TRPCClientError } from '@trpc/client';
import { useState } from 'react';
import { CaseHeading } from '../components/CaseHeading';
import { Evidence } from '../components/Evidence';
import { Fields } from '../components/Outcome';
import { PurposeForm } from '../components/PurposeForm';
import { ReferForm } from '../components/ReferForm';
import { SentReferrals } from '../components/SentReferrals';
import { Table } from '../components/Table';
import { format, word } from '../lib/i18n';
import { purposeFor, rememberPurpose } from '../lib/purpose';
import { href } from '../lib/router';
import { ErrorNote, LIVE, useSession } from '../lib/session';
import type { PageDef } from './page';

function Complaint({ arg }: { arg: string | null }) {
  const { client, t, f, me } = useSession();
  const id = arg ?? '';
  const [purpose, setPurpose] = useState<string | null>(() => purposeFor(id));
  // One read per visit: polling would record a read every 2 s.
  const complaint = useQuery({
    queryKey: ['complaint', id, purpose],
    queryFn: () => client.bureau.complaints.get.query({ id, purpose: purpose ?? '' }),
    enabled: id !== '' && purpose !== null,
    staleTime: Number.POSITIVE_INFINITY,
    refetchOnWindowFocus: false,
    retry: false,
  });
  const refused = complaint.error instanceof TRPCClientError && complaint.error.data?.firstlightCode === 'ERR_PURPOSE_REQUIRED';
  const access = useQuery({
    queryKey: ['complaint-access', id, complaint.dataUpdatedAt],
    queryFn: () => client.bureau.privacy.access.query({ id }),
    enabled: id !== '' && me.access.includes('bureau.privacy'),
  });
  const referrals = useQuery({
    queryKey: ['complaint-referrals', id],
    queryFn: () => client.bureau.referrals.list.query({ complaintId: id, limit: 200 }),
    enabled: id !== '',
    ...LIVE,
  });
  const c = complaint.data;
  return (
    <>
      <CaseHeading back="complaints" backLabel={t.complaints.back} title={t.complaints.one} id={id} />
      <p className="notice" role="note">
        {t.intake.notice}
      </p>
      {me.access.includes('bureau.privacy') ? (
        <p>
          <a href={href('access', id)}>{t.access.find}</a>
        </p>
      ) : null}
      {purpose === null || refused ? (
        <PurposeForm
          onPurpose={(p) => {
            rememberPurpose(id, p);
            setPurpose(p);
          }}
        />
      ) : (
        <p className="help">
          {format(t.purpose.recorded, { purpose })}{' '}
          <button
            type="button"
            className="link"
            onClick={() => {
              rememberPurpose(id, null);
              setPurpose(null);
            }}
          >
            {t.purpose.change}
          </button>
        </p>
      )}
      <ErrorNote error={complaint.error ?? referrals.error} />
      {c ? (
        <>
          <section aria-labelledby="complaint-fields">
            <h2 id="complaint-fields">{t.case.details}</h2>
            <Fields
              rows={[
                [t.intake.victimName, c.victimName],
                [t.intake.victimContact, c.victimContact],
                [t.intake.amount, f.money(c.amountLost, c.currency)],
                [t.intake.scamType, word(t.scams, c.scamType)],
                [t.intake.occurred, f.day(Date.parse(c.occurredAt) / 1000)],
                [t.intake.reported, f.day(Date.parse(c.reportedAt) / 1000)],
                [t.complaints.filed, f.time(c.createdAt / 1000)],
                [t.case.createdBy, c.createdBy],
                [
                  t.intake.narrative,
                  <p key="k54" className="narrative">
                    {c.narrative}
                  </p>,
                ],
              ]}
            />
          </section>
          <Evidence complaintId={c.id} files={c.evidence} purpose={purpose ?? ''} />
          <section aria-labelledby="complaint-referrals">
            <h2 id="complaint-referrals">{t.complaints.referrals}</h2>
            {referrals.data?.length === 0 ? <p>{t.complaints.noReferrals}</p> : null}
            <SentReferrals referrals={referrals.data ?? []} />
          </section>
          {access.data ? (
            <section aria-labelledby="complaint-access">
              <h2 id="complaint-access">{t.purpose.accessLog}</h2>
              <Table columns={[t.audit.at, t.purpose.who, t.purpose.action, t.purpose.label, t.purpose.intact]}>
                {access.data.map((e) => (
                  <tr key={e.seq} data-access={e.action}>
                    <td>{f.time(e.at / 1000)}</td>
                    <td>
                      {e.operator.name} ({word(t.roles, e.operator.role)})
                    </td>
                    <td>
                      {e.action} {e.item}
                    </td>
                    <td className="mono">{e.purpose || e.reason}</td>
                    <td className={e.intact ? '' : 'warn'}>{e.intact ? t.purpose.yes : t.purpose.no}</td>
                  </tr>
                ))}
              </Table>
            </section>
          ) : null}
          {me.access.includes('bureau.act') ? (
            c.evidence.length > 0 ? (
              <ReferForm key={c.id} complaintId={c.id} evidence={c.evidence.map((e) => e.digest)} />
            ) : (
              <p className="help">{t.complaints.evidenceFirst}</p>
            )
          ) : null}
        </>
      ) : null}
    </>
  );
}

export const complaintPage: PageDef = {
  id: 'complaint',
  label: (t) => t.complaints.one,
  roles: ['bureau.read'],
  nav: false,
  parent: 'complaints',
  Component: Complaint,
};
