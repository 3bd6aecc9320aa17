/**
 * Several node processes in front of one PostgreSQL database: 10,000 referrals delivered to a peer by
 * three `firstlight start` processes of the same country, one of them killed with SIGKILL mid-way.
 * Each process must be seen answering and delivering before the kill, or the test proves nothing.
 * Runs in the PostgreSQL pass of the suite (FIRSTLIGHT_TEST_DATABASE=postgres).
 */
import { createTRPCClient, httpLink } from '@trpc/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppRouter } from '../src/api/app-router.js';
import { verifyAudit } from '../src/audit/audit-log.js';
import { createToken } from '../src/auth/tokens.js';
import { createLogger } from '../src/logging/logger.js';
import { openNode } from '../src/node.js';
import { createReferral } from '../src/referrals/referrals.js';
import { createTestFederation, type TestFederation, testIndex } from '../src/testing/federation.js';
import { ipIn, seedCase } from '../src/testing/fixtures.js';
import { testsUsePostgres } from '../src/testing/scratch-db.js';
import { acceptedOut, isRunning, type NodeProcess, startNodeProcess } from './helpers/node-process.js';

const TOTAL = 10_000;

describe.runIf(testsUsePostgres())('three node processes sharing one PostgreSQL database', () => {
  let f: TestFederation;
  const processes: NodeProcess[] = [];
  let reader = '';
  beforeAll(async () => {
    f = await createTestFederation({ countries: ['TH', 'KH'] });
  });
  afterAll(async () => {
    for (const p of processes) if (isRunning(p.child)) p.child.kill('SIGKILL');
    await f?.close();
  });

  it('deliver 10,000 referrals exactly once while one of them is killed, with one valid audit chain', async () => {
    const th = f.node('TH');
    const thDir = th.ctx.dataDir;
    const khIp = ipIn(f, 'KH', 5);
    await th.stop();
    const t0 = performance.now();

    // Queue 10,000 referrals through the node's own referral-creating code, while no TH process runs.
    const opened = await openNode({ dataDir: thDir, logger: createLogger({ level: 'silent' }) });
    try {
      const seeded = await seedCase(opened, thDir);
      const index = testIndex();
      for (let i = 0; i < TOTAL; i += 50) {
        await Promise.all(Array.from({ length: 50 }, () => createReferral(opened.ctx, index, seeded.referral(khIp), 'load-test')));
      }
    } finally {
      await opened.close();
    }
    console.log(`queued ${TOTAL} in ${Math.round(performance.now() - t0)} ms`);
    // Held back until all three processes answer, so that all three take part from the start: by a claim
    // that no process holds, since each process makes every queued row due as it starts (bringForward),
    // so a due time in the future would not hold them.
    const queue = await openNode({ dataDir: thDir, logger: createLogger({ level: 'silent' }) });
    try {
      await queue.ctx.db
        .updateTable('outbox')
        .set({ claimed_by: 'held-by-the-test', claimed_until: Date.now() + 3_600_000 })
        .where('state', '=', 'queued')
        .execute();
      // /metrics answers an auditor's token (the processes share the database, so one token serves all three).
      reader = (await createToken(queue.ctx.db, { name: 'metrics', role: 'auditor', nodeRole: 'national', now: Date.now() })).token;
      // Three processes of TH on the same database.
      processes.push(...(await Promise.all([0, 1, 2].map(() => startNodeProcess(thDir)))));
      expect(new Set(processes.map((p) => p.url)).size).toBe(3);
      for (const p of processes) {
        const health = await createTRPCClient<AppRouter>({ links: [httpLink({ url: `${p.url}/trpc` })] }).federation.health.query();
        expect(health).toMatchObject({ status: 'ok', country: 'TH', role: 'national' });
        expect(await acceptedOut(p.url, reader)).toBe(0);
      }
      await queue.ctx.db
        .updateTable('outbox')
        .set({ claimed_by: null, claimed_until: null, next_attempt_at: Date.now() })
        .where('state', '=', 'queued')
        .execute();
    } finally {
      await queue.close();
    }

    const kh = f.node('KH');
    const received = async () =>
      Number(
        (
          await kh.ctx.db
            .selectFrom('referrals_in')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    // Each process has delivered some (by its own metrics), and a quarter have arrived: kill one.
    const before = await f.until(async () => {
      if ((await received()) < TOTAL / 4) return null;
      const counts = await Promise.all(processes.map((p) => acceptedOut(p.url, reader)));
      return counts.every((n) => n > 0) ? counts : null;
    }, 120_000);
    console.log(`accepted per process before the kill: ${before.join(', ')}`);
    const victim = processes[1] as NodeProcess;
    victim.child.kill('SIGKILL');
    await new Promise((r) => victim.child.once('exit', r));
    expect(await received()).toBeLessThan(TOTAL);

    await f.until(async () => (await received()) >= TOTAL, 240_000);
    console.log(`delivered ${TOTAL} in ${Math.round(performance.now() - t0)} ms`);
    const check = await openNode({ dataDir: thDir, logger: createLogger({ level: 'silent' }) });
    try {
      await f.until(async () => {
        const open = await check.ctx.db
          .selectFrom('outbox')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('state', '!=', 'delivered')
          .executeTakeFirstOrThrow();
        return Number(open.n) === 0;
      }, 120_000);
      // The survivors kept delivering after the kill.
      for (const p of [processes[0], processes[2]] as NodeProcess[]) {
        expect(isRunning(p.child)).toBe(true);
        expect(await acceptedOut(p.url, reader)).toBeGreaterThan(before[processes.indexOf(p)] ?? 0);
      }
      // Nothing delivered twice: one stored message per id, one referral, one audit entry each.
      expect(await received()).toBe(TOTAL);
      const stored = await kh.ctx.db
        .selectFrom('received')
        .select((eb) => [eb.fn.countAll<number>().as('rows'), eb.fn.count<number>('message_id').distinct().as('ids')])
        .where('from_country', '=', 'TH')
        .executeTakeFirstOrThrow();
      expect(Number(stored.rows)).toBe(TOTAL);
      expect(Number(stored.ids)).toBe(TOTAL);
      const applied = await kh.ctx.db
        .selectFrom('audit')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('kind', '=', 'received.referral')
        .executeTakeFirstOrThrow();
      expect(Number(applied.n)).toBe(TOTAL);
      const delivered = await check.ctx.db
        .selectFrom('outbox')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('state', '=', 'delivered')
        .executeTakeFirstOrThrow();
      expect(Number(delivered.n)).toBe(TOTAL * 2); // to KH and the liaison office copy
      const copies = await f.liaison.ctx.db
        .selectFrom('liaison_referrals')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('from_country', '=', 'TH')
        .executeTakeFirstOrThrow();
      expect(Number(copies.n)).toBe(TOTAL);
      const audit = await verifyAudit(check.ctx.db);
      expect(audit.ok).toBe(true);
      expect(audit.entries).toBeGreaterThanOrEqual(TOTAL * 3);
      expect((await verifyAudit(kh.ctx.db)).ok).toBe(true);
    } finally {
      await check.close();
    }
  }, 600_000);
});
