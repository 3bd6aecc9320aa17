/**
 * A full disk (issue #17, defect 7): the recipient answers a stated, retryable storage error
 * (ERR_STORAGE, HTTP 503) instead of "HTTP 500: internal error", counts it in /metrics and shows it in
 * health; nothing is lost, and the sender's retry delivers once there is room again.
 * The recipient's data folder is a small tmpfs of its own, filled to the last byte (root is needed to
 * mount it, as in CI); SQLite only, as PostgreSQL keeps its data elsewhere: there the same mapping takes
 * disk_full (53100), checked by storageFailure's unit test below.
 */
import { execFileSync } from 'node:child_process';
import { appendFileSync, cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storageFailure } from '../src/db/storage-errors.js';
import { createTestFederation, type TestFederation } from '../src/testing/federation.js';
import { refer } from '../src/testing/fixtures.js';
import { testsUsePostgres } from '../src/testing/scratch-db.js';

const root = process.getuid?.() === 0;

describe.skipIf(testsUsePostgres() || !root)('a full disk at the recipient', () => {
  let f: TestFederation;
  let mounted: string | null = null;
  beforeAll(async () => {
    f = await createTestFederation({ countries: ['TH', 'VN'] });
  });
  afterAll(async () => {
    await f
      .node('VN')
      .stop()
      .catch(() => undefined);
    if (mounted) execFileSync('umount', ['-l', mounted]);
    await f.close();
  });

  it('answers ERR_STORAGE (503, retryable), signals it in health and /metrics, and loses nothing', async () => {
    const th = f.node('TH');
    // VN's data folder on a small file system of its own, filled to the last byte.
    const dir = join(f.root, 'VN');
    await f.node('VN').stop();
    const saved = mkdtempSync(join(tmpdir(), 'firstlight-vn-'));
    cpSync(dir, saved, { recursive: true });
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64m', 'tmpfs', dir]);
    mounted = dir;
    cpSync(saved, dir, { recursive: true });
    const vn = await f.restart('VN');
    const filler = join(dir, 'filler');
    const chunk = Buffer.alloc(1 << 20);
    for (let size = chunk.length; size >= 1; ) {
      try {
        appendFileSync(filler, chunk.subarray(0, size));
      } catch {
        size = Math.floor(size / 2);
      }
    }

    const sent = await refer(f, th, await f.token(th, 'officer'), 'VN');
    const row = () =>
      th.ctx.db
        .selectFrom('outbox')
        .select(['state', 'last_error', 'attempts'])
        .where('message_id', '=', sent.id)
        .where('peer', '=', 'VN')
        .executeTakeFirstOrThrow();
    const failing = await f.until(async () => {
      const r = await row();
      return r.attempts >= 1 && r.last_error ? r : null;
    });
    expect(failing.state).toBe('queued');
    expect(failing.last_error).toMatch(/^HTTP 503: this node cannot write to its storage \((SQLITE_FULL|SQLITE_IOERR\w*|ENOSPC)\)/);

    const health = (await (await fetch(`${vn.url}/trpc/federation.health`)).json()) as {
      result: { data: { storage: { lastFailureAt: string | null; code: string | null } } };
    };
    expect(health.result.data.storage).toMatchObject({
      code: expect.stringMatching(/^(SQLITE_|ENOSPC)/),
      lastFailureAt: expect.any(String),
    });
    const metrics = await vn.ctx.metrics.registry.getSingleMetricAsString('firstlight_storage_errors_total');
    expect(metrics).toMatch(/firstlight_storage_errors_total\{code="(SQLITE_\w+|ENOSPC)",party="VN"\} [1-9]/);

    // Room again: the sender's retry delivers it, once.
    rmSync(filler);
    await f.until(async () => (await row()).state === 'delivered', 30_000);
    const officer = await f.token(vn, 'officer');
    expect((await f.client(vn, officer).bureau.inbox.list.query()).filter((r) => r.id === sent.id)).toHaveLength(1);
  });

  it('tells storage failures from bugs on every database', () => {
    expect(storageFailure(Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' }))).toBe('SQLITE_FULL');
    expect(storageFailure(Object.assign(new Error('x'), { code: 'SQLITE_IOERR_WRITE' }))).toBe('SQLITE_IOERR_WRITE');
    expect(storageFailure(new Error('wrapped', { cause: Object.assign(new Error('could not extend file'), { code: '53100' }) }))).toBe(
      '53100',
    );
    expect(storageFailure(Object.assign(new Error('no space'), { code: 'ENOSPC' }))).toBe('ENOSPC');
    expect(storageFailure(Object.assign(new Error('unique'), { code: 'SQLITE_CONSTRAINT_PRIMARYKEY' }))).toBeNull();
    expect(storageFailure(new TypeError('a bug'))).toBeNull();
  });
});
