/**
 * A form in its own panel, named by its heading (aria-labelledby) so assistive technology announces
 * what the form is for. Submitting never reloads the page: the owner's onSubmit decides what to send.
 * `noValidate` leaves checking to the owner's own messages instead of the browser's bubbles.
 */
import { type ReactNode, useId } from 'react';

export function PanelForm({
  title,
  onSubmit,
  noValidate,
  children,
}: {
  title: string;
  onSubmit: () => void;
  noValidate?: boolean;
  children: ReactNode;
}) {
  const id = useId();
  return (
    <form
      className="panel"
      aria-labelledby={`${id}-title`}
      noValidate={noValidate}
      onSubmit={(e) => {
        e.preventDefault();
        onSubmit();
      }}
    >
      <h2 id={`${id}-title`}>{title}</h2>
      {children}
    </form>
  );
}
