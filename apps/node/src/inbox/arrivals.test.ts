import { describe, expect, it } from 'vitest';
import { Arrivals, lookUntil, MAX_WAITERS, RECHECK_MS } from './arrivals.js';

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('waiting for arrivals (bureau.inbox.since with waitMs)', () => {
  it('answers a waiter at the arrival, long before its recheck', async () => {
    const arrivals = new Arrivals();
    let stored = false;
    let looks = 0;
    const started = performance.now();
    const answer = lookUntil(
      arrivals,
      10_000,
      undefined,
      async () => {
        looks += 1;
        return stored ? ['referral'] : [];
      },
      (items) => items.length > 0,
    );
    await pause(50);
    expect(arrivals.waiting).toBe(1);
    stored = true;
    arrivals.notify();
    expect(await answer).toEqual(['referral']);
    expect(performance.now() - started).toBeLessThan(RECHECK_MS);
    expect(looks).toBe(2);
    expect(arrivals.waiting).toBe(0);
  });

  it('looks again at least every second (another process may store what this one never hears of)', async () => {
    const arrivals = new Arrivals();
    let looks = 0;
    const answer = await lookUntil(
      arrivals,
      2_500,
      undefined,
      async () => {
        looks += 1;
        return looks >= 3 ? ['found on the third look'] : [];
      },
      (items) => items.length > 0,
    );
    expect(answer).toEqual(['found on the third look']);
    expect(looks).toBe(3);
  });

  it('answers empty when the wait is over, at once when the client goes away or the node stops', async () => {
    const arrivals = new Arrivals();
    const empty = async () => [] as string[];
    const none = (items: string[]) => items.length > 0;
    let started = performance.now();
    expect(await lookUntil(arrivals, 200, undefined, empty, none)).toEqual([]);
    expect(performance.now() - started).toBeGreaterThanOrEqual(190);

    const client = new AbortController();
    started = performance.now();
    const gone = lookUntil(arrivals, 10_000, client.signal, empty, none);
    await pause(20);
    client.abort();
    expect(await gone).toEqual([]);
    expect(performance.now() - started).toBeLessThan(RECHECK_MS);
    expect(arrivals.waiting).toBe(0);

    started = performance.now();
    const stopping = lookUntil(arrivals, 10_000, undefined, empty, none);
    await pause(20);
    arrivals.close();
    expect(await stopping).toEqual([]);
    expect(performance.now() - started).toBeLessThan(RECHECK_MS);
    // Once stopped, nothing waits.
    started = performance.now();
    expect(await lookUntil(arrivals, 10_000, undefined, empty, none)).toEqual([]);
    expect(performance.now() - started).toBeLessThan(100);
  });

  it('takes at most MAX_WAITERS waiters; beyond them a call is answered at once', async () => {
    const arrivals = new Arrivals();
    const parked = Array.from({ length: MAX_WAITERS }, () => arrivals.wait(10_000));
    expect(arrivals.waiting).toBe(MAX_WAITERS);
    expect(arrivals.open).toBe(false);
    const started = performance.now();
    let looks = 0;
    await lookUntil(
      arrivals,
      10_000,
      undefined,
      async () => {
        looks += 1;
        return [];
      },
      () => false,
    );
    expect(performance.now() - started).toBeLessThan(100);
    expect(looks).toBe(1);
    arrivals.notify();
    await Promise.all(parked);
    expect(arrivals.waiting).toBe(0);
  });
});
