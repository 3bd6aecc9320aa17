import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendAudit } from '../audit/audit-log.js';
import { openDatabase } from '../db/database.js';
import { runCli } from '../testing/run-cli.js';
import { createScratchDatabase, testsUsePostgres } from '../testing/scratch-db.js';
import { initNode } from './init.js';

const dialect = testsUsePostgres() ? 'PostgreSQL' : 'SQLite';

const run = runCli;

describe(`firstlight audit verify (${dialect})`, () => {
  let root: string;
  let data: string;
  let location: string;
  let drop: () => Promise<void> = async () => {};

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'firstlight-audit-cli-'));
    data = join(root, 'node');
    location = join(data, 'node.db');
    if (testsUsePostgres()) {
      const scratch = await createScratchDatabase('auditcli');
      location = scratch.url;
      drop = () => scratch.drop();
    }
    await initNode({ data, role: 'liaison', host: '127.0.0.1', port: 0, ...(testsUsePostgres() ? { database: location } : {}) });
    const handle = await openDatabase({ location });
    for (let i = 1; i <= 6; i++)
      await appendAudit(handle.db, [{ at: 1000 + i, kind: 'sent.referral', ref: `r${i}@KH`, digest: `sha256:${String(i).repeat(64)}` }]);
    await handle.close();
  });
  afterAll(async () => {
    await drop();
    rmSync(root, { recursive: true, force: true });
  });

  it('prints the head to write down, checks a written-down head, and finds it gone once the end is cut off', async () => {
    const intact = await run(['audit', 'verify', '--data', data]);
    expect(intact.code).toBe(0);
    expect(intact.stdout).toContain('audit chain intact: 6 entries');
    const written = /head (6:sha256:[0-9a-f]{64})/.exec(intact.stdout)?.[1];
    if (!written) throw new Error(`no head in ${intact.stdout}`);

    const checked = await run(['audit', 'verify', '--data', data, '--expect-head', written, '--json']);
    expect(checked.code).toBe(0);
    expect(JSON.parse(checked.stdout)).toMatchObject({ ok: true, headSeq: 6, head: written.slice(2) });

    // Cut the end off and move the anchor to match: the database alone no longer tells.
    const handle = await openDatabase({ location });
    await handle.db.deleteFrom('audit').where('seq', '>', 4).execute();
    const four = await handle.db.selectFrom('audit').select(['seq', 'hash']).where('seq', '=', 4).executeTakeFirstOrThrow();
    await handle.db.updateTable('audit_head').set({ seq: 4, hash: four.hash }).execute();
    await handle.close();

    expect((await run(['audit', 'verify', '--data', data])).code).toBe(0);
    const truncated = await run(['audit', 'verify', '--data', data, '--expect-head', written]);
    expect(truncated.code).toBe(1);
    expect(truncated.stdout).toContain(
      'AUDIT CHAIN BROKEN at entry 5: the log ends at entry 4 but entry 6 was written: entries 5–6 were removed',
    );
    expect(truncated.stdout).toContain(`last stored entry 4:${four.hash}`);
  });

  it('refuses a malformed --expect-head with how to write it, as a usage error', async () => {
    const bad = await run(['audit', 'verify', '--data', data, '--expect-head', '6:not-a-hash']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^error ERR_INPUT: --expect-head must be <seq>:<hash> as printed by `audit verify`/);
    expect(bad.stdout).toBe('');
  });
});
