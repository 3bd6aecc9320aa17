/**
 * Several node processes in front of one PostgreSQL database: 10,000 referrals delivered to a peer by
 * three `firstlight start` processes of the same country, one of them killed with SIGKILL mid-way.
 * Runs in the PostgreSQL pass of the suite (FIRSTLIGHT_TEST_DATABASE=postgres).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAudit } from '../src/audit/audit-log.js';
import { createComplaint } from '../src/intake/complaints.js';
import { storeEvidence } from '../src/intake/evidence.js';
import { createLogger } from '../src/logging/logger.js';
import { openNode } from '../src/node.js';
import { createReferral } from '../src/referrals/referrals.js';
import { createTestFederation, OPERATION, type TestFederation, testIndex } from '../src/testing/federation.js';
import { ipIn } from '../src/testing/fixtures.js';
import { testsUsePostgres } from '../src/testing/scratch-db.js';

const TOTAL = 10_000;
const BIN = fileURLToPath(new URL('../bin/firstlight.mjs', import.meta.url));

describe.runIf(testsUsePostgres())('three node processes sharing one PostgreSQL database', () => {
  let f: TestFederation;
  const children: ChildProcess[] = [];
  beforeAll(async () => {
    f = await createTestFederation({ countries: ['TH', 'KH'] });
  });
  afterAll(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
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
      const complaint = await createComplaint(
        opened.ctx.db,
        {
          victimName: 'Load Test',
          victimContact: 'n/a',
          amountLost: 1,
          currency: 'THB',
          scamType: 'fake_police',
          narrative: 'load test',
          occurredAt: '2015-06-01',
          reportedAt: '2015-06-02',
        },
        'test',
        Date.now(),
      );
      const { digest } = await storeEvidence(opened.ctx.db, {
        dataDir: thDir,
        complaintId: complaint.id,
        filename: 'page.html',
        mediaType: 'text/html',
        body: Readable.from([Buffer.from('warrant page')]),
        maxBytes: 1024,
        now: Date.now(),
      });
      const index = testIndex();
      for (let i = 0; i < TOTAL; i += 50) {
        await Promise.all(
          Array.from({ length: 50 }, () =>
            createReferral(
              opened.ctx,
              index,
              {
                complaintId: complaint.id,
                ip: khIp,
                seenAt: '2015-06-01T10:00:00Z',
                evidence: [digest],
                action: 'locate',
                urgency: 'routine',
                operation: OPERATION,
              },
              'load-test',
            ),
          ),
        );
      }
    } finally {
      await opened.close();
    }

    console.log(`queued ${TOTAL} in ${Math.round(performance.now() - t0)} ms`);
    // Three processes of TH on the same database.
    for (let i = 0; i < 3; i++) {
      const child = spawn(process.execPath, [BIN, 'start', '--data', thDir, '--port', '0'], {
        stdio: 'ignore',
        env: { ...process.env, FIRSTLIGHT_LOG_LEVEL: 'silent' },
      });
      children.push(child);
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
    await f.until(async () => (await received()) >= TOTAL / 4, 120_000);
    const victim = children[1] as ChildProcess;
    victim.kill('SIGKILL');
    await new Promise((r) => victim.once('exit', r));

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
      expect(await received()).toBe(TOTAL);
      const distinct = await kh.ctx.db
        .selectFrom('received')
        .select((eb) => eb.fn.count<number>('message_id').distinct().as('n'))
        .where('from_country', '=', 'TH')
        .executeTakeFirstOrThrow();
      expect(Number(distinct.n)).toBe(TOTAL);
      const delivered = await check.ctx.db
        .selectFrom('outbox')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('state', '=', 'delivered')
        .executeTakeFirstOrThrow();
      expect(Number(delivered.n)).toBe(TOTAL * 2); // to KH and the liaison office copy
      const audit = await verifyAudit(check.ctx.db);
      expect(audit.ok).toBe(true);
      expect(audit.entries).toBeGreaterThanOrEqual(TOTAL * 3);
      expect((await verifyAudit(kh.ctx.db)).ok).toBe(true);
    } finally {
      await check.close();
    }
  }, 600_000);
});
