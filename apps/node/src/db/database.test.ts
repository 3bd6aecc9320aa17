import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from './database.js';

const received = (batch: number, count: number, size: number) =>
  Array.from({ length: count }, (_, i) => ({
    message_id: `m-${batch}-${i}`,
    kind: 'referral' as const,
    digest: `sha256:${batch}-${i}`,
    from_country: 'TH',
    jws: 'x'.repeat(size),
    receipt: 'x'.repeat(size),
    received_at: 0,
  }));

describe('the SQLite database', () => {
  it('runs its checkpoint thread only while the log grows: none for a few small writes, stopped after a quiet spell', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'firstlight-db-'));
    const handle = await openDatabase({ location: join(dir, 'node.db'), checkpointer: { idleMs: 300 } });
    try {
      await handle.db
        .insertInto('received')
        .values(received(0, 5, 100))
        .execute();
      // The log's size is looked at ~500 ms after a write: a small log starts no thread.
      await new Promise((r) => setTimeout(r, 1000));
      expect(handle.checkpointing?.()).toBe(false);
      for (let batch = 1; batch <= 10; batch++)
        await handle.db
          .insertInto('received')
          .values(received(batch, 500, 1000))
          .execute();
      await expect.poll(() => handle.checkpoints?.() ?? 0, { timeout: 10_000 }).toBeGreaterThan(0);
      await expect.poll(() => handle.checkpointing?.(), { timeout: 10_000 }).toBe(false);
    } finally {
      await handle.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('checkpoints its write-ahead log on a worker thread, not in the writer’s commits', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'firstlight-db-'));
    const location = join(dir, 'node.db');
    const handle = await openDatabase({ location });
    try {
      const before = statSync(location).size;
      const jws = 'x'.repeat(1000);
      for (let batch = 0; batch < 10; batch++)
        await handle.db.transaction().execute(async (trx) => {
          await trx
            .insertInto('received')
            .values(
              Array.from({ length: 500 }, (_, i) => ({
                message_id: `m-${batch}-${i}`,
                kind: 'referral',
                digest: `sha256:${batch}-${i}`,
                from_country: 'TH',
                jws,
                receipt: jws,
                received_at: 0,
              })),
            )
            .execute();
        });
      // ~10 MB went to the log; the main thread's own checkpoint would wait for ~80 MB, so the
      // database file grows only through the worker's checkpoints.
      await expect.poll(() => handle.checkpoints?.() ?? 0, { timeout: 10_000 }).toBeGreaterThan(0);
      await expect.poll(() => statSync(location).size - before, { timeout: 10_000 }).toBeGreaterThan(5_000_000);
    } finally {
      await handle.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
