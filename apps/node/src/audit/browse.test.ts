import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DatabaseHandle, openDatabase } from '../db/database.js';
import { scratchLocation, testsUsePostgres } from '../testing/scratch-db.js';
import { appendAudit } from './audit-log.js';
import { auditBrowseInput, browseAudit } from './browse.js';

const kinds = ['sent.referral', 'received.status', 'receipt.accepted', 'received.rejected.ERR_SIGNATURE', 'sentinel'];

describe(`browsing the audit log (${testsUsePostgres() ? 'PostgreSQL' : 'SQLite'})`, () => {
  let handle: DatabaseHandle;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    const scratch = await scratchLocation('audit_browse');
    handle = await openDatabase({ location: scratch.location });
    cleanup = scratch.dispose;
    // 25 entries, one a second: seq i is at 1000 * i and of kind kinds[i % 5].
    for (let i = 1; i <= 25; i++)
      await appendAudit(handle.db, [{ at: 1000 * i, kind: kinds[i % 5] as string, ref: `r${i}`, digest: `sha256:${'a'.repeat(64)}` }]);
  });
  afterAll(async () => {
    await handle.close();
    await cleanup();
  });

  it('pages newest first, each page continuing where the last stopped', async () => {
    const first = await browseAudit(handle.db, auditBrowseInput.parse({ limit: 10 }));
    expect(first.entries.map((e) => e.seq)).toEqual([25, 24, 23, 22, 21, 20, 19, 18, 17, 16]);
    expect(first.next).toBe(16);
    const third = await browseAudit(handle.db, auditBrowseInput.parse({ limit: 10, before: 6 }));
    expect(third.entries.map((e) => e.seq)).toEqual([5, 4, 3, 2, 1]);
    expect(third.next).toBeNull();
  });

  it('filters by a kind or its first parts, never by a look-alike', async () => {
    const received = await browseAudit(handle.db, auditBrowseInput.parse({ kind: 'received' }));
    expect(new Set(received.entries.map((e) => e.kind))).toEqual(new Set(['received.status', 'received.rejected.ERR_SIGNATURE']));
    const rejected = await browseAudit(handle.db, auditBrowseInput.parse({ kind: 'received.rejected' }));
    expect(rejected.entries.map((e) => e.seq)).toEqual([23, 18, 13, 8, 3]);
    // "sent" is a prefix at a dot: it does not match "sentinel".
    const sent = await browseAudit(handle.db, auditBrowseInput.parse({ kind: 'sent' }));
    expect(sent.entries.every((e) => e.kind === 'sent.referral')).toBe(true);
    expect(sent.entries).toHaveLength(5);
  });

  it('filters by time, from inclusive and to exclusive', async () => {
    const window = await browseAudit(handle.db, auditBrowseInput.parse({ from: 5000, to: 8000 }));
    expect(window.entries.map((e) => e.seq)).toEqual([7, 6, 5]);
  });

  it('refuses a kind with LIKE wildcards', () => {
    expect(auditBrowseInput.safeParse({ kind: 'sent%' }).success).toBe(false);
    expect(auditBrowseInput.safeParse({ kind: 'sent_' }).success).toBe(true);
  });
});
