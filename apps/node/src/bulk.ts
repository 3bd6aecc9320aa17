/**
 * Bulk operator calls (a bureau working its queue, or importing a day's complaints): every item is
 * checked on its own and answered on its own, in order; the items that pass are written in one
 * transaction, so one refused item never costs the others and a failure of the database writes none.
 */
import { sha256Digest } from '@firstlight/protocol';
import type { Kysely, Transaction } from 'kysely';
import { z } from 'zod';
import { fixed } from './db/fixed.js';
import type { Database } from './db/schema.js';
import { isUniqueViolation } from './db/violations.js';
import { NodeError, type NodeErrorCode } from './errors.js';

/** Items per bulk call: one transaction and one outbox wake for all of them. */
export const MAX_BULK_ITEMS = 500;

export const bulkOf = <T extends z.ZodType>(item: T) => z.array(item).min(1).max(MAX_BULK_ITEMS);

export type ItemResult<T> = ({ ok: true } & T) | { ok: false; code: NodeErrorCode; message: string };

/** Runs `prepare` on each item in order: a NodeError refuses that item only; any other error fails the call. */
export async function prepareEach<I, P>(items: readonly I[], prepare: (item: I) => Promise<P> | P): Promise<Array<P | NodeError>> {
  const out: Array<P | NodeError> = [];
  for (const item of items) {
    try {
      out.push(await prepare(item));
    } catch (error) {
      if (!(error instanceof NodeError)) throw error;
      out.push(error);
    }
  }
  return out;
}

/** The items that passed, for the one write. */
export const passed = <P>(prepared: Array<P | NodeError>): P[] => prepared.filter((p): p is P => !(p instanceof NodeError));

/** The answer of a bulk call: each item's result or its refusal (code and message). */
export const itemResults = <P, T>(prepared: Array<P | NodeError>, result: (p: P) => T): ItemResult<T>[] =>
  prepared.map((p) => (p instanceof NodeError ? { ok: false, code: p.code, message: p.message } : { ok: true, ...result(p) }));

/** The single-item form of a bulk call: the prepared item, or its refusal thrown as is. */
export function single<P>(prepared: Array<P | NodeError>): P {
  const [first] = prepared;
  if (first === undefined) throw new NodeError('ERR_INTERNAL', 'a single-item call prepared nothing');
  if (first instanceof NodeError) throw first;
  return first;
}

/**
 * A bulk call's optional idempotency key, chosen by the caller (a UUID) and sent again unchanged with
 * every retry of the same call: the retry is answered from the first call's stored answer.
 */
export const requestIdField = z.uuid().optional();

/** How long a bulk call's answer is kept for its retries. */
export const REQUEST_RETENTION_MS = 7 * 24 * 3600 * 1000;

/** Stores the call's answer in the transaction that writes its effects. */
export type Remember<T> = (trx: Transaction<Database>, response: T) => Promise<void>;

// Every bulk call with a requestId runs these (a bureau's filing and status calls): fixed statements.
const STORED_ANSWER = fixed<{ digest: string; response: string }, [procedure: string, requestId: string]>(
  'select digest, response from bulk_requests where "procedure" = ? and request_id = ?',
);
const FORGET_ANSWERS = fixed<never, [before: number]>('delete from bulk_requests where at < ?');
const REMEMBER_ANSWER = fixed<never, [procedure: string, requestId: string, digest: string, response: string, at: number]>(
  'insert into bulk_requests ("procedure", request_id, digest, response, at) values (?, ?, ?, ?, ?)',
);

/**
 * Runs a bulk call at most once per requestId. The answer is stored (by `remember`, inside the call's
 * own transaction) with the digest of the input, so a retry of the same call returns that answer and
 * writes nothing, and a requestId reused for different input is refused (ERR_CONFLICT). A call that
 * wrote nothing (every item refused) stores nothing: its retry is simply run again. Without a
 * requestId the call just runs.
 */
export async function once<T>(
  db: Kysely<Database>,
  call: { procedure: string; requestId: string | undefined; input: unknown; now: number },
  run: (remember: Remember<T>) => Promise<T>,
): Promise<T> {
  const { procedure, requestId, now } = call;
  if (requestId === undefined) return run(async () => undefined);
  const digest = sha256Digest(JSON.stringify(call.input));
  const stored = async (): Promise<{ response: T } | null> => {
    const [row] = await STORED_ANSWER.rows(db, [procedure, requestId]);
    if (!row) return null;
    if (row.digest !== digest)
      throw new NodeError(
        'ERR_CONFLICT',
        `requestId ${requestId} was already used for a different ${procedure} call: a new call needs a new requestId`,
      );
    return { response: JSON.parse(row.response) as T };
  };
  const earlier = await stored();
  if (earlier) return earlier.response;
  try {
    return await run(async (trx, response) => {
      await FORGET_ANSWERS.run(trx, [now - REQUEST_RETENTION_MS]);
      await REMEMBER_ANSWER.run(trx, [procedure, requestId, digest, JSON.stringify(response), now]);
    });
  } catch (error) {
    // The same call running twice at once: the one that committed first answers both (the other's
    // transaction was rolled back whole).
    if (!isUniqueViolation(error)) throw error;
    const raced = await stored();
    if (raced) return raced.response;
    throw error;
  }
}
