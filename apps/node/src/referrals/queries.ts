/** Reading referrals this country sent, with each copy's delivery state from the outbox. */
import type { Kysely } from 'kysely';
import { inList } from '../db/chunks.js';
import type { Database } from '../db/schema.js';
import { NodeError } from '../errors.js';
import { resolveReceipts } from '../receipts/stored.js';

type Row = Database['referrals_out'];

function parseJson<T>(text: string | null): T | null {
  return text === null ? null : (JSON.parse(text) as T);
}

async function deliveries(db: Kysely<Database>, ids: string[]) {
  if (ids.length === 0) return new Map<string, Array<Record<string, unknown>>>();
  const rows = await db
    .selectFrom('outbox')
    .select(['id', 'message_id', 'peer', 'state', 'attempts', 'next_attempt_at', 'last_error', 'receipt_code', 'delivered_at', 'receipt'])
    .where('message_id', 'in', inList(ids))
    .execute();
  const receipts = await resolveReceipts(
    db,
    rows.map((r) => r.receipt),
  );
  const map = new Map<string, Array<Record<string, unknown>>>();
  for (const [i, r] of rows.entries()) {
    const state = r.state === 'queued' && r.attempts > 0 ? 'retrying' : r.state;
    const list = map.get(r.message_id) ?? [];
    list.push({
      outboxId: r.id,
      peer: r.peer,
      state,
      attempts: r.attempts,
      nextAttemptAt: r.state === 'queued' ? Number(r.next_attempt_at) : null,
      lastError: r.last_error,
      rejectedCode: r.receipt_code,
      deliveredAt: r.delivered_at === null ? null : Number(r.delivered_at),
      /** The signed receipt (or receipt batch) that answered this copy, and the verdict's place in a batch. */
      receipt: receipts[i]?.jws ?? null,
      receiptIndex: receipts[i]?.index ?? null,
    });
    map.set(r.message_id, list);
  }
  return map;
}

function present(row: Row, delivery: Array<Record<string, unknown>>) {
  return {
    id: row.id,
    complaintId: row.complaint_id,
    to: row.to_country,
    routedCountry: row.routed_country,
    overrideReason: row.override_reason,
    ip: row.ip,
    port: row.port,
    seenAt: row.seen_at,
    action: row.action,
    urgency: row.urgency,
    operation: row.operation,
    evidence: parseJson<string[]>(row.evidence) ?? [],
    iat: Number(row.iat),
    exp: Number(row.exp),
    createdAt: Number(row.created_at),
    createdBy: row.created_by,
    state: row.state,
    outcome: parseJson<Record<string, number>>(row.outcome),
    reason: row.reason,
    delivery,
  };
}

export async function listReferralsOut(
  db: Kysely<Database>,
  options: { limit: number; before?: number | undefined; complaintId?: string | undefined },
) {
  let q = db.selectFrom('referrals_out').selectAll().orderBy('created_at', 'desc').limit(options.limit);
  if (options.before !== undefined) q = q.where('created_at', '<', options.before);
  // The referrals made from one complaint (its case page).
  if (options.complaintId !== undefined) q = q.where('complaint_id', '=', options.complaintId);
  const rows = await q.execute();
  const d = await deliveries(
    db,
    rows.map((r) => r.id),
  );
  return rows.map((r) => present(r, d.get(r.id) ?? []));
}

export async function getReferralOut(db: Kysely<Database>, id: string) {
  const row = await db.selectFrom('referrals_out').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw new NodeError('ERR_NOT_FOUND', `no referral ${id} sent from this node`);
  const d = await deliveries(db, [id]);
  const statuses = await db.selectFrom('statuses').selectAll().where('referral_id', '=', id).orderBy('iat').execute();
  return {
    ...present(row, d.get(id) ?? []),
    jws: row.jws,
    statuses: statuses.map((s) => ({
      id: s.id,
      state: s.state,
      outcome: parseJson<Record<string, number>>(s.outcome),
      reason: s.reason,
      iat: Number(s.iat),
      from: s.from_country,
      jws: s.jws,
    })),
  };
}
