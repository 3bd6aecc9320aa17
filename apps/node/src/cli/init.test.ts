import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/config.js';
import { openDatabase } from '../db/database.js';
import { createScratchDatabase, testsUsePostgres } from '../testing/scratch-db.js';
import { initNode } from './init.js';

const anchor = 'a'.repeat(43);
const national = (data: string) => ({
  data,
  country: 'TH',
  role: 'national' as const,
  host: '127.0.0.1',
  port: 0,
  liaison: 'https://127.0.0.1:1',
  anchor,
});

describe('firstlight init and the database', () => {
  it.runIf(testsUsePostgres())(
    'takes FIRSTLIGHT_DATABASE_URL when --database is absent, records it and migrates that database',
    async () => {
      const scratch = await createScratchDatabase('init');
      const dir = mkdtempSync(join(tmpdir(), 'firstlight-init-'));
      try {
        await initNode(national(join(dir, 'th')), { FIRSTLIGHT_DATABASE_URL: scratch.url });
        expect(loadConfig(join(dir, 'th'), {}).database).toBe(scratch.url);
        const handle = await openDatabase({ location: scratch.url });
        try {
          // Migrated: the node's tables exist (and are empty).
          expect(await handle.db.selectFrom('received').select('digest').execute()).toEqual([]);
        } finally {
          await handle.close();
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
        await scratch.drop();
      }
    },
  );

  it('refuses a FIRSTLIGHT_DATABASE_URL that is not postgres:// with a clear error; without either, SQLite', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'firstlight-init-'));
    try {
      await expect(initNode(national(join(dir, 'a')), { FIRSTLIGHT_DATABASE_URL: 'mysql://db/x' })).rejects.toThrow(/postgres:\/\//);
      await initNode(national(join(dir, 'b')), {});
      expect(loadConfig(join(dir, 'b'), {}).database).toBeNull();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('makes the TLS key (0600) and federates over mutual TLS unless told otherwise, refusing a plain liaison URL', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'firstlight-init-'));
    try {
      const made = await initNode(national(join(dir, 'tls')), {});
      expect(made).toMatchObject({ federationTransport: 'mtls', publicUrl: expect.stringMatching(/^https:/) });
      expect(made.tlsPin).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(statSync(join(dir, 'tls', 'tls', 'key.pem')).mode & 0o777).toBe(0o600);
      await expect(initNode({ ...national(join(dir, 'plain')), liaison: 'http://127.0.0.1:1' }, {})).rejects.toThrow(
        /--liaison must be an https:\/\/ URL/,
      );
      const plain = await initNode({ ...national(join(dir, 'plain')), liaison: 'http://127.0.0.1:1', insecurePlainHttp: true }, {});
      expect(plain).toMatchObject({ federationTransport: 'insecure-plain-http', publicUrl: expect.stringMatching(/^http:/) });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
