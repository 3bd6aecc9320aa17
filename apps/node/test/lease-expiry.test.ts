/**
 * Two node processes of one country on one PostgreSQL database, and a claim whose lease ran out while
 * its holder was still posting: the second process claims the same batch and posts it too. The
 * recipient must store each message once and answer the late copy with the same verdicts; the late
 * poster, whose claim is gone, records nothing over what the second one recorded. Runs in the
 * PostgreSQL pass (FIRSTLIGHT_TEST_DATABASE=postgres).
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sha256Digest } from '@firstlight/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAudit } from '../src/audit/audit-log.js';
import { createLogger } from '../src/logging/logger.js';
import { openNode, type RunningNode, startNode } from '../src/node.js';
import { createReferral } from '../src/referrals/referrals.js';
import { createTestFederation, type TestFederation, testIndex } from '../src/testing/federation.js';
import { ipIn, seedCase } from '../src/testing/fixtures.js';
import { testsUsePostgres } from '../src/testing/scratch-db.js';

const COUNT = 12;

interface Exchange {
  body: string;
  status: number;
  answer: string;
}

/**
 * Stands between TH and KH: forwards every request, except that it holds the first delivery until
 * released: the first poster stalls there, past its lease.
 */
function stallingProxy(target: () => string) {
  const exchanges: Exchange[] = [];
  let held = false;
  let releaseHeld: () => void = () => {};
  const released = new Promise<void>((r) => {
    releaseHeld = r;
  });
  const read = async (req: IncomingMessage) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString();
  };
  const server: Server = createServer((req, res) => {
    void (async () => {
      const body = await read(req);
      const delivery = req.url?.includes('federation.deliver') ?? false;
      if (delivery && !held) {
        held = true;
        await released;
      }
      const upstream = await fetch(new URL(req.url ?? '/', target()), {
        method: req.method ?? 'GET',
        headers: { 'content-type': req.headers['content-type'] ?? 'application/json' },
        ...(req.method === 'POST' ? { body } : {}),
      });
      const answer = await upstream.text();
      if (delivery) exchanges.push({ body, status: upstream.status, answer });
      res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/json' });
      res.end(answer);
    })().catch((error: unknown) => {
      res.writeHead(502).end(String(error));
    });
  });
  return {
    exchanges,
    holding: () => held,
    release: () => releaseHeld(),
    async listen(): Promise<string> {
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

describe.runIf(testsUsePostgres())('a batch posted twice after its lease ran out (two processes, one PostgreSQL database)', () => {
  let f: TestFederation;
  let proxy: ReturnType<typeof stallingProxy>;
  const started: RunningNode[] = [];
  beforeAll(async () => {
    f = await createTestFederation({ countries: ['TH', 'KH'] });
    proxy = stallingProxy(() => f.node('KH').url);
    const via = await proxy.listen();
    // TH reaches KH only through the proxy.
    await f.liaison.ctx.db.updateTable('dir_members').set({ endpoint: via }).where('country', '=', 'KH').execute();
    await f.publish();
  });
  afterAll(async () => {
    proxy?.release();
    await Promise.all(started.map((n) => n.stop().catch(() => undefined)));
    await proxy?.close();
    await f?.close();
  });

  it('stores each message once at the recipient, and the poster whose lease ran out records nothing over the other', async () => {
    const thDir = f.node('TH').ctx.dataDir;
    await f.node('TH').stop();
    const start = async () => {
      const node = await startNode({
        dataDir: thDir,
        logger: createLogger({ level: 'silent' }),
        routing: testIndex(),
        override: {
          listen: { host: '127.0.0.1', port: 0 },
          retry: { baseMs: 50, maxMs: 500, probeMs: 200 },
          directoryRefreshSeconds: 3600,
        },
      });
      started.push(node);
      return node;
    };

    // Queue the referrals while no TH process runs.
    const ids: string[] = [];
    const opened = await openNode({ dataDir: thDir, logger: createLogger({ level: 'silent' }) });
    try {
      const seeded = await seedCase(opened, thDir);
      for (let i = 0; i < COUNT; i++) {
        const referral = await createReferral(opened.ctx, testIndex(), seeded.referral(ipIn(f, 'KH', i)), 'test');
        ids.push(referral.id);
      }
    } finally {
      await opened.close();
    }

    // Process A claims the whole batch for KH and posts it; the post stalls in the proxy.
    const a = await start();
    await f.until(() => proxy.holding(), 30_000);
    const claimedByA = await a.ctx.db.selectFrom('outbox').select(['claimed_by', 'claimed_until']).where('peer', '=', 'KH').execute();
    expect(claimedByA).toHaveLength(COUNT);
    const workerA = claimedByA[0]?.claimed_by;
    expect(workerA).toBeTruthy();
    expect(claimedByA.every((r) => r.claimed_by === workerA && Number(r.claimed_until) > Date.now())).toBe(true);

    // A's lease runs out while it is still stalled (the stall lasted longer than the lease).
    await a.ctx.db
      .updateTable('outbox')
      .set({ claimed_until: Date.now() - 1 })
      .where('peer', '=', 'KH')
      .where('state', '=', 'queued')
      .execute();

    // Process B claims the same batch and delivers it.
    const b = await start();
    await f.until(async () => {
      const left = await b.ctx.db.selectFrom('outbox').select('id').where('peer', '=', 'KH').where('state', '!=', 'delivered').execute();
      return left.length === 0;
    }, 30_000);
    expect(proxy.exchanges).toHaveLength(1);
    const kh = f.node('KH');
    const stored = async () =>
      kh.ctx.db
        .selectFrom('received')
        .select((eb) => [eb.fn.countAll<number>().as('rows'), eb.fn.count<number>('message_id').distinct().as('ids')])
        .where('from_country', '=', 'TH')
        .executeTakeFirstOrThrow();
    expect(Number((await stored()).rows)).toBe(COUNT);

    // A's stalled post goes through now: the same bytes, a second time.
    proxy.release();
    const receiptsAt = async () =>
      a.ctx.db.selectFrom('audit').select(['ref', 'digest']).where('kind', '=', 'receipt.accepted').where('ref', 'like', '%@KH').execute();
    await f.until(async () => proxy.exchanges.length === 2, 30_000);
    // A records its answer (or not) right after its exchange; give it that moment before asserting
    // that nothing was added.
    await new Promise((resolve) => setTimeout(resolve, 2000));

    // B's exchange completed first; A's, held since before B started, second.
    const [fromB, fromA] = proxy.exchanges;
    // The same envelopes, each post under a seal of its own (signed when posted, PROTOCOL.md §2.3.2).
    const sent = (e: Exchange | undefined) => JSON.parse(e?.body ?? '{}') as { envelopes: string[]; seal?: string };
    expect(sent(fromA).envelopes).toEqual(sent(fromB).envelopes);
    expect(typeof sent(fromA).seal).toBe('string');
    expect(fromB?.status).toBe(200);
    expect(fromA?.status).toBe(200);
    // Each exchange is answered by one receipt batch (PROTOCOL.md §2.3.1).
    const batchOf = (e: Exchange | undefined) => {
      const jws = (JSON.parse(e?.answer ?? '{}') as { result: { data: { receiptBatch: string } } }).result.data.receiptBatch;
      const payload = JSON.parse(Buffer.from(jws.split('.')[1] ?? '', 'base64url').toString()) as {
        receipts: Array<{ ref: { id: string; digest: string }; verdict: string }>;
      };
      return { jws, verdicts: payload.receipts };
    };
    const first = batchOf(fromB);
    expect(first.verdicts).toHaveLength(COUNT);
    expect(first.verdicts.every((v) => v.verdict === 'accepted')).toBe(true);
    // The recipient answered the late copy idempotently: the same verdicts for the same bytes.
    expect(batchOf(fromA).verdicts).toEqual(first.verdicts);

    // KH stored and applied each message once.
    expect(await stored()).toEqual({ rows: COUNT, ids: COUNT });
    const referralsIn = await kh.ctx.db.selectFrom('referrals_in').select('id').execute();
    expect(referralsIn.map((r) => r.id).sort()).toEqual([...ids].sort());
    const applied = await kh.ctx.db.selectFrom('audit').select('ref').where('kind', '=', 'received.referral').execute();
    expect(applied).toHaveLength(COUNT);

    // B recorded the receipt; A, no longer holding the claim, added nothing: one audit entry per
    // message, and the outbox row holds that receipt.
    const byRef = new Map<string, string[]>();
    for (const r of await receiptsAt()) byRef.set(r.ref, [...(byRef.get(r.ref) ?? []), r.digest]);
    const rows = await a.ctx.db.selectFrom('outbox').select(['message_id', 'state', 'receipt']).where('peer', '=', 'KH').execute();
    expect(rows).toHaveLength(COUNT);
    for (const row of rows) {
      expect(row.state).toBe('delivered');
      // The row names its verdict in B's batch.
      const index = first.verdicts.findIndex((v) => v.ref.id === row.message_id);
      expect(row.receipt).toBe(`batch:${sha256Digest(first.jws)}:${index}`);
      expect(byRef.get(`referral:${row.message_id}@KH`)).toEqual([sha256Digest(first.jws)]);
    }
    expect((await verifyAudit(a.ctx.db)).ok).toBe(true);
    expect((await verifyAudit(kh.ctx.db)).ok).toBe(true);
  });
});
