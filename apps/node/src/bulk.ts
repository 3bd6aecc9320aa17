/**
 * Bulk operator calls (a bureau working its queue, or importing a day's complaints): every item is
 * checked on its own and answered on its own, in order; the items that pass are written in one
 * transaction, so one refused item never costs the others and a failure of the database writes none.
 */
import { z } from 'zod';
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
