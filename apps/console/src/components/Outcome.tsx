/** A referral's outcome totals as a person reads them: four labelled counts, or a dash when none. */
import { useSession } from '../lib/session';

export function OutcomeText({ outcome }: { outcome: Record<string, number> | null | undefined }) {
  const { t, f } = useSession();
  if (!outcome) return <>–</>;
  return (
    <span className="outcome">
      {[
        [t.inbox.suspects, outcome.suspectsIdentified],
        [t.inbox.arrests, outcome.arrests],
        [t.inbox.premises, outcome.premisesSearched],
        [t.inbox.callCentres, outcome.callCentresDismantled],
      ].map(([label, n]) => (
        <span key={String(label)}>
          {label}: <strong>{f.number(Number(n ?? 0))}</strong>
        </span>
      ))}
    </span>
  );
}

/** A definition list of a case's fields; rows with a null value are left out. */
export function Fields({ rows }: { rows: Array<[string, React.ReactNode]> }) {
  return (
    <dl className="fields">
      {rows
        .filter(([, v]) => v !== null && v !== undefined)
        .map(([k, v]) => (
          <div key={k}>
            <dt>{k}</dt>
            <dd>{v}</dd>
          </div>
        ))}
    </dl>
  );
}
