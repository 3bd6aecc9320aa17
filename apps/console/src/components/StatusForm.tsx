/**
 * Signing the next status of a referral this bureau received. Counts start from the referral's current
 * outcome totals: a later status restates the totals (it does not add to them), so starting from zero
 * would silently erase arrests already reported. Lowering a total is allowed but said out loud.
 */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { DECLINE_REASONS as REASONS } from '../lib/constants';
import { format } from '../lib/i18n';
import { ErrorNote, useSession } from '../lib/session';
import { countProblem, NumberField } from './NumberField';
import { CodeOptions } from './options';
import { PanelForm } from './PanelForm';

export const OUTCOME_KEYS = ['suspectsIdentified', 'arrests', 'premisesSearched', 'callCentresDismantled'] as const;
export type Outcome = Record<(typeof OUTCOME_KEYS)[number], number>;
type Next = 'acknowledged' | 'in_progress' | 'located' | 'action_taken' | 'closed' | 'declined';

export function StatusForm({
  referralId,
  state,
  current,
  onDone,
}: {
  referralId: string;
  state: Next;
  /** The referral's outcome totals so far (null: none reported). */
  current: Partial<Outcome> | null;
  onDone: () => void;
}) {
  const { client, t } = useSession();
  const qc = useQueryClient();
  const start = (k: (typeof OUTCOME_KEYS)[number]) => String(current?.[k] ?? 0);
  const [counts, setCounts] = useState<Record<(typeof OUTCOME_KEYS)[number], string>>({
    suspectsIdentified: start('suspectsIdentified'),
    arrests: start('arrests'),
    premisesSearched: start('premisesSearched'),
    callCentresDismantled: start('callCentresDismantled'),
  });
  const [reason, setReason] = useState<(typeof REASONS)[number]>('insufficient_evidence');
  const needsCounts = state === 'action_taken' || state === 'closed';
  const problems = Object.fromEntries(OUTCOME_KEYS.map((k) => [k, countProblem(counts[k], 0, 100_000, t)])) as Record<
    (typeof OUTCOME_KEYS)[number],
    string | null
  >;
  const invalid = needsCounts && OUTCOME_KEYS.some((k) => problems[k] !== null);
  const send = useMutation({
    mutationFn: () =>
      client.bureau.inbox.updateStatus.mutate({
        referralId,
        state,
        ...(needsCounts ? { outcome: Object.fromEntries(OUTCOME_KEYS.map((k) => [k, Number(counts[k])])) as Outcome } : {}),
        ...(state === 'declined' ? { reason } : {}),
      }),
    onSuccess: () => {
      void qc.invalidateQueries();
      onDone();
    },
  });
  const labels: Record<(typeof OUTCOME_KEYS)[number], string> = {
    suspectsIdentified: t.inbox.suspects,
    arrests: t.inbox.arrests,
    premisesSearched: t.inbox.premises,
    callCentresDismantled: t.inbox.callCentres,
  };
  return (
    <PanelForm
      title={format(t.case.signing, { state: t.states[state] })}
      onSubmit={() => {
        if (!invalid) send.mutate();
      }}
    >
      {needsCounts ? (
        <fieldset>
          <legend>{t.case.totalsLegend}</legend>
          {OUTCOME_KEYS.map((k) => {
            const before = current?.[k] ?? 0;
            const lower = problems[k] === null && Number(counts[k]) < before;
            return (
              <NumberField
                key={k}
                label={labels[k]}
                value={counts[k]}
                onChange={(v) => setCounts({ ...counts, [k]: v })}
                problem={problems[k]}
                warning={lower ? format(t.case.lowerThanBefore, { before }) : null}
              />
            );
          })}
        </fieldset>
      ) : null}
      {state === 'declined' ? (
        <label>
          {t.inbox.reason}
          <select value={reason} onChange={(e) => setReason(e.target.value as typeof reason)}>
            <CodeOptions codes={REASONS} words={t.reasons} />
          </select>
        </label>
      ) : null}
      <ErrorNote error={send.error} />
      <div className="buttons">
        <button type="submit" disabled={send.isPending || invalid}>
          {t.inbox.send}
        </button>
        <button type="button" onClick={onDone}>
          {t.case.cancel}
        </button>
      </div>
    </PanelForm>
  );
}
