/**
 * Referrals this bureau sent, newest first: where each went, the recipient's latest signed state and
 * outcome (suspects, arrests, premises, call centres), and each copy's delivery. A row opens the
 * referral's page (#/sent/ID) with the recipient's whole history.
 */
import { useQuery } from '@tanstack/react-query';
import { SentReferrals } from '../components/SentReferrals';
import { ErrorNote, LIVE, useSession } from '../lib/session';
import type { PageDef } from './page';

function Outbox() {
  const { client, t } = useSession();
  const list = useQuery({ queryKey: ['outbox'], queryFn: () => client.bureau.referrals.list.query({ limit: 500 }), ...LIVE });
  return (
    <>
      <h1>{t.outbox.title}</h1>
      <ErrorNote error={list.error} />
      {list.data?.length === 0 ? <p>{t.empty}</p> : null}
      <SentReferrals referrals={list.data ?? []} outbox />
    </>
  );
}

export const outboxPage: PageDef = { id: 'outbox', label: (t) => t.nav.outbox, roles: ['bureau.read'], nav: true, Component: Outbox };
