/**
 * Cross-country suite: a liaison office and five countries as separate `firstlight start` processes
 * (the same code path as `pnpm start`), each with its own port and data directory.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AppRouter, loadIpIndex, sampleIpsFor } from '@firstlight/node';
import { runSimulation, type Simulation } from '@firstlight/sim';
import { type NodeProcess, startNodeProcess, waitHealthy } from '@firstlight/sim/processes';
import { createTRPCClient, httpLink } from '@trpc/client';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from './harness.js';

const COUNTRIES = ['CN', 'HK', 'KH', 'VN', 'TH'];
const root = mkdtempSync(join(tmpdir(), 'firstlight-suite-'));
let sim: Simulation;
const index = loadIpIndex();

const client = (party: string, token: string) =>
  createTRPCClient<AppRouter>({
    links: [httpLink({ url: `${sim.urls[party]}/trpc`, headers: () => ({ authorization: `Bearer ${token}` }) })],
  });
const officer = (party: string) => client(party, sim.tokens[party]?.officer as string);

async function until<T>(fn: () => Promise<T | null | false | undefined>, ms = 60_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn().catch(() => null);
    if (v) return v;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 200));
  }
}

function proc(party: string): NodeProcess {
  return sim.nodes.find((n) => n.party === party) as NodeProcess;
}

/** SIGKILL (or SIGTERM) one node process, then start it again on the same data and port. */
async function restart(party: string, signal: NodeJS.Signals, between: () => Promise<void> = async () => undefined): Promise<void> {
  const old = proc(party);
  old.child.kill(signal);
  await old.exited;
  await between();
  const fresh = startNodeProcess(party, join(root, party), sim.urls[party] as string);
  await waitHealthy(fresh);
  sim.nodes.splice(sim.nodes.indexOf(old), 1, fresh);
}

async function fileAndRefer(from: string, to: string, n: number): Promise<string[]> {
  const c = officer(from);
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const complaint = await c.bureau.complaints.create.mutate({
      victimName: `Suite victim ${i}`,
      victimContact: 'suite@example.invalid',
      amountLost: 1000,
      currency: 'USD',
      scamType: 'fake_courier',
      narrative: 'suite',
      occurredAt: '2015-06-01',
      reportedAt: '2015-06-02',
    });
    const res = await fetch(`${sim.urls[from]}/bureau/evidence?complaintId=${complaint.id}&filename=x.html`, {
      method: 'POST',
      headers: { authorization: `Bearer ${sim.tokens[from]?.officer}`, 'content-type': 'text/html' },
      body: `suite evidence ${from} ${to} ${i} ${Date.now()}`,
    });
    const { digest } = (await res.json()) as { digest: string };
    const [ip] = sampleIpsFor(index, to, 1, Math.random);
    const r = await c.bureau.referrals.create.mutate({
      complaintId: complaint.id,
      ip: ip as string,
      seenAt: '2015-06-01T10:00:00Z',
      evidence: [digest],
      action: 'locate',
      urgency: 'urgent',
      operation: 'first-light-2015',
    });
    expect(r.to).toBe(to);
    ids.push(r.id);
  }
  return ids;
}

const inboxIds = async (party: string) => (await officer(party).bureau.inbox.list.query({ limit: 1000 })).map((r) => r.id);
const liaisonCount = async () =>
  (await client('LIAISON', sim.tokens.LIAISON?.analyst as string).liaison.overview.query({})).headline.referrals;

beforeAll(async () => {
  sim = await runSimulation({
    dataRoot: root,
    portBase: 20_000 + Math.floor(Math.random() * 3000),
    only: COUNTRIES,
    referrals: 25,
    stepSeconds: 0.1,
    console: false,
  });
});

afterAll(async () => {
  await sim?.stop();
  rmSync(root, { recursive: true, force: true });
});

describe('a liaison office and five countries as processes', () => {
  it('carry referrals through their whole lifecycle, and the liaison figures match the signed statuses', async () => {
    const done = await sim.done;
    // The simulation skips a case the bureau refuses after retries; nearly all 25 go through.
    expect(done.referrals).toBeGreaterThanOrEqual(20);
    expect(done.done).toBe(done.referrals);
    // The origin countries' own view of the outcomes (from the statuses they received) sums to the liaison figures.
    let arrests = 0;
    let states = 0;
    for (const c of COUNTRIES) {
      for (const r of await officer(c).bureau.referrals.list.query({ limit: 1000 })) {
        arrests += (r.outcome as { arrests?: number } | null)?.arrests ?? 0;
        if (r.state === 'closed' || r.state === 'declined') states += 1;
      }
    }
    expect(states).toBe(done.referrals);
    expect(done.arrests).toBe(arrests);
  });

  it('refuse a captured envelope replayed to another country, and answer its resend idempotently', async () => {
    const [id] = await fileAndRefer('TH', 'KH', 1);
    await until(async () => (await inboxIds('KH')).includes(id as string));
    const db = new Database(join(root, 'TH', 'node.db'), { readonly: true });
    const { jws } = db.prepare('select jws from referrals_out where id = ?').get(id) as { jws: string };
    db.close();
    const post = (party: string) =>
      fetch(`${sim.urls[party]}/trpc/federation.deliver`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ envelopes: [jws] }),
      }).then(async (r) => ((await r.json()) as { result: { data: { receipts: string[] } } }).result.data.receipts[0] as string);
    const payload = (receipt: string) =>
      JSON.parse(Buffer.from(receipt.split('.')[1] as string, 'base64url').toString()) as { verdict: string; code?: string };
    expect(payload(await post('VN'))).toMatchObject({ verdict: 'rejected', code: 'ERR_WRONG_RECIPIENT' });
    expect(payload(await post('CN'))).toMatchObject({ verdict: 'rejected', code: 'ERR_WRONG_RECIPIENT' });
    const again = await post('KH');
    expect(payload(again)).toMatchObject({ verdict: 'accepted' });
    expect(await post('KH')).toBe(again);
    expect((await inboxIds('KH')).filter((x) => x === id)).toHaveLength(1);
  });

  it('lose nothing and apply nothing twice when a receiving node and then a sender are killed with SIGKILL', async () => {
    let ids: string[] = [];
    // The receiver dies; the sender queues and retries; the receiver comes back.
    await restart('KH', 'SIGKILL', async () => {
      ids = await fileAndRefer('TH', 'KH', 6);
    });
    // The sender dies with messages possibly in flight, and comes back.
    const more = await fileAndRefer('TH', 'KH', 6);
    await restart('TH', 'SIGKILL');
    const all = [...ids, ...more];
    const inbox = await until(async () => {
      const got = await inboxIds('KH');
      return all.every((id) => got.includes(id)) ? got : null;
    }, 120_000);
    for (const id of all) expect(inbox.filter((x) => x === id)).toHaveLength(1);
  });

  it('keep exchanging while the liaison office is down, and deliver the copies when it returns', async () => {
    const before = await liaisonCount();
    let ids: string[] = [];
    await restart('LIAISON', 'SIGKILL', async () => {
      ids = await fileAndRefer('CN', 'VN', 3);
      await until(async () => {
        const got = await inboxIds('VN');
        return ids.every((id) => got.includes(id));
      });
    });
    await until(async () => (await liaisonCount()) >= before + 3, 120_000);
    expect(await liaisonCount()).toBe(before + 3);
  });

  it('see a directory update, a key rotation mid-operation and a key revocation on every node', async () => {
    const serialOf = async (party: string) =>
      ((await (await fetch(`${sim.urls[party]}/trpc/federation.health`)).json()) as { result: { data: { directorySerial: number } } })
        .result.data.directorySerial;
    const all = ['LIAISON', ...COUNTRIES];
    const start = await serialOf('LIAISON');
    // Key rotation: HK submits a new key signed with its current one; the liaison office approves and publishes.
    const rotated = cli('keys', 'rotate', '--data', join(root, 'HK'));
    expect(rotated).toContain('submitted to the liaison office');
    const pending = JSON.parse(cli('key', 'pending', '--data', join(root, 'LIAISON'), '--json')) as Array<{ kid: string; country: string }>;
    const hkKey = pending.find((k) => k.country === 'HK');
    expect(hkKey).toBeDefined();
    cli('key', 'approve', '--data', join(root, 'LIAISON'), '--kid', hkKey?.kid as string);
    cli('directory', 'publish', '--data', join(root, 'LIAISON'));
    await until(async () => (await Promise.all(all.map(serialOf))).every((s) => s === start + 1));
    const directory = (await (await fetch(`${sim.urls.VN}/trpc/federation.directory`)).json()) as { result: { data: { jws: string } } };
    const payload = JSON.parse(Buffer.from(directory.result.data.jws.split('.')[1] as string, 'base64url').toString()) as {
      members: Array<{ country: string; keys: Array<{ kid: string }> }>;
      revoked: Array<{ kid: string }>;
    };
    expect(payload.members.find((m) => m.country === 'HK')?.keys.map((k) => k.kid)).toContain(hkKey?.kid);
    // Revocation: CN's key is revoked; from the next serial every node refuses what it signs.
    const cnKid = payload.members.find((m) => m.country === 'CN')?.keys[0]?.kid as string;
    cli('key', 'revoke', '--data', join(root, 'LIAISON'), '--kid', cnKid, '--reason', 'suite: key compromised');
    cli('directory', 'publish', '--data', join(root, 'LIAISON'));
    await until(async () => (await Promise.all(all.map(serialOf))).every((s) => s === start + 2));
    const [id] = await fileAndRefer('CN', 'VN', 1);
    const cn = officer('CN');
    const refused = await until(async () => {
      const r = await cn.bureau.referrals.get.query({ id: id as string });
      return r.delivery.length === 2 && r.delivery.every((d) => d.state === 'rejected') ? r : null;
    });
    expect(refused.delivery.map((d) => d.rejectedCode)).toEqual(['ERR_KEY_REVOKED', 'ERR_KEY_REVOKED']);
  });
});
