/**
 * A sending node process killed with SIGKILL mid-delivery, then started again: every message arrives
 * exactly once. Runs on SQLite, and in the PostgreSQL pass with the sender's own database on PostgreSQL
 * (there a batch the killed process had claimed waits out its lease before it is sent again).
 */
import type { ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initNode } from '../src/cli/init.js';
import { addMember } from '../src/liaison/authority.js';
import { createLogger } from '../src/logging/logger.js';
import { openNode } from '../src/node.js';
import { createReferral } from '../src/referrals/referrals.js';
import { createTestFederation, type TestFederation, testIndex } from '../src/testing/federation.js';
import { ipIn, seedCase } from '../src/testing/fixtures.js';
import { createScratchDatabase, testsUsePostgres } from '../src/testing/scratch-db.js';
import { startNodeProcess } from './helpers/node-process.js';

const COUNT = 600;

const dialect = testsUsePostgres() ? 'PostgreSQL' : 'SQLite';

describe(`a sender on ${dialect} killed with SIGKILL in the middle of delivering`, () => {
  let f: TestFederation;
  let dataDir: string;
  let child: ChildProcess | null = null;
  // PostgreSQL pass: the killed process's own database is a scratch PostgreSQL one too (the recipient
  // and the liaison office already are, through the federation).
  let senderDb: { url: string; drop(): Promise<void> } | null = null;

  beforeAll(async () => {
    f = await createTestFederation({ countries: ['KH'] });
    dataDir = join(f.root, 'TH');
    if (testsUsePostgres()) senderDb = await createScratchDatabase('crash-th');
    const init = await initNode({
      data: dataDir,
      role: 'national',
      country: 'TH',
      host: '127.0.0.1',
      port: 0,
      insecurePlainHttp: true,
      liaison: f.liaison.url,
      anchor: f.anchor,
      ...(senderDb ? { database: senderDb.url } : {}),
    });
    await addMember(f.liaison.ctx.db, {
      country: 'TH',
      name: 'Thailand',
      endpoint: 'http://127.0.0.1:9',
      jwk: init.publicJwk,
      now: Date.now(),
    });
    await f.publish();
    // Small batches, so that the kill lands between batches and within one.
    const configFile = join(dataDir, 'config.json');
    writeFileSync(
      configFile,
      JSON.stringify({ ...JSON.parse(readFileSync(configFile, 'utf8')), batchSize: 5, retry: { baseMs: 50, maxMs: 300 } }),
    );
    const opened = await openNode({ dataDir, logger: createLogger({ level: 'silent' }) });
    expect(opened.ctx.dbKind).toBe(testsUsePostgres() ? 'postgres' : 'sqlite');
    await opened.ctx.directory.refresh();
    const seeded = await seedCase(opened, dataDir);
    for (let i = 0; i < COUNT; i++) {
      await createReferral(opened.ctx, testIndex(), seeded.referral(ipIn(f, 'KH', i)), 'test');
    }
    await opened.close();
  });
  afterAll(async () => {
    child?.kill('SIGKILL');
    await f.close();
    await senderDb?.drop();
  });

  it('delivers each message exactly once after restart', { timeout: 240_000 }, async () => {
    const kh = f.node('KH');
    const received = async () =>
      (
        await kh.ctx.db
          .selectFrom('referrals_in')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n;
    child = (await startNodeProcess(dataDir)).child;
    await f.until(async () => Number(await received()) >= 50, 60_000);
    child.kill('SIGKILL');
    await new Promise((r) => child?.once('exit', r));
    const atKill = Number(await received());
    expect(atKill).toBeLessThan(COUNT);

    child = (await startNodeProcess(dataDir)).child;
    await f.until(async () => Number(await received()) === COUNT, 120_000);
    const opened = await openNode({ dataDir, logger: createLogger({ level: 'silent' }) });
    try {
      await f.until(async () => {
        const left = await opened.ctx.db.selectFrom('outbox').select('id').where('state', '!=', 'delivered').execute();
        return left.length === 0;
      }, 60_000);
    } finally {
      await opened.close();
    }
    child.kill('SIGTERM');
    // Nothing applied twice: one stored message, one audit entry per referral at the recipient.
    const audit = await kh.ctx.db.selectFrom('audit').select('kind').where('kind', '=', 'received.referral').execute();
    expect(audit).toHaveLength(COUNT);
    expect(Number(await received())).toBe(COUNT);
    // The liaison office got its copy of every one too.
    const copies = await f.liaison.ctx.db.selectFrom('liaison_referrals').select('id').where('from_country', '=', 'TH').execute();
    expect(copies).toHaveLength(COUNT);
  });
});
