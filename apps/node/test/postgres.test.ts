/** PostgreSQL-only behaviour (runs in the FIRSTLIGHT_TEST_DATABASE=postgres pass). */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestFederation, type TestFederation } from '../src/testing/federation.js';
import { refer } from '../src/testing/fixtures.js';
import { testsUsePostgres } from '../src/testing/scratch-db.js';

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
});
