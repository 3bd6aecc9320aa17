import { describe, expect, it } from 'vitest';
import { deliveryGroups, lifecycleFloor } from '../src/floor.js';

// The lifecycle floor counts what bench/README.md says it counts ("The lifecycle floor"): these tests
// fail if a signature, a verification or a row is added or dropped without the README following.
describe('lifecycle floor', () => {
  it('splits messages into deliveries of the federation mean size, its share of lone envelopes first', () => {
    const groups = deliveryGroups(
      Array.from({ length: 100 }, (_, i) => i),
      { messages: 1000, deliveries: 80, sealed: 60 },
    );
    expect(groups).toHaveLength(8);
    expect(groups.filter((g) => g.length === 1)).toHaveLength(2);
    expect(groups.flat()).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(Math.max(...groups.map((g) => g.length)) - Math.min(...groups.slice(2).map((g) => g.length))).toBeLessThanOrEqual(1);
  });

  it('counts per referral the signatures, verifications, rows and transactions the README lists', async () => {
    // 20 referrals, 5 statuses each; deliveries of 10 to national nodes and 20 to the office, all sealed;
    // one signing transaction per phase (20 referrals, then 20 statuses a round).
    const floor = await lifecycleFloor(
      {
        statusesPerReferral: 5,
        national: { messages: 100, deliveries: 10, sealed: 10 },
        liaison: { messages: 100, deliveries: 5, sealed: 5 },
        filingBatch: 20,
        statusBatch: 20,
      },
      { referrals: 20, rounds: 1 },
    );
    // 6 phases of 20 messages, each delivered in 2 + 1 deliveries: 18 deliveries, each sealed and receipted.
    expect(floor.seals).toBe(18 / 20);
    expect(floor.receiptBatches).toBe(18 / 20);
    expect(floor.signatures).toBe((120 + 18 + 18) / 20);
    expect(floor.verifications).toBe((18 + 18) / 20);
    // Signing: 4 rows a referral, 5 a status, 1 audit head a transaction. Per delivery: 5 at the recipient
    // (seal, batch, their 2 audit entries, head) + 2 per envelope (+1 for a status's referral), 3 at the
    // sender (batch, audit, head) + 1 per envelope.
    const signing = 20 * 4 + 1 + 5 * (20 * 5 + 1);
    const referralDeliveries = 3 * (5 + 3) + 20 * 2 * (2 + 1);
    const statusDeliveries = 5 * (3 * (5 + 3) + 20 * 2 * (3 + 1));
    expect(floor.rows).toBe((signing + referralDeliveries + statusDeliveries) / 20);
    expect(floor.transactions).toBe((6 + 18 * 2) / 20);
    for (const x of [floor.us, floor.cryptoUs, floor.rowsUs, floor.signUs, floor.verifyUs]) {
      expect(Number.isFinite(x)).toBe(true);
      expect(x).toBeGreaterThan(0);
    }
  });
});
