/**
 * The privacy log: every read of personal data with its purpose, every review extension and every
 * erasure (the tombstone), answered to a data-protection officer as "who read complaint X, and why".
 * Each record is a row of privacy_log AND an entry of the hash-chained audit log with the same seq,
 * whose digest is the record's: the chain proves the record, and the record holds identifiers,
 * operators, purposes and reasons, never the personal data itself. Written only inside the
 * transaction of the read or change it records; never updated or deleted.
 */
import { sha256Digest } from '@firstlight/protocol';
import { type Kysely, sql, type Transaction } from 'kysely';
import { readAuditHead } from '../audit/audit-head.js';
import { appendAudit } from '../audit/audit-log.js';
import type { Database } from '../db/schema.js';
import type { Operator } from './purpose.js';

export type PrivacyAction = 'read' | 'extend' | 'erase';
export type SubjectKind = 'complaint' | 'referral';

export interface PrivacyRecord {
  at: number;
  action: PrivacyAction;
  subjectKind: SubjectKind;
  subjectId: string;
  /** complaint | evidence:<digest> | export (reads); '' otherwise. */
  item: string;
  operator: Operator;
  purpose: string;
  reason: string;
  detail: Record<string, unknown>;
}

/** The audit entry's kind: privacy.read.complaint, privacy.read.evidence, privacy.read.export, privacy.extend, privacy.erase. */
export function auditKind(record: { action: string; item: string }): string {
  return record.action === 'read' ? `privacy.read.${record.item.split(':')[0]}` : `privacy.${record.action}`;
}

type Row = Database['privacy_log'];

function recordDigest(row: Omit<Row, 'seq'>): string {
  const body = JSON.stringify([
    1,
    Number(row.at),
    row.action,
    row.subject_kind,
    row.subject_id,
    row.item,
    row.operator_id,
    row.operator_name,
    row.operator_role,
    row.purpose,
    row.reason,
    row.detail,
  ]);
  return sha256Digest(body);
}

/** Appends the records to the audit chain and the privacy log, inside the caller's transaction. */
export async function recordPrivacy(trx: Transaction<Database>, records: PrivacyRecord[]): Promise<void> {
  if (records.length === 0) return;
  const rows = records.map((r) => ({
    at: r.at,
    action: r.action,
    subject_kind: r.subjectKind,
    subject_id: r.subjectId,
    item: r.item,
    operator_id: r.operator.id,
    operator_name: r.operator.name,
    operator_role: r.operator.role,
    purpose: r.purpose,
    reason: r.reason,
    detail: JSON.stringify(r.detail),
  }));
  await appendAudit(
    trx,
    records.map((r, i) => ({ at: r.at, kind: auditKind(r), ref: r.subjectId, digest: recordDigest(rows[i] as Omit<Row, 'seq'>) })),
  );
  // appendAudit numbered them last, contiguously, in this transaction (on PostgreSQL under its lock).
  const head = await readAuditHead(trx);
  const first = (head?.seq ?? records.length) - records.length + 1;
  await trx
    .insertInto('privacy_log')
    .values(rows.map((row, i) => ({ seq: first + i, ...row })))
    .execute();
}

export interface PrivacyEntry {
  seq: number;
  at: number;
  action: string;
  subjectKind: string;
  subjectId: string;
  item: string;
  operator: Operator;
  purpose: string;
  reason: string;
  detail: unknown;
  /** false when the record no longer matches its audit entry (edited), or the audit entry has no record (removed). */
  intact: boolean;
}

/**
 * Everything the privacy log holds about one complaint or received referral, oldest first, each record
 * checked against its audit entry; an audit entry whose record is gone is listed too, as not intact.
 */
export async function privacyHistory(db: Kysely<Database>, subjectId: string): Promise<PrivacyEntry[]> {
  const rows = await db.selectFrom('privacy_log').selectAll().where('subject_id', '=', subjectId).orderBy('seq').execute();
  // The audit entries of this subject (partial index audit_privacy_ref: the predicate is stated literally).
  const entries = await db
    .selectFrom('audit')
    .select(['seq', 'at', 'kind', 'digest'])
    .where('ref', '=', subjectId)
    .where(sql<boolean>`${sql.ref('kind')} like 'privacy.%'`)
    .orderBy('seq')
    .execute();
  const bySeq = new Map(entries.map((e) => [Number(e.seq), e]));
  const listed: PrivacyEntry[] = rows.map((row) => {
    const { seq, ...rest } = row;
    const entry = bySeq.get(Number(seq));
    return {
      seq: Number(seq),
      at: Number(row.at),
      action: row.action,
      subjectKind: row.subject_kind,
      subjectId: row.subject_id,
      item: row.item,
      operator: { id: row.operator_id, name: row.operator_name, role: row.operator_role },
      purpose: row.purpose,
      reason: row.reason,
      detail: parseDetail(row.detail),
      intact: entry !== undefined && entry.digest === recordDigest(rest) && entry.kind === auditKind(row),
    };
  });
  const recorded = new Set(listed.map((e) => e.seq));
  for (const e of entries) {
    if (recorded.has(Number(e.seq))) continue;
    listed.push({
      seq: Number(e.seq),
      at: Number(e.at),
      action: e.kind.split('.')[1] ?? e.kind,
      subjectKind: '',
      subjectId,
      item: '',
      operator: { id: '', name: '', role: '' },
      purpose: '',
      reason: 'the record of this audit entry was removed from the privacy log',
      detail: null,
      intact: false,
    });
  }
  return listed.sort((a, b) => a.seq - b.seq);
}

function parseDetail(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** The tombstone of an erased item: its erase record, or undefined. */
export async function tombstoneOf(db: Kysely<Database>, subjectId: string) {
  return db
    .selectFrom('privacy_log')
    .selectAll()
    .where('subject_id', '=', subjectId)
    .where('action', '=', 'erase')
    .orderBy('seq')
    .executeTakeFirst();
}
