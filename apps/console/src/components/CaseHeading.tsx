/**
 * The top of a page about one case (a complaint, a referral sent or received, a referral's history):
 * the way back to the list it came from, then the title with the case's id beside it, so an officer
 * can read the id out or copy it. It only renders what it is given.
 */
import { href } from '../lib/router';

export function CaseHeading({
  back,
  backLabel,
  title,
  id,
  headingId,
}: {
  back: string;
  backLabel: string;
  title: string;
  id: string;
  headingId?: string;
}) {
  return (
    <>
      <p>
        <a href={href(back)}>← {backLabel}</a>
      </p>
      <h1 id={headingId}>
        {title} <span className="mono small">{id}</span>
      </h1>
    </>
  );
}
