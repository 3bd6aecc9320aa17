import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type DatabaseHandle, openDatabase } from '../db/database.js';
import { appendAudit, exportAudit, verifyAudit } from './audit-log.js';

describe('the audit chain', () => {
  let dir: string;
  let handle: DatabaseHandle;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'audit-'));
    handle = await openDatabase({ location: join(dir, 'node.db') });
    for (let i = 0; i < 5; i++)
      await appendAudit(handle.db, [{ at: 1000 + i, kind: 'sent.referral', ref: `r${i}@KH`, digest: `sha256:${String(i).repeat(64)}` }]);
  });
  afterEach(async () => {
    await handle.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('verifies an untouched chain', async () => {
    expect(await verifyAudit(handle.db)).toMatchObject({ ok: true, entries: 5 });
  });

  it('finds an edited entry', async () => {
    await handle.db.updateTable('audit').set({ ref: 'r2@VN' }).where('seq', '=', 3).execute();
    expect(await verifyAudit(handle.db)).toMatchObject({ ok: false, brokenAt: 3 });
  });

  it('finds a removed entry', async () => {
    await handle.db.deleteFrom('audit').where('seq', '=', 2).execute();
    expect(await verifyAudit(handle.db)).toMatchObject({ ok: false, brokenAt: 3 });
  });

  it('finds reordered entries even with their hashes carried along', async () => {
    const rows = await handle.db.selectFrom('audit').selectAll().orderBy('seq').execute();
    const [a, b] = [rows[1], rows[2]];
    if (!a || !b) throw new Error('fixture');
    await handle.db
      .updateTable('audit')
      .set({ kind: b.kind, ref: b.ref, digest: b.digest, at: b.at, prev_hash: b.prev_hash, hash: b.hash })
      .where('seq', '=', 2)
      .execute();
    await handle.db
      .updateTable('audit')
      .set({ kind: a.kind, ref: a.ref, digest: a.digest, at: a.at, prev_hash: a.prev_hash, hash: a.hash })
      .where('seq', '=', 3)
      .execute();
    expect(await verifyAudit(handle.db)).toMatchObject({ ok: false, brokenAt: 2 });
  });

  it('exports JSON Lines with the chain fields', async () => {
    const lines: string[] = [];
    for await (const line of exportAudit(handle.db)) lines.push(line);
    expect(lines).toHaveLength(5);
    const first = JSON.parse(lines[0] ?? '');
    expect(Object.keys(first).sort()).toEqual(['at', 'digest', 'hash', 'kind', 'prev_hash', 'ref', 'seq']);
  });
});
