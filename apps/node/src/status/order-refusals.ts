/**
 * The order rule (PROTOCOL.md §2.2.1) applied to a batch of received statuses, as both the origin
 * (inbox/status-authority.ts) and the liaison office (liaison/applier.ts) apply it, so the two keep the
 * same statuses: each status is judged among those held from its sender about its referral plus those
 * of the batch already passed. It never reads the database; the caller loads what is held.
 */
import { ProtocolError, type Status, statusOrderProblem } from '@firstlight/protocol';

export type HeldStatus = Pick<Status, 'state' | 'iat'>;

/** Statuses held, grouped by a key the caller chooses (who spoke to whom about which referral). */
export class HeldStatuses {
  private readonly byKey = new Map<string, HeldStatus[]>();

  /** The statuses under `key`: the same array each time, so what a batch passes is judged with. */
  of(key: string): HeldStatus[] {
    let list = this.byKey.get(key);
    if (!list) {
      list = [];
      this.byKey.set(key, list);
    }
    return list;
  }
}

/**
 * ERR_STATUS_ORDER for a status the order rule refuses after `earlier`; null when it passes, in which
 * case it joins `earlier` for the statuses after it in the batch.
 */
export function orderRefusal(earlier: HeldStatus[], status: Status): ProtocolError | null {
  const problem = statusOrderProblem(earlier, status);
  if (problem)
    return new ProtocolError('ERR_STATUS_ORDER', `status ${status.id} on referral ${status.referral}: ${problem}`, {
      id: status.id,
      referral: status.referral,
    });
  earlier.push(status);
  return null;
}
