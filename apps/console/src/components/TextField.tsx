/**
 * A text input that says what is wrong with it beside it: the message is tied to the input
 * (aria-describedby, aria-invalid) so a screen reader reads it too. The owner decides when to show the
 * problem (typically once the officer has typed or tried to submit) by passing it or null.
 */
import { useId } from 'react';

export function TextField({
  label,
  value,
  onChange,
  problem,
  placeholder,
  className,
}: {
  label: string;
  value: string;
  onChange: (v: string) => void;
  /** What is wrong, to show now; null when nothing is (or nothing is to be shown yet). */
  problem: string | null;
  placeholder?: string;
  /** The input's class ('mono' for identifiers). */
  className?: string;
}) {
  const id = useId();
  return (
    <>
      <label>
        {label}
        <input
          value={value}
          placeholder={placeholder}
          className={className}
          onChange={(e) => onChange(e.target.value)}
          aria-invalid={problem ? true : undefined}
          aria-describedby={problem ? `${id}-problem` : undefined}
        />
      </label>
      {problem ? (
        <span id={`${id}-problem`} className="field-error">
          {problem}
        </span>
      ) : null}
    </>
  );
}
