/**
 * A new row wakes the outbox at once (issue #22): with the poll timer set to an hour, only the wake can
 * deliver. The race it must survive: a peer's drain has just claimed nothing when a row for that peer
 * is committed and the worker woken; the tick skips a peer in flight, so without the drain claiming
 * once more the row would wait for the poll. The race is made certain, not hoped for: the claim that
 * finds nothing files the next referral and wakes the worker before it answers.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type * as outbox from '../src/outbox/outbox.js';
import { OutboxWorker } from '../src/outbox/worker.js';
import { createTestFederation, type TestFederation } from '../src/testing/federation.js';
import { refer } from '../src/testing/fixtures.js';

const hooks = vi.hoisted(() => ({ onEmptyClaim: null as null | ((peer: string) => Promise<void>), ticks: 0 }));

vi.mock('../src/outbox/outbox.js', async (importOriginal) => {
  const original = await importOriginal<typeof outbox>();
  return {
    ...original,
    // Counts the worker's looks at the queue (one per tick), once answered.
    duePeers: async (...args: Parameters<typeof original.duePeers>) => {
      const peers = await original.duePeers(...args);
      hooks.ticks += 1;
      return peers;
    },
    claim: async (...args: Parameters<typeof original.claim>) => {
      const rows = await original.claim(...args);
      const hook = hooks.onEmptyClaim;
      if (rows.length === 0 && hook && args[1].peer === 'KH') {
        hooks.onEmptyClaim = null;
        await hook(args[1].peer);
      }
      return rows;
    },
  };
});

describe('outbox wake', () => {
  let f: TestFederation;
  let worker: OutboxWorker;
  beforeAll(async () => {
    f = await createTestFederation({ countries: ['TH', 'KH'] });
    // TH's own worker is replaced by one whose poll timer never fires during the test.
    await f.node('TH').services.worker.stop();
    worker = new OutboxWorker(f.node('TH').ctx, { idleMs: 3_600_000 });
    worker.start();
  });
  afterAll(async () => {
    await worker.stop();
    await f.close();
  });

  const stateFor = async (id: string) =>
    (
      await f
        .node('TH')
        .ctx.db.selectFrom('outbox')
        .select('state')
        .where('message_id', '=', id)
        .where('peer', '=', 'KH')
        .executeTakeFirst()
    )?.state;

  it('delivers a row queued while the worker idles, without the poll timer', async () => {
    const token = await f.token(f.node('TH'), 'officer');
    const { id } = await refer(f, f.node('TH'), token, 'KH');
    expect(await stateFor(id)).toBe('queued');
    worker.wake();
    await f.until(async () => (await stateFor(id)) === 'delivered', 20_000);
  });

  it('delivers a row committed after its peer’s drain last claimed, while that drain is still in flight', async () => {
    const token = await f.token(f.node('TH'), 'officer');
    let second: string | null = null;
    hooks.onEmptyClaim = async () => {
      second = (await refer(f, f.node('TH'), token, 'KH', { offset: 2 })).id;
      const ticks = hooks.ticks;
      worker.wake();
      // The tick the wake starts runs, and finds KH in flight, before this claim answers: the race.
      while (hooks.ticks === ticks) await new Promise((r) => setTimeout(r, 5));
    };
    const { id } = await refer(f, f.node('TH'), token, 'KH', { offset: 1 });
    worker.wake();
    await f.until(async () => (await stateFor(id)) === 'delivered', 20_000);
    await f.until(() => second, 20_000);
    await f.until(async () => (await stateFor(second as string)) === 'delivered', 20_000);
  });
});
