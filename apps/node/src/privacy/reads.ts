/**
 * Reads of personal data by an operator: opening a complaint, fetching one of its evidence files,
 * exporting complaints. Each needs a purpose and is recorded in the privacy log (and so the audit
 * chain) in the same transaction as the read: no purpose, no data; no record, no data. Never returns
 * personal data any other way, and never of an erased complaint.
 */
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { Database } from '../db/schema.js';
import { NodeError } from '../errors.js';
import { getComplaint } from '../intake/complaints.js';
import { recordPrivacy, tombstoneOf } from './log.js';
import { type Operator, requirePurpose } from './purpose.js';

interface Reader {
  db: Kysely<Database>;
  operator: Operator;
  /** Unchecked: requirePurpose decides, so a missing purpose is ERR_PURPOSE_REQUIRED whatever the caller. */
  purpose: unknown;
  now: number;
}

/** The complaint's row, or NOT_FOUND, or ERR_ERASED naming its tombstone. */
async function heldComplaint(db: Kysely<Database>, id: string) {
  const row = await db.selectFrom('complaints').select(['id', 'erased_at']).where('id', '=', id).executeTakeFirst();
  if (!row) throw new NodeError('ERR_NOT_FOUND', `no complaint ${id}`);
  if (row.erased_at !== null) {
    const tomb = await tombstoneOf(db, id);
    const when = new Date(Number(row.erased_at)).toISOString();
    throw new NodeError(
      'ERR_ERASED',
      `the personal data of complaint ${id} was erased at ${when}${tomb ? ` by ${tomb.operator_name} (${tomb.reason})` : ''}`,
      { erasedAt: Number(row.erased_at) },
    );
  }
  return row;
}

/** Opens one complaint, its personal data included, after recording who opened it and why. */
export async function openComplaint(reader: Reader, id: string) {
  const purpose = requirePurpose(reader.purpose);
  return reader.db.transaction().execute(async (trx) => {
    await heldComplaint(trx, id);
    await recordPrivacy(trx, [
      {
        at: reader.now,
        action: 'read',
        subjectKind: 'complaint',
        subjectId: id,
        item: 'complaint',
        operator: reader.operator,
        purpose,
        reason: '',
        detail: {},
      },
    ]);
    return getComplaint(trx, id);
  });
}

export const digestText = z.string().regex(/^sha256:[0-9a-f]{64}$/, 'must be an evidence digest, sha256: and 64 lowercase hex digits');

/** Where one evidence file of a complaint is, after recording who fetched it and why (the caller streams it). */
export async function openEvidence(reader: Reader, complaintId: string, digest: string) {
  const purpose = requirePurpose(reader.purpose);
  return reader.db.transaction().execute(async (trx) => {
    await heldComplaint(trx, complaintId);
    const file = await trx
      .selectFrom('evidence')
      .select(['digest', 'filename', 'media_type', 'size', 'path'])
      .where('complaint_id', '=', complaintId)
      .where('digest', '=', digest)
      .executeTakeFirst();
    if (!file) throw new NodeError('ERR_NOT_FOUND', `complaint ${complaintId} has no evidence file ${digest}`);
    await recordPrivacy(trx, [
      {
        at: reader.now,
        action: 'read',
        subjectKind: 'complaint',
        subjectId: complaintId,
        item: `evidence:${digest}`,
        operator: reader.operator,
        purpose,
        reason: '',
        detail: {},
      },
    ]);
    return { digest: file.digest, filename: file.filename, mediaType: file.media_type, size: Number(file.size), path: file.path };
  });
}

/** Up to 500 complaints exported whole (a case file handed to a prosecutor): one record per complaint. */
export const MAX_EXPORT = 500;

export async function exportComplaints(reader: Reader, ids: readonly string[]) {
  const purpose = requirePurpose(reader.purpose);
  const unique = [...new Set(ids)];
  if (unique.length === 0 || unique.length > MAX_EXPORT)
    throw new NodeError('ERR_INPUT', `export names 1 to ${MAX_EXPORT} complaints, each by its id`);
  return reader.db.transaction().execute(async (trx) => {
    for (const id of unique) await heldComplaint(trx, id);
    await recordPrivacy(
      trx,
      unique.map((id) => ({
        at: reader.now,
        action: 'read' as const,
        subjectKind: 'complaint' as const,
        subjectId: id,
        item: 'export',
        operator: reader.operator,
        purpose,
        reason: '',
        detail: { complaints: unique.length },
      })),
    );
    const out = [];
    for (const id of unique) out.push(await getComplaint(trx, id));
    return out;
  });
}
