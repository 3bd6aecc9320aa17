/**
 * A whole-number input that says what is wrong as the officer types (not only a disabled button):
 * the message is tied to the input (aria-describedby, aria-invalid) so a screen reader reads it too.
 */
import { useId } from 'react';
import { format } from '../lib/i18n';
import type { useSession } from '../lib/session';

/** The problem with a typed count, or null: an integer within [min, max]. */
export function countProblem(raw: string, min: number, max: number, t: ReturnType<typeof useSession>['t']): string | null {
  if (raw.trim() === '') return t.forms.required;
  if (!/^\d+$/.test(raw.trim())) return t.forms.wholeNumber;
  const n = Number(raw);
  if (n < min || n > max) return format(t.forms.between, { min, max });
  return null;
}

export function NumberField({
  label,
  value,
  onChange,
  problem,
  warning,
}: {
  label: string;
  value: string;
  onChange: (v: string) => void;
  problem: string | null;
  warning?: string | null;
}) {
  const id = useId();
  const note = problem ?? warning ?? null;
  // The note sits after the label, not in it: inside, it would become part of the input's name.
  return (
    <div className="field">
      <label>
        {label}
        <input
          inputMode="numeric"
          value={value}
          onChange={(e) => onChange(e.target.value)}
          aria-invalid={problem ? true : undefined}
          aria-describedby={note ? `${id}-note` : undefined}
        />
      </label>
      {note ? (
        <span id={`${id}-note`} className={problem ? 'field-error' : 'field-warn'}>
          {note}
        </span>
      ) : null}
    </div>
  );
}
