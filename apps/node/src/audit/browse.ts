/**
 * Reading the audit log a page at a time, newest first, by kind and time: what an auditor browses.
 * Read only; it never changes an entry. A kind filter is a prefix at a dot ("sent" matches sent.referral
 * and sent.status, "received.rejected" every refusal), so new kinds are found without a list to update.
 */
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { Database } from '../db/schema.js';

export const auditBrowseInput = z
  .strictObject({
    kind: z
      .string()
      .regex(/^[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)*$/, { error: 'must be an audit kind or its first parts, e.g. sent or received.rejected' })
      .max(80)
      .optional(),
    /** Entries at or after this time (ms since the epoch). */
    from: z.int().min(0).optional(),
    /** Entries before this time (ms since the epoch). */
    to: z.int().min(0).optional(),
    /** The cursor: entries with a lower sequence number than this (the previous page's `next`). */
    before: z.int().min(1).optional(),
    limit: z.int().min(1).max(200).default(50),
  })
  .default({ limit: 50 });

export type AuditBrowse = z.infer<typeof auditBrowseInput>;

export async function browseAudit(db: Kysely<Database>, input: AuditBrowse) {
  let q = db
    .selectFrom('audit')
    .select(['seq', 'at', 'kind', 'ref', 'digest', 'hash'])
    .orderBy('seq', 'desc')
    .limit(input.limit + 1);
  if (input.before !== undefined) q = q.where('seq', '<', input.before);
  if (input.from !== undefined) q = q.where('at', '>=', input.from);
  if (input.to !== undefined) q = q.where('at', '<', input.to);
  const kind = input.kind;
  // The kind's characters are restricted by the schema, so no LIKE wildcard can come from the caller.
  if (kind !== undefined) q = q.where((eb) => eb.or([eb('kind', '=', kind), eb('kind', 'like', `${kind}.%`)]));
  const rows = await q.execute();
  const page = rows.slice(0, input.limit).map((r) => ({ ...r, seq: Number(r.seq), at: Number(r.at) }));
  return { entries: page, next: rows.length > input.limit ? (page.at(-1)?.seq ?? null) : null };
}
