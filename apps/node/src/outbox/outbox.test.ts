import { describe, expect, it } from 'vitest';
import { backoffMs } from './outbox.js';

describe('delivery backoff', () => {
  it('grows exponentially, is capped, and never drops below the base', () => {
    const lowest = (n: number) => backoffMs(n, 500, 60_000, () => 0);
    const highest = (n: number) => backoffMs(n, 500, 60_000, () => 0.999999);
    expect(lowest(1)).toBe(500);
    expect(highest(1)).toBeLessThanOrEqual(1000);
    expect(highest(5)).toBeGreaterThan(highest(3));
    expect(highest(40)).toBeLessThanOrEqual(60_000);
    expect(lowest(40)).toBeGreaterThanOrEqual(30_000);
  });

  it('spreads retries with jitter', () => {
    let x = 0;
    const values = new Set(Array.from({ length: 20 }, () => backoffMs(6, 500, 60_000, () => (x = (x + 0.37) % 1))));
    expect(values.size).toBeGreaterThan(5);
  });
});
