/**
 * What the sender's page (#/sent/ID) and the recipient's page (#/received/ID) show alike about one
 * referral: the fields its signed message states, and its history — the referral first, then each
 * signed status. Each page adds what only its side knows (deliveries, deadlines, actions).
 */
import type { ReactNode } from 'react';
import type { Formatter } from '../lib/format';
import { type Strings, word } from '../lib/i18n';
import { useSession } from '../lib/session';
import { StatusEvent } from './StatusEvent';

type SignedReferral = { ip: string; port?: number | null; seenAt: string; action: string; urgency: string; operation: string; iat: number };

/** The rows of Fields that the referral's signed message states, from its IP to when it was signed. */
export function signedReferralRows(r: SignedReferral, t: Strings, f: Formatter): Array<[string, ReactNode]> {
  return [
    [
      t.referrals.columns.ip,
      <span key="ip" className="mono">
        {r.port ? `${r.ip}:${r.port}` : r.ip}
      </span>,
    ],
    [t.case.seenAt, f.time(Date.parse(r.seenAt) / 1000)],
    [t.referrals.columns.action, word(t.actions, r.action)],
    [t.referrals.columns.urgency, word(t.urgencies, r.urgency)],
    [t.referrals.operation, r.operation],
    [t.case.signedAt, f.time(r.iat)],
  ];
}

type SignedStatus = Parameters<typeof StatusEvent>[0]['status'] & { id: string };

/**
 * The referral's history: `first` is the referral's own line (its words differ by side), then each
 * status with the country that signed it.
 */
export function ReferralHistory<S extends SignedStatus>({
  first,
  statuses,
  signerOf,
  children,
}: {
  first: ReactNode;
  statuses: S[];
  signerOf: (s: S) => string;
  /** What follows the list (the sender's "no status yet"). */
  children?: ReactNode;
}) {
  const { t } = useSession();
  return (
    <section aria-labelledby="history-title">
      <h2 id="history-title">{t.referrals.history}</h2>
      <ol className="events">
        <li>{first}</li>
        {statuses.map((s) => (
          <StatusEvent key={s.id} status={s} signer={signerOf(s)} />
        ))}
      </ol>
      {children}
    </section>
  );
}
