/**
 * What a node does with each kind of message federation.deliver carries (DELIVERED_KINDS): one entry
 * per kind, so a kind added to the protocol's delivered kinds is a compile error here until it has an
 * applier. A national bureau and the liaison office register their own (national-applier.ts,
 * liaison/applier.ts). An applier never verifies: it is handed messages that passed every check, in
 * the store's transaction.
 */
import { DELIVERED_KINDS, type DeliveredKind, type MessageByType, type ProtocolError, type Verified } from '@firstlight/protocol';
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/schema.js';

export interface Delivered<K extends DeliveredKind> {
  message: MessageByType[K];
  jws: string;
}

export interface KindApplier<K extends DeliveredKind> {
  /** A batch's run of this kind, in order, with the result of applying them one after another. */
  apply(trx: Transaction<Database>, items: Array<Delivered<K>>, now: number): Promise<void>;
  /**
   * Why this node must refuse each verified message (it is not the signer's word to give), or null to
   * apply it. Asked before the store, so the refusal is signed like any other.
   */
  refuse?(db: Kysely<Database>, messages: Array<MessageByType[K]>): Promise<Array<ProtocolError | null>>;
}

export type MessageAppliers = { [K in DeliveredKind]: KindApplier<K> };

/** A verified message as the inbox holds it: the verify result and the exact bytes. */
export interface Received {
  result: Verified<DeliveredKind>;
  jws: string;
}

/** Applies accepted messages in their order: each run of one kind at once (a status after the referrals before it). */
export async function applyInOrder(
  appliers: MessageAppliers,
  trx: Transaction<Database>,
  accepted: Received[],
  now: number,
): Promise<void> {
  let start = 0;
  for (let i = 1; i <= accepted.length; i++) {
    const kind = accepted[start]?.result.kind;
    if (kind === undefined || (i < accepted.length && accepted[i]?.result.kind === kind)) continue;
    await applyRun(appliers, kind, trx, accepted.slice(start, i), now);
    start = i;
  }
}

function applyRun<K extends DeliveredKind>(appliers: MessageAppliers, kind: K, trx: Transaction<Database>, run: Received[], now: number) {
  return appliers[kind].apply(
    trx,
    run.map((r) => ({ message: r.result.message as MessageByType[K], jws: r.jws })),
    now,
  );
}

/** Each verified message's refusal by its kind's applier, by position (messages no applier refuses are left out). */
export async function refusals(
  appliers: MessageAppliers,
  db: Kysely<Database>,
  results: ReadonlyArray<{ ok: boolean; kind?: DeliveredKind; message?: unknown } | null>,
): Promise<Map<number, ProtocolError>> {
  const refused = new Map<number, ProtocolError>();
  for (const kind of DELIVERED_KINDS) await refusalsOf(appliers, kind, db, results, refused);
  return refused;
}

async function refusalsOf<K extends DeliveredKind>(
  appliers: MessageAppliers,
  kind: K,
  db: Kysely<Database>,
  results: ReadonlyArray<{ ok: boolean; kind?: DeliveredKind; message?: unknown } | null>,
  into: Map<number, ProtocolError>,
): Promise<void> {
  const refuse = appliers[kind].refuse;
  if (!refuse) return;
  const at = results.flatMap((r, i) => (r?.ok && r.kind === kind ? [i] : []));
  if (at.length === 0) return;
  const errors = await refuse(
    db,
    at.map((i) => results[i]?.message as MessageByType[K]),
  );
  at.forEach((i, k) => {
    const error = errors[k];
    if (error) into.set(i, error);
  });
}
