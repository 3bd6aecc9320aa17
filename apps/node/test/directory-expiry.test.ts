import { join } from 'node:path';
import { sealDelivery, sha256Digest, verify } from '@firstlight/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Clock } from '../src/clock.js';
import { DirectoryClient } from '../src/directory/directory-client.js';
import { publishDirectory, pushDirectory } from '../src/liaison/authority.js';
import { createLogger } from '../src/logging/logger.js';
import { createTestFederation, type TestFederation } from '../src/testing/federation.js';
import { refer } from '../src/testing/fixtures.js';

const DAY_MS = 86_400_000;

describe('directory expiry at the time of use', () => {
  let f: TestFederation;
  // TH and VN share one movable clock (so their messages agree on time); the liaison office keeps real
  // time. The directory the harness publishes is valid 30 days, with the default 7-day grace.
  let shift = 0;
  const clock: Clock = { now: () => Date.now() + shift };

  beforeAll(async () => {
    f = await createTestFederation({ countries: ['TH', 'VN'], clocks: { TH: clock, VN: clock } });
  });
  afterAll(() => f.close());

  const outboxRow = (messageId: string, peer: string) =>
    f
      .node('VN')
      .ctx.db.selectFrom('outbox')
      .selectAll()
      .where('message_id', '=', messageId)
      .where('peer', '=', peer)
      .executeTakeFirstOrThrow();
  const receivedByTh = async (messageId: string) =>
    (await f.node('TH').ctx.db.selectFrom('received').select('message_id').where('message_id', '=', messageId).executeTakeFirst()) !==
    undefined;

  it('within its validity the directory is trusted: a referral is delivered and accepted', async () => {
    shift = 0;
    for (const c of ['TH', 'VN']) expect(f.node(c).ctx.directory.standing()).toMatchObject({ state: 'valid', usable: true });
    const vn = f.node('VN');
    const sent = await refer(f, vn, await f.token(vn, 'officer'), 'TH');
    const row = await f.until(async () => {
      const r = await outboxRow(sent.id, 'TH');
      return r.state === 'delivered' ? r : null;
    });
    expect(row.receipt_code).toBeNull();
    expect(await receivedByTh(sent.id)).toBe(true);
  });

  it('past expiresAt but within the grace period it is still used, and reported stale', async () => {
    shift = 31 * DAY_MS;
    const th = f.node('TH').ctx.directory;
    const standing = th.standing();
    expect(standing).toMatchObject({ state: 'stale', usable: true });
    expect(standing.message).toMatch(/grace period ends/);
    expect(th.expiredError()).toBeNull();
    const vn = f.node('VN');
    const sent = await refer(f, vn, await f.token(vn, 'officer'), 'TH');
    await f.until(async () => (await outboxRow(sent.id, 'TH')).state === 'delivered');
    expect(await receivedByTh(sent.id)).toBe(true);
  });

  it('past the grace period: the sender holds its messages, the recipient refuses with ERR_DIRECTORY_EXPIRED, and a fresh directory restores delivery', async () => {
    shift = 38 * DAY_MS;
    const th = f.node('TH');
    const vn = f.node('VN');
    expect(th.ctx.directory.standing()).toMatchObject({ state: 'expired', usable: false });
    expect(th.ctx.directory.expiredError()?.code).toBe('ERR_DIRECTORY_EXPIRED');
    // Operators (and monitoring) see it on the public health endpoint.
    const health = (await (await fetch(`${th.url}/trpc/federation.health`)).json()) as {
      result: { data: { directory: { state: string } } };
    };
    expect(health.result.data.directory.state).toBe('expired');

    // VN, cut off too, still takes the referral but sends nothing: queued, untouched, however long it waits.
    const sent = await refer(f, vn, await f.token(vn, 'officer'), 'TH');
    await new Promise((r) => setTimeout(r, 1500));
    for (const peer of ['TH', 'LIAISON']) {
      const row = await outboxRow(sent.id, peer);
      expect(row).toMatchObject({ state: 'queued', last_error: null });
      expect(Number(row.attempts)).toBe(0);
    }
    expect(await receivedByTh(sent.id)).toBe(false);

    // TH refuses whatever reaches it, in a receipt it signs (unattributed: no signature can be checked),
    // sealed or not: past the grace period a seal is not even checked.
    const { jws } = await vn.ctx.db.selectFrom('referrals_out').select('jws').where('id', '=', sent.id).executeTakeFirstOrThrow();
    const seal = sealDelivery([sha256Digest(jws)], {
      from: 'VN',
      to: 'TH',
      nowMs: clock.now(),
      key: vn.ctx.keys.signingKey(Math.floor(clock.now() / 1000)),
    });
    const response = await fetch(`${th.url}/trpc/federation.deliver`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ envelopes: [jws], seal }),
    });
    expect(await th.ctx.metrics.registry.getSingleMetricAsString('firstlight_seals_total')).not.toMatch(/outcome="accepted"/);
    const body = (await response.json()) as { result: { data: { receipts: string[] } } };
    const trust = vn.ctx.directory.current()?.trust;
    if (!trust) throw new Error('VN holds no directory');
    const receipt = await verify(body.result.data.receipts[0], {
      type: 'receipt',
      keys: trust,
      recipient: 'VN',
      recipientRole: 'national',
      now: Math.floor(clock.now() / 1000),
    });
    if (!receipt.ok) throw new Error(`receipt does not verify: ${receipt.error.code}`);
    expect(receipt.message).toMatchObject({
      from: 'TH',
      to: null,
      verdict: 'rejected',
      code: 'ERR_DIRECTORY_EXPIRED',
      ref: { id: null, digest: sha256Digest(jws) },
    });
    expect(await receivedByTh(sent.id)).toBe(false);

    // A fresh directory reaches VN only: VN sends again, TH still refuses, and VN keeps the message queued.
    const fresh = await publishDirectory(f.liaison.ctx, { validitySeconds: 90 * 86_400 });
    expect((await vn.ctx.directory.accept(fresh.jws)).ok).toBe(true);
    expect(vn.ctx.directory.standing().state).toBe('valid');
    const refused = await f.until(async () => {
      const r = await outboxRow(sent.id, 'TH');
      return r.last_error?.includes('ERR_DIRECTORY_EXPIRED') ? r : null;
    });
    expect(refused.state).toBe('queued');
    expect(await receivedByTh(sent.id)).toBe(false);

    // The liaison office's push reaches TH: the held message is delivered and accepted.
    await pushDirectory(f.liaison.ctx, fresh.serial);
    await f.until(() => th.ctx.directory.serial === fresh.serial);
    expect(th.ctx.directory.standing().state).toBe('valid');
    const delivered = await f.until(async () => {
      const r = await outboxRow(sent.id, 'TH');
      return r.state === 'delivered' ? r : null;
    });
    expect(delivered.receipt_code).toBeNull();
    expect(await receivedByTh(sent.id)).toBe(true);
  });

  it('judges the held directory at each use, reports each change once, and keeps an expired one across a restart', async () => {
    const lines: Array<{ level: number; state?: string; msg: string }> = [];
    let offset = 0;
    const client = new DirectoryClient({
      dataDir: join(f.root, 'TH'),
      anchor: f.anchor,
      liaisonUrl: null,
      clock: { now: () => Date.now() + offset },
      graceSeconds: 7 * 86_400,
      skewSeconds: 300,
      logger: createLogger({ level: 'info', destination: { write: (line: string) => void lines.push(JSON.parse(line)) } }),
    });
    await client.load();
    const held = client.current();
    if (!held) throw new Error('no directory on disk');
    const at = (s: number) => (s * 1000 - Date.now()) as number;
    const expectState = (seconds: number, state: string) => {
      offset = at(seconds);
      expect(client.standing().state).toBe(state);
    };
    const { expiresAt } = held.directory;
    expectState(expiresAt - 30 * 86_400, 'valid');
    expectState(expiresAt - 86_400, 'expiring');
    expectState(expiresAt + 1, 'stale');
    for (let i = 0; i < 5; i++) client.current();
    expectState(expiresAt + 7 * 86_400, 'expired');
    expect(client.expiredError()?.code).toBe('ERR_DIRECTORY_EXPIRED');
    const warned = lines.filter((l) => l.level === 40).map((l) => l.state);
    expect(warned).toEqual(['expiring', 'stale', 'expired']);

    // The same file, loaded by a node restarted past the grace period: held as expired, not forgotten.
    const restarted = new DirectoryClient({
      dataDir: join(f.root, 'TH'),
      anchor: f.anchor,
      liaisonUrl: null,
      clock: { now: () => (expiresAt + 8 * 86_400) * 1000 },
      graceSeconds: 7 * 86_400,
      skewSeconds: 300,
      logger: createLogger({ level: 'silent' }),
    });
    await restarted.load();
    expect(restarted.serial).toBe(held.directory.serial);
    expect(restarted.standing().state).toBe('expired');
    expect(restarted.expiredError()?.code).toBe('ERR_DIRECTORY_EXPIRED');
    // …but a directory past its grace period that arrives from elsewhere is still refused.
    const other = new DirectoryClient({
      dataDir: join(f.root, 'VN'),
      anchor: f.anchor,
      liaisonUrl: null,
      clock: { now: () => (expiresAt + 8 * 86_400) * 1000 },
      graceSeconds: 7 * 86_400,
      skewSeconds: 300,
      logger: createLogger({ level: 'silent' }),
    });
    const refused = await other.accept(held.jws, { persist: false });
    expect(refused.ok ? null : refused.error.code).toBe('ERR_DIRECTORY_EXPIRED');
  });
});
