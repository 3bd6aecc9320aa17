/**
 * Complaint intake: the victim's personal data. It is stored here and NEVER leaves this node: no
 * function in this module produces anything that is signed or sent. Listings show no personal data;
 * an operator opens one complaint through privacy/reads.ts, which logs the read and its purpose.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { bulkOf, once, requestIdField } from '../bulk.js';
import { insertRows } from '../db/chunks.js';
import type { Database } from '../db/schema.js';
import { NodeError } from '../errors.js';
import { writeEvidenceFile } from './evidence.js';

export const SCAM_TYPES = ['fake_courier', 'fake_police', 'fake_arrest_warrant', 'investment', 'romance', 'tech_support', 'other'] as const;

export const complaintInput = z.strictObject({
  victimName: z.string().trim().min(1).max(200),
  victimContact: z.string().trim().min(1).max(200),
  amountLost: z.number().min(0).max(1e12),
  currency: z.string().regex(/^[A-Z]{3}$/, { error: 'must be an ISO 4217 code such as THB or USD' }),
  scamType: z.enum(SCAM_TYPES),
  narrative: z.string().trim().min(1).max(20_000),
  occurredAt: z.iso.date(),
  reportedAt: z.iso.date(),
});

export type ComplaintInput = z.infer<typeof complaintInput>;

export async function createComplaint(db: Kysely<Database>, input: ComplaintInput, by: string, now: number) {
  const rows = complaintRows([input], by, now);
  await insertRows(db, 'complaints', rows, 1);
  return getComplaint(db, rows[0]?.id as string);
}

/** An evidence file sent inline with an imported complaint (the one-by-one route is POST /bureau/evidence). */
export const attachmentInput = z.strictObject({
  filename: z.string().trim().min(1).max(255),
  mediaType: z.string().trim().min(1).max(100).default('application/octet-stream'),
  /** The file's bytes, base64 (standard alphabet). The request as a whole is limited to 9 MiB. */
  base64: z.base64().min(1),
});

export const importedComplaint = complaintInput.extend({ attachments: z.array(attachmentInput).max(8).optional() });

export const complaintsInput = z.strictObject({ requestId: requestIdField, complaints: bulkOf(importedComplaint) });

export interface ImportedComplaints {
  ids: string[];
  /** Per complaint, in order: the SHA-256 digest of each attachment, in order (what a referral cites). */
  evidence: string[][];
}

/**
 * `input` as complaintsInput parsed it (the API's input schema: up to 500 complaints with their files
 * inline, too costly to check twice). Complaints in one transaction (a bureau importing the day's reports from its national portal), with
 * their evidence files: all or none. Files are written first (content-addressed, 0600, like an upload)
 * and recorded with their complaints; an attachment over evidenceMaxBytes refuses the whole call.
 */
export async function importComplaints(
  ctx: { db: Kysely<Database>; dataDir: string; config: { evidenceMaxBytes: number } },
  input: z.output<typeof complaintsInput>,
  by: string,
  now: number,
): Promise<ImportedComplaints> {
  const { requestId, complaints } = input;
  return once<ImportedComplaints>(ctx.db, { procedure: 'complaints.createMany', requestId, input: complaints, now }, async (remember) => {
    const files = complaints.map((c, i) =>
      (c.attachments ?? []).map((a, j) => {
        const bytes = Buffer.from(a.base64, 'base64');
        if (bytes.length > ctx.config.evidenceMaxBytes)
          throw new NodeError(
            'ERR_TOO_LARGE',
            `complaints.${i}.attachments.${j}: evidence files are limited to ${ctx.config.evidenceMaxBytes} bytes`,
          );
        return { ...a, bytes };
      }),
    );
    const stored = files.map((list) => list.map((f) => ({ ...f, ...writeEvidenceFile(ctx.dataDir, f.bytes) })));
    const rows = complaintRows(complaints, by, now);
    const answer = { ids: rows.map((r) => r.id), evidence: stored.map((list) => list.map((f) => f.digest)) };
    await ctx.db.transaction().execute(async (trx) => {
      await insertRows(trx, 'complaints', rows, 100);
      const evidence = stored.flatMap((list, i) =>
        list.map((f) => ({
          digest: f.digest,
          complaint_id: rows[i]?.id as string,
          filename: f.filename,
          media_type: f.mediaType,
          size: f.bytes.length,
          path: f.path,
          created_at: now,
        })),
      );
      await insertRows(trx, 'evidence', evidence, 100, { ignoreConflictOn: ['complaint_id', 'digest'] });
      await remember(trx, answer);
    });
    return answer;
  });
}

function complaintRows(complaints: ComplaintInput[], by: string, now: number) {
  return complaints.map((input) => ({
    id: randomUUID(),
    created_at: now,
    created_by: by,
    victim_name: input.victimName,
    victim_contact: input.victimContact,
    amount_minor: Math.round(input.amountLost * 100),
    currency: input.currency,
    scam_type: input.scamType,
    narrative: input.narrative,
    occurred_at: input.occurredAt,
    reported_at: input.reportedAt,
  }));
}

/** A complaint without its personal data (no name, contact, narrative): what listings show. */
function summary(row: Database['complaints']) {
  return {
    id: row.id,
    createdAt: Number(row.created_at),
    createdBy: row.created_by,
    amountLost: Number(row.amount_minor) / 100,
    currency: row.currency,
    scamType: row.scam_type,
    occurredAt: row.occurred_at,
    reportedAt: row.reported_at,
    erasedAt: row.erased_at === null ? null : Number(row.erased_at),
  };
}

function present(row: Database['complaints']) {
  return {
    id: row.id,
    createdAt: Number(row.created_at),
    createdBy: row.created_by,
    victimName: row.victim_name,
    victimContact: row.victim_contact,
    amountLost: Number(row.amount_minor) / 100,
    currency: row.currency,
    scamType: row.scam_type,
    narrative: row.narrative,
    occurredAt: row.occurred_at,
    reportedAt: row.reported_at,
  };
}

/** The whole complaint with its personal data: only for its creator's answer and for privacy/reads.ts (a logged read). */
export async function getComplaint(db: Kysely<Database>, id: string) {
  const row = await db.selectFrom('complaints').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw new NodeError('ERR_NOT_FOUND', `no complaint ${id}`);
  const evidence = await db
    .selectFrom('evidence')
    .select(['digest', 'filename', 'size', 'media_type'])
    .where('complaint_id', '=', id)
    .execute();
  return { ...present(row), evidence: evidence.map((e) => ({ ...e, size: Number(e.size) })) };
}

export async function listComplaints(db: Kysely<Database>, options: { limit: number; before?: number | undefined }) {
  let q = db.selectFrom('complaints').selectAll().orderBy('created_at', 'desc').limit(options.limit);
  if (options.before !== undefined) q = q.where('created_at', '<', options.before);
  return (await q.execute()).map(summary);
}
