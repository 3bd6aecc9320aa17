/**
 * One signed status in a case's history, as both sides show it: when, the state (and the decline
 * reason), the outcome totals it states, who signed it, and the signed message folded away.
 */
import { format, word } from '../lib/i18n';
import { useSession } from '../lib/session';
import { OutcomeText } from './Outcome';

/** The signed message itself, folded away: a compact JWS is what any party can verify. */
export function Signed({ jws }: { jws: string }) {
  const { t } = useSession();
  return (
    <details>
      <summary>{t.case.signedMessage}</summary>
      <pre className="mono small wrap">{jws}</pre>
    </details>
  );
}

export function StatusEvent({
  status: s,
  signer,
}: {
  status: { state: string; reason: string | null; outcome: Record<string, number> | null; iat: number; jws: string };
  /** The signing country's code. */
  signer: string;
}) {
  const { t, f } = useSession();
  return (
    <li data-status={s.state}>
      <strong>{f.time(s.iat)}</strong> {word(t.states, s.state)}
      {s.reason ? ` (${word(t.reasons, s.reason)})` : ''}
      {s.outcome ? (
        <>
          {' · '}
          <OutcomeText outcome={s.outcome} />
        </>
      ) : null}
      <em> {format(t.referrals.signer, { party: f.country(signer) })}</em>
      <Signed jws={s.jws} />
    </li>
  );
}
