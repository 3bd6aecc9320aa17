/**
 * Scratch PostgreSQL databases for tests: FIRSTLIGHT_TEST_DATABASE=postgres runs the node suite on a
 * real server (FIRSTLIGHT_TEST_PG_URL, default postgres://postgres@127.0.0.1:5432/postgres), one fresh
 * database per node, dropped afterwards. No mocks.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

export const TEST_PG_URL = process.env.FIRSTLIGHT_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export function testsUsePostgres(): boolean {
  return process.env.FIRSTLIGHT_TEST_DATABASE === 'postgres';
}

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

export async function createScratchDatabase(label: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `flt_${label.toLowerCase().replace(/[^a-z0-9]/g, '')}_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: TEST_PG_URL });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  return {
    url: withDatabase(TEST_PG_URL, name),
    async drop() {
      const c = new pg.Client({ connectionString: TEST_PG_URL });
      await c.connect();
      try {
        await c.query(`drop database if exists ${name} with (force)`);
      } finally {
        await c.end();
      }
    },
  };
}

/**
 * Where one test's database lives, in the dialect the suite runs on: a fresh PostgreSQL database when
 * the tests use PostgreSQL, else node.db in a new temporary folder. dispose() drops the database or
 * deletes the folder; close every handle on it first (PostgreSQL forces them off, SQLite would not).
 */
export async function scratchLocation(label: string): Promise<{ location: string; dispose(): Promise<void> }> {
  if (testsUsePostgres()) {
    const scratch = await createScratchDatabase(label);
    return { location: scratch.url, dispose: () => scratch.drop() };
  }
  const dir = mkdtempSync(join(tmpdir(), `firstlight-${label.replace(/[^A-Za-z0-9-]/g, '-')}-`));
  return { location: join(dir, 'node.db'), dispose: async () => rmSync(dir, { recursive: true, force: true }) };
}
