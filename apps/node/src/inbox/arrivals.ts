/**
 * News of the inbox for those who wait on it: `bureau.inbox.since` with `waitMs` parks a bureau's case
 * system here until a referral is stored, instead of it asking again and again (a case system that
 * polls five times a second costs its node more CPU while idle than a referral does). The wait is
 * signalled by this process's inbox only; another process sharing the database stores what this one
 * cannot hear of, so a waiter looks at the database again at least every `RECHECK_MS` as well.
 */

/** The longest wait `bureau.inbox.since` accepts (a proxy in between may cut a request idle longer). */
export const MAX_WAIT_MS = 25_000;
/** A waiter looks at the database again at least this often (another process may have stored a referral). */
export const RECHECK_MS = 1_000;
/** At most this many requests wait at once; beyond it a call is answered at once, as without a wait. */
export const MAX_WAITERS = 256;

export class Arrivals {
  private readonly waiters = new Set<() => void>();
  private closed = false;

  /** A referral was stored: every waiter looks again now. */
  notify(): void {
    const waiting = [...this.waiters];
    this.waiters.clear();
    for (const wake of waiting) wake();
  }

  /** Whether a new waiter is taken (not closed, and under MAX_WAITERS). */
  get open(): boolean {
    return !this.closed && this.waiters.size < MAX_WAITERS;
  }

  /**
   * Resolves at the next notify, after `ms`, when `signal` aborts (the client went away), or at once
   * when closed or full. Never rejects.
   */
  wait(ms: number, signal?: AbortSignal): Promise<void> {
    if (!this.open || ms <= 0 || signal?.aborted) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal?.addEventListener('abort', done, { once: true });
      this.waiters.add(done);
    });
  }

  /** The node stops: every waiter is answered now, and no new one waits. */
  close(): void {
    this.closed = true;
    this.notify();
  }

  /** How many requests wait now (for tests and health). */
  get waiting(): number {
    return this.waiters.size;
  }
}

/**
 * Asks `look` until it finds something, the wait (real time, whatever the node's clock says) is over,
 * or the client goes away: once at once, then again on each arrival and at least every RECHECK_MS.
 * Answers the last look.
 */
export async function lookUntil<T>(
  arrivals: Arrivals,
  waitMs: number,
  signal: AbortSignal | undefined,
  look: () => Promise<T>,
  found: (answer: T) => boolean,
): Promise<T> {
  const until = performance.now() + waitMs;
  let answer = await look();
  while (!found(answer) && arrivals.open && !signal?.aborted) {
    const left = until - performance.now();
    if (left <= 0) break;
    await arrivals.wait(Math.min(left, RECHECK_MS), signal);
    if (signal?.aborted) break;
    answer = await look();
  }
  return answer;
}
