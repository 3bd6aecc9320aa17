/**
 * The audit chain's head (seq and hash of its last entry), kept two ways so that entries cut off the
 * end of the log are found: as an anchor row beside the chain, rewritten in the same transaction as
 * every append, and as text an auditor writes down outside the node (`<seq>:<hash>`) and later hands
 * back to verify. Never moves the anchor anywhere but to the head just written.
 */
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { fixed } from '../db/fixed.js';
import type { Database } from '../db/schema.js';

export const auditHeadSchema = z.strictObject({
  seq: z.int().min(0).max(Number.MAX_SAFE_INTEGER),
  hash: z.string().regex(/^sha256:[0-9a-f]{64}$/, 'hash must be "sha256:" and 64 lowercase hex digits'),
});

export type AuditHead = z.infer<typeof auditHeadSchema>;

const HEAD_TEXT_HELP = 'must be <seq>:<hash> as printed by `audit verify`, e.g. 52:sha256:<64 hex digits>';

/** `<seq>:<hash>` as an auditor wrote it down; the `sha256:` prefix may be left out, hex in either case. */
export const auditHeadText = z
  .string()
  .trim()
  .regex(/^\d{1,16}:(sha256:)?[0-9a-fA-F]{64}$/, HEAD_TEXT_HELP)
  .transform((text) => {
    const colon = text.indexOf(':');
    const hex = text.slice(colon + 1).replace(/^sha256:/, '');
    return { seq: Number(text.slice(0, colon)), hash: `sha256:${hex.toLowerCase()}` };
  })
  .pipe(auditHeadSchema);

export function formatAuditHead(head: AuditHead): string {
  return `${head.seq}:${head.hash}`;
}

/** The anchor row, or null when it is missing (every database has one from migration 004 on). */
export async function readAuditHead(db: Kysely<Database>): Promise<AuditHead | null> {
  const row = await db.selectFrom('audit_head').select(['seq', 'hash']).where('id', '=', 1).executeTakeFirst();
  return row ? { seq: Number(row.seq), hash: row.hash } : null;
}

/** Only inside the transaction that appended the entries, so the anchor and the chain move together. */
export async function writeAuditHead(trx: Kysely<Database>, head: AuditHead): Promise<void> {
  await WRITE_HEAD.run(trx, [head.seq, head.hash]);
}

/** Moved by every append (once per transaction that audits, several per message): a fixed statement. */
const WRITE_HEAD = fixed<never, [seq: number, hash: string]>(
  'insert into audit_head (id, seq, hash) values (1, ?, ?) on conflict (id) do update set seq = excluded.seq, hash = excluded.hash',
);
