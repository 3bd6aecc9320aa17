/**
 * A node's backup restored into a fresh place (OPERATIONS.md §10): the data directory copied with its
 * modes, the original gone, the node started from the copy. It carries on with the same signing and
 * TLS keys (no new enrolment), its directory, its queued messages and its audit chain.
 */
import { cpSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAudit } from '../src/audit/audit-log.js';
import { createLogger } from '../src/logging/logger.js';
import { startNode } from '../src/node.js';
import { createTestFederation, type TestFederation, testIndex } from '../src/testing/federation.js';
import { refer } from '../src/testing/fixtures.js';
import { loadTlsIdentity } from '../src/tls/certificate.js';

let f: TestFederation;
beforeAll(async () => {
  f = await createTestFederation({ countries: ['TH', 'KH'], tls: true });
}, 120_000);
afterAll(() => f?.close());

describe('backup and restore', () => {
  it('restores a copied data directory on a fresh path and continues the exchange with the same keys, directory and audit chain', async () => {
    const original = join(f.root, 'TH');
    const th = f.node('TH');
    const thToken = await f.token(th, 'officer');
    const khToken = await f.token(f.node('KH'), 'officer');
    const kh = () => f.client(f.node('KH'), khToken);
    const delivered = await refer(f, th, thToken, 'KH');
    await f.until(async () => (await kh().bureau.inbox.list.query()).some((r) => r.id === delivered.id));
    // KH goes away; TH refers again: the referral waits in TH's outbox when the backup is taken.
    await f.node('KH').stop();
    const queued = await refer(f, th, thToken, 'KH');
    const kid = th.ctx.keys.list().at(-1)?.kid;
    const pin = loadTlsIdentity(original)?.pin;
    const serial = th.ctx.directory.serial;
    const before = await verifyAudit(th.ctx.db);
    await th.stop();

    const restored = join(f.root, 'TH-restored');
    cpSync(original, restored, { recursive: true, preserveTimestamps: true });
    rmSync(original, { recursive: true, force: true });
    expect(statSync(join(restored, 'tls', 'key.pem')).mode & 0o777).toBe(0o600);
    const node = await startNode({
      dataDir: restored,
      logger: createLogger({ level: 'silent' }),
      routing: testIndex(),
      override: { retry: { baseMs: 50, maxMs: 500, probeMs: 200 }, directoryRefreshSeconds: 3600, listen: { host: '127.0.0.1', port: 0 } },
    });
    f.nodes.TH = node;
    expect(node.ctx.keys.list().at(-1)?.kid).toBe(kid);
    expect(loadTlsIdentity(restored)?.pin).toBe(pin);
    expect(node.ctx.directory.serial).toBe(serial);
    // A new machine, a new address: the liaison office updates the endpoint (same key, same pin).
    await f.liaison.ctx.db.updateTable('dir_members').set({ endpoint: node.federationUrl }).where('country', '=', 'TH').execute();
    await f.restart('KH');

    await f.until(async () => (await kh().bureau.inbox.list.query()).some((r) => r.id === queued.id), 60_000);
    const back = await refer(f, f.node('KH'), khToken, 'TH');
    await f.until(async () => (await f.client(node, thToken).bureau.inbox.list.query()).some((r) => r.id === back.id));
    const after = await verifyAudit(node.ctx.db, { expectHead: { seq: before.headSeq, hash: before.head } });
    expect(before.ok && after.ok).toBe(true);
    expect(after.entries).toBeGreaterThan(before.entries);
  }, 120_000);
});
