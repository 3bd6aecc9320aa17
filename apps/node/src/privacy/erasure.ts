/**
 * Erasure of personal data (LED Art. 16; OPERATIONS.md §8). A complaint loses the victim's name,
 * contact and narrative and its evidence (rows, file names, files); a received referral, closed or
 * declined, loses its row and the stored bytes of its signed message. What stays: the referrals this
 * bureau signed (no personal data), the audit chain (digests), and a tombstone — the privacy log's
 * erase record: what, when, by whom, why. Rows change in one transaction; the files and the storage
 * purge follow (purge.ts). Erasing an item again completes a purge an earlier run could not finish,
 * and writes no second tombstone. Never erases an evidence file another complaint still holds.
 */
import { join } from 'node:path';
import { type Kysely, sql } from 'kysely';
import { z } from 'zod';
import { MAX_BULK_ITEMS } from '../bulk.js';
import type { Database } from '../db/schema.js';
import { NodeError } from '../errors.js';
import { type PrivacyRecord, recordPrivacy, tombstoneOf } from './log.js';
import { type PurgedTable, type PurgeReport, purgeStorage, shredFile } from './purge.js';
import { type Operator, reasonText } from './purpose.js';
import { subjectKind } from './retention.js';

export const eraseInput = z.strictObject({
  items: z
    .array(z.strictObject({ kind: subjectKind, id: z.uuid() }))
    .min(1)
    .max(MAX_BULK_ITEMS),
  reason: reasonText,
});

interface Ctx {
  db: Kysely<Database>;
  dbKind: 'sqlite' | 'postgres';
  dataDir: string;
}

export interface Erased {
  kind: 'complaint' | 'referral';
  id: string;
  erasedAt: number;
  /** Erased by an earlier call: this one only completed the purge. */
  alreadyErased: boolean;
  /** Evidence files overwritten and unlinked, and those kept because another complaint holds the same file. */
  filesRemoved: number;
  filesKept: number;
}

const FIELDS = ['victimName', 'victimContact', 'narrative', 'evidence'];

/** Erases every listed item, all or none, then purges storage once. */
export async function eraseItems(
  ctx: Ctx,
  raw: z.input<typeof eraseInput>,
  operator: Operator,
  now: number,
): Promise<{ erased: Erased[]; purge: PurgeReport }> {
  const { items, reason } = eraseInput.parse(raw);
  const digestsOf = new Map<string, string[]>();
  let xid: string | null = null;
  const erased = await ctx.db.transaction().execute(async (trx) => {
    // PostgreSQL: this transaction's id, so the purge can wait for older snapshots (purge.ts).
    if (ctx.dbKind === 'postgres')
      xid = (await sql<{ xid: string }>`select pg_current_xact_id()::text as xid`.execute(trx)).rows[0]?.xid ?? null;
    const out: Erased[] = [];
    const records: PrivacyRecord[] = [];
    for (const { kind, id } of items) {
      if (out.some((e) => e.id === id)) continue;
      const tomb = await tombstoneOf(trx, id);
      if (tomb) {
        const detail = JSON.parse(tomb.detail) as { evidence?: string[] };
        digestsOf.set(id, detail.evidence ?? []);
        out.push({ kind, id, erasedAt: Number(tomb.at), alreadyErased: true, filesRemoved: 0, filesKept: 0 });
        continue;
      }
      const detail = kind === 'complaint' ? await eraseComplaintRows(trx, id, now) : await eraseReferralRows(trx, id);
      if (kind === 'complaint') digestsOf.set(id, detail.evidence as string[]);
      records.push({ at: now, action: 'erase', subjectKind: kind, subjectId: id, item: '', operator, purpose: '', reason, detail });
      out.push({ kind, id, erasedAt: now, alreadyErased: false, filesRemoved: 0, filesKept: 0 });
    }
    await recordPrivacy(trx, records);
    return out;
  });
  // Files after the commit: had the transaction failed they would still be needed. A crash here
  // leaves them for the next erase of the same item to remove.
  for (const item of erased) {
    for (const digest of digestsOf.get(item.id) ?? []) {
      const holders = await ctx.db.selectFrom('evidence').select('complaint_id').where('digest', '=', digest).executeTakeFirst();
      if (holders) item.filesKept += 1;
      else if (shredFile(join(ctx.dataDir, 'evidence', digest.slice('sha256:'.length)))) item.filesRemoved += 1;
    }
  }
  const tables: PurgedTable[] = [];
  if (erased.some((e) => e.kind === 'complaint')) tables.push('complaints', 'evidence');
  if (erased.some((e) => e.kind === 'referral')) tables.push('referrals_in', 'received');
  return { erased, purge: await purgeStorage(ctx, tables, xid) };
}

async function eraseComplaintRows(trx: Kysely<Database>, id: string, now: number): Promise<Record<string, unknown>> {
  const row = await trx.selectFrom('complaints').select('id').where('id', '=', id).executeTakeFirst();
  if (!row) throw new NodeError('ERR_NOT_FOUND', `no complaint ${id}`);
  const evidence = await trx.selectFrom('evidence').select('digest').where('complaint_id', '=', id).orderBy('digest').execute();
  await trx.deleteFrom('evidence').where('complaint_id', '=', id).execute();
  // The row stays (the referrals it gave rise to point at it); its personal fields do not.
  await trx
    .updateTable('complaints')
    .set({ victim_name: '', victim_contact: '', narrative: '', erased_at: now })
    .where('id', '=', id)
    .execute();
  return { fields: FIELDS, evidence: evidence.map((e) => e.digest) };
}

async function eraseReferralRows(trx: Kysely<Database>, id: string): Promise<Record<string, unknown>> {
  const row = await trx.selectFrom('referrals_in').select(['state', 'from_country']).where('id', '=', id).executeTakeFirst();
  if (!row) throw new NodeError('ERR_NOT_FOUND', `no received referral ${id}`);
  if (row.state !== 'closed' && row.state !== 'declined')
    throw new NodeError('ERR_CONFLICT', `referral ${id} is ${row.state}: close or decline it before erasing it`);
  await trx.deleteFrom('referrals_in').where('id', '=', id).execute();
  // The received row stays, so a resend of the same bytes is still answered from it (and not stored
  // again); the signed message it kept, which names the IP, does not.
  await trx.updateTable('received').set({ jws: '' }).where('message_id', '=', id).execute();
  return { fields: ['referral', 'message'], from: row.from_country, state: row.state };
}
