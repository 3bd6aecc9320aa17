/**
 * Storing a delivery's outcome in one transaction: the receipt batch and the seal (each kept once),
 * the receipts restated, every accepted message with its receipt (`received`), each applied by its
 * kind's applier in order, the audit entries and the senders' last contact. All or nothing: a failure
 * stores none of it, so the sender's resend is answered afresh.
 */
import { sha256Digest } from '@firstlight/protocol';
import { type AuditEntryInput, appendAudit } from '../audit/audit-log.js';
import type { NodeContext } from '../context.js';
import { insertRows } from '../db/chunks.js';
import { fixed } from '../db/fixed.js';
import { touchPeer } from '../outbox/peers.js';
import { storeBatch } from '../receipts/stored.js';
import { applyInOrder, type MessageAppliers, type Received } from './appliers.js';

export interface ToStore {
  accepted: Array<Received & { receipt: string; seal: string | null }>;
  now: number;
  audit: AuditEntryInput[];
  batch: { digest: string; jws: string } | null;
  restated: Array<{ id: string; digest: string; receipt: string }>;
  seal: { digest: string; jws: string } | null;
}

// Run once per delivery, or per resent message: fixed statements (db/fixed.ts).
const STORE_SEAL = fixed<never, [digest: string, jws: string, at: number]>(
  'insert into seals (digest, jws, at) values (?, ?, ?) on conflict (digest) do nothing',
);
const RESTATE = fixed<never, [receipt: string, id: string, digest: string]>(
  "update received set receipt = ? where message_id = ? and digest = ? and receipt like 'batch:%'",
);

export async function storeDelivery(ctx: NodeContext, appliers: MessageAppliers, s: ToStore): Promise<void> {
  const { accepted, now, batch } = s;
  await ctx.db.transaction().execute(async (trx) => {
    if (batch) await storeBatch(trx, batch.digest, batch.jws, now);
    if (s.seal) await STORE_SEAL.run(trx, [s.seal.digest, s.seal.jws, now]);
    for (const r of s.restated) await RESTATE.run(trx, [r.receipt, r.id, r.digest]);
    const rows = accepted.map(({ result, jws, receipt, seal }) => ({
      message_id: result.message.id,
      kind: result.kind,
      digest: result.digest,
      from_country: result.message.from,
      jws,
      receipt,
      received_at: now,
      seal,
    }));
    await insertRows(trx, 'received', rows, 200);
    await applyInOrder(appliers, trx, accepted, now);
    await appendAudit(trx, [
      ...accepted.flatMap(({ result, receipt }) => {
        const ref = `${result.message.id}@${result.message.from}`;
        const received: AuditEntryInput = { at: now, kind: `received.${result.kind}`, ref, digest: result.digest };
        // A batch's verdicts are audited once, by the batch's own entry.
        return batch ? [received] : [received, { at: now, kind: 'sent.receipt', ref, digest: sha256Digest(receipt) }];
      }),
      ...s.audit,
    ]);
    for (const sender of new Set(accepted.map((a) => a.result.message.from))) await touchPeer(trx, sender, now);
  });
  for (const { result } of accepted) ctx.metrics.messages.inc({ direction: 'in', type: result.kind, outcome: 'accepted' });
}
