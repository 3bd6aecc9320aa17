/** Turns zod issues into one operator-readable line, and spots the IP refusal inside them. */
import type { z } from 'zod';

export function zodIssueSummary(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.length ? issue.path.join('.') : '(message)'}: ${issue.message}`)
    .join('; ');
}

/** The reserved range named by an "unroutable:<range>" issue, if the schema failed for that reason. */
export function unroutableRange(error: z.ZodError): string | undefined {
  for (const issue of error.issues) {
    if (issue.message.startsWith('unroutable:')) return issue.message.slice('unroutable:'.length);
  }
  return undefined;
}
