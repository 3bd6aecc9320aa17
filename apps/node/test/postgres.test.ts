/** PostgreSQL-only behaviour (runs in the FIRSTLIGHT_TEST_DATABASE=postgres pass). */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../src/db/database.js';
import { createTestFederation, type TestFederation } from '../src/testing/federation.js';
import { refer } from '../src/testing/fixtures.js';
import { TEST_PG_URL, testsUsePostgres } from '../src/testing/scratch-db.js';

const BIN = fileURLToPath(new URL('../bin/firstlight.mjs', import.meta.url));

describe.runIf(testsUsePostgres())('a node on PostgreSQL', () => {
  let f: TestFederation;
  beforeAll(async () => {
    f = await createTestFederation({ countries: ['TH', 'KH'] });
  });
  afterAll(() => f?.close());

  it('reconnects after the database drops every connection, and loses nothing queued', async () => {
    const th = f.node('TH');
    const officer = await f.token(th, 'officer');
    const before = await refer(f, th, officer, 'KH', { offset: 1 });
    // The database "goes away": every connection of TH's database is terminated by the server.
    const killed = await sql<{ n: number }>`select count(pg_terminate_backend(pid))::int as n from pg_stat_activity
      where datname = current_database() and pid <> pg_backend_pid()`.execute(th.ctx.db);
    expect(killed.rows[0]?.n).toBeGreaterThanOrEqual(0);
    await sql`select pg_terminate_backend(pg_backend_pid())`.execute(th.ctx.db).catch(() => undefined);
    // It comes back at once (the server is up); the pool opens new connections on next use.
    const after = await f.until(async () => {
      try {
        return await refer(f, th, officer, 'KH', { offset: 2 });
      } catch {
        return null;
      }
    }, 20_000);
    const kc = f.client(f.node('KH'), await f.token(f.node('KH'), 'officer'));
    await f.until(async () => {
      const ids = (await kc.bureau.inbox.list.query()).map((r) => r.id);
      return ids.includes(before.id) && ids.includes(after.id);
    }, 30_000);
  });

  it('refuses a database URL that is not postgres:// with a clear error', async () => {
    const { loadConfig } = await import('../src/config/config.js');
    expect(() => loadConfig(f.node('KH').ctx.dataDir, { FIRSTLIGHT_DATABASE_URL: 'mysql://x' } as NodeJS.ProcessEnv)).toThrow(
      /postgres:\/\//,
    );
  });

  // The local server runs with ssl=off, so TLS to the database cannot succeed here: what is tested is
  // that asking for it fails at once, with a line an operator can act on (docs/OPERATIONS.md).
  it.each(['require', 'verify-full'] as const)('refuses to open a database without TLS when tls is %s, saying why', async (tls) => {
    const started = Date.now();
    const failure = await openDatabase({ location: TEST_PG_URL, tls }).then(
      () => null,
      (error: unknown) => error,
    );
    expect(failure).toMatchObject({ name: 'NodeError', code: 'ERR_CONFIG' });
    expect((failure as Error).message).toMatch(/cannot connect to the PostgreSQL database .*does not support SSL.*databasePool\.tls/);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('does not start a node whose database TLS cannot be had: one error line, exit 1, no stack trace, no hang', async () => {
    const kh = f.node('KH');
    const file = join(kh.ctx.dataDir, 'config.json');
    const config = JSON.parse(readFileSync(file, 'utf8'));
    writeFileSync(file, JSON.stringify({ ...config, databasePool: { ...config.databasePool, tls: 'require' } }));
    try {
      const child = spawn(process.execPath, [BIN, 'start', '--data', kh.ctx.dataDir, '--port', '0'], {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, FIRSTLIGHT_LOG_LEVEL: 'silent' },
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((r) => child.once('exit', (c, s) => r([c, s])));
      clearTimeout(timer);
      expect(signal).toBeNull(); // it exited on its own, it did not hang until killed
      expect(code).toBe(1);
      expect(stdout).not.toMatch(/listening on/);
      expect(stderr.trim().split('\n')).toHaveLength(1);
      expect(stderr).toMatch(/^error ERR_CONFIG: cannot connect to the PostgreSQL database .*does not support SSL.*"require"/);
      expect(stderr).not.toMatch(/\n\s+at /);
    } finally {
      writeFileSync(file, JSON.stringify(config));
    }
  }, 60_000);
});
