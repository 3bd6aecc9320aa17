/**
 * Cross-country suite: a liaison office and five countries as separate `firstlight start` processes
 * (the same code path as `pnpm start`), each with its own port and data directory. Besides driving
 * the bureaus' APIs, the suite speaks the wire itself (wire.ts) to send what no honest node would:
 * messages dated ahead or expired, or addressed outside the federation. It never edits a node's data.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AppRouter, loadIpIndex, sampleIpsFor } from '@firstlight/node';
import { generateSigningKey, type Receipt, type Referral, type SigningKey, signKeySubmission, verify } from '@firstlight/protocol';
import { runSimulation, type Simulation } from '@firstlight/sim';
import { type NodeProcess, startNodeProcess, waitHealthy } from '@firstlight/sim/processes';
import { createTRPCClient, httpLink } from '@trpc/client';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cli } from './harness.js';
import { checkedReceipt, deliver, federationPost, memberKey, nowSeconds, signedReferral, trustedDirectory } from './wire.js';

const COUNTRIES = ['CN', 'HK', 'KH', 'VN', 'TH'];
const OPERATION = 'first-light-2015';
/** The receivers' clock-skew allowance (the default in every node's config.json). */
const SKEW_SECONDS = 300;
/** Preloaded into a node process to run its machine clock ahead (see clock-offset.mjs). */
const CLOCK_PRELOAD = new URL('./clock-offset.mjs', import.meta.url).href;
const root = mkdtempSync(join(tmpdir(), 'firstlight-suite-'));
let sim: Simulation;
let failed = false;
const index = loadIpIndex();

const client = (party: string, token: string) =>
  createTRPCClient<AppRouter>({
    links: [httpLink({ url: `${sim.urls[party]}/trpc`, headers: () => ({ authorization: `Bearer ${token}` }) })],
  });
const officer = (party: string) => client(party, sim.tokens[party]?.officer as string);
const analyst = () => client('LIAISON', sim.tokens.LIAISON?.analyst as string);
const admin = () => client('LIAISON', sim.tokens.LIAISON?.admin as string);

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

/** Starts a node process, its machine clock `clockOffsetMs` ahead when not 0 (FIRSTLIGHT_SIM_NODE_ARGS is read at spawn). */
function startProcess(party: string, clockOffsetMs: number): NodeProcess {
  const start = () => startNodeProcess(party, join(root, party), sim.urls[party] as string);
  if (clockOffsetMs === 0) return start();
  const saved = { args: process.env.FIRSTLIGHT_SIM_NODE_ARGS, offset: process.env.FIRSTLIGHT_TEST_CLOCK_OFFSET_MS };
  process.env.FIRSTLIGHT_SIM_NODE_ARGS = `${saved.args ?? ''} --import=${CLOCK_PRELOAD}`.trim();
  process.env.FIRSTLIGHT_TEST_CLOCK_OFFSET_MS = String(clockOffsetMs);
  try {
    return start();
  } finally {
    for (const [name, value] of [
      ['FIRSTLIGHT_SIM_NODE_ARGS', saved.args],
      ['FIRSTLIGHT_TEST_CLOCK_OFFSET_MS', saved.offset],
    ] as const) {
      if (value === undefined) Reflect.deleteProperty(process.env, name);
      else process.env[name] = value;
    }
  }
}

/** SIGKILL (or SIGTERM) one node process, then start it again on the same data and port. */
async function restart(
  party: string,
  signal: NodeJS.Signals,
  options: { between?: () => Promise<void>; clockOffsetMs?: number } = {},
): Promise<void> {
  const old = proc(party);
  old.child.kill(signal);
  await old.exited;
  await options.between?.();
  const fresh = startProcess(party, options.clockOffsetMs ?? 0);
  await waitHealthy(fresh);
  sim.nodes.splice(sim.nodes.indexOf(old), 1, fresh);
}

/** A complaint with one evidence file at `from`: what a referral needs. */
async function fileComplaint(from: string, i = 0): Promise<{ complaintId: string; digest: string }> {
  const complaint = await officer(from).bureau.complaints.create.mutate({
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
    body: `suite evidence ${from} ${i} ${Date.now()} ${Math.random()}`,
  });
  const { digest } = (await res.json()) as { digest: string };
  return { complaintId: complaint.id, digest };
}

const referralFields = (complaint: { complaintId: string; digest: string }, ip: string) => ({
  complaintId: complaint.complaintId,
  ip,
  seenAt: '2015-06-01T10:00:00Z',
  evidence: [complaint.digest],
  action: 'locate' as const,
  urgency: 'urgent' as const,
  operation: OPERATION,
});

const ipIn = (country: string): string => {
  const [ip] = sampleIpsFor(index, country, 1, Math.random);
  if (!ip) throw new Error(`no IP range for ${country} in the data set`);
  return ip;
};

async function fileAndRefer(from: string, to: string, n: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const r = await officer(from).bureau.referrals.create.mutate(referralFields(await fileComplaint(from, i), ipIn(to)));
    expect(r.to).toBe(to);
    ids.push(r.id);
  }
  return ids;
}

/**
 * Delivers one envelope signed by `sender` to each receiver and returns each receipt, checked as the
 * sender must check it (signed under the receiver's directory key, for exactly these bytes).
 */
async function receiptsFrom(receivers: string[], sender: string, jws: string): Promise<Record<string, Receipt>> {
  const trust = await trustedDirectory(root, sender, sim.urls.LIAISON as string);
  const out: Record<string, Receipt> = {};
  for (const receiver of receivers) {
    const [receipt] = await deliver(root, sender, receiver, [jws]);
    out[receiver] = await checkedReceipt(receipt as string, { trust, receiver, sender, jws });
  }
  return out;
}

/** Whether the liaison office holds a referral (its signed history), or refuses to know it. */
const liaisonHolds = (id: string) =>
  analyst()
    .liaison.history.query({ id })
    .then(
      () => true,
      (error: { data?: { firstlightCode?: string } }) => {
        if (error.data?.firstlightCode === 'ERR_NOT_FOUND') return false;
        throw error;
      },
    );

/**
 * For each of three members, a referral `make` signs as TH to it, delivered to that member and to the
 * liaison office: both refuse it with `code` in a signed receipt attributed to TH, and neither holds it.
 */
async function expectRefusedEverywhere(code: string, make: (to: string) => { jws: string; message: Referral }): Promise<void> {
  for (const to of ['KH', 'VN', 'CN']) {
    const { jws, message } = make(to);
    const receipts = await receiptsFrom([to, 'LIAISON'], 'TH', jws);
    for (const receipt of Object.values(receipts))
      expect(receipt).toMatchObject({ verdict: 'rejected', code, to: 'TH', ref: { id: message.id } });
    expect(await inboxIds(to)).not.toContain(message.id);
    expect(await liaisonHolds(message.id)).toBe(false);
  }
}

const inboxIds = async (party: string) => (await officer(party).bureau.inbox.list.query({ limit: 1000 })).map((r) => r.id);
const liaisonCount = async () => (await analyst().liaison.overview.query({})).headline.referrals;
const serialOf = async (party: string) =>
  ((await (await fetch(`${sim.urls[party]}/trpc/federation.health`)).json()) as { result: { data: { directorySerial: number } } }).result
    .data.directorySerial;
const ALL = ['LIAISON', ...COUNTRIES];

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

afterEach(({ task }) => {
  // An expected failure (it.fails) reads as failed here; it is not one.
  if (task.result?.state === 'fail' && !task.fails) failed = true;
});

afterAll(async () => {
  await sim?.stop();
  // A failure keeps every node's data and log for the post-mortem.
  if (failed) console.error(`cross-country suite failed: node data and logs kept in ${root}`);
  else rmSync(root, { recursive: true, force: true });
});

describe('a liaison office and five countries as processes', () => {
  it("carry referrals through their whole lifecycle, every signed status reaching the liaison office in order, its figures equal to the origins' outcomes", async () => {
    const done = await sim.done;
    // The simulation skips a case the bureau refuses after retries; nearly all 25 go through.
    expect(done.referrals).toBeGreaterThanOrEqual(20);
    expect(done.done).toBe(done.referrals);
    // The origin countries' own view (from the statuses they received): every referral closed or declined.
    const sent = await until(async () => {
      const lists = await Promise.all(COUNTRIES.map((c) => officer(c).bureau.referrals.list.query({ limit: 1000 })));
      const all = lists.flatMap((list, i) => list.map((r) => ({ ...r, from: COUNTRIES[i] as string })));
      return all.length === done.referrals && all.every((r) => r.state === 'closed' || r.state === 'declined') ? all : null;
    });
    expect(sent.some((r) => r.state === 'closed')).toBe(true);

    // All four headline figures are the sums of the outcomes the origins hold.
    const sums = { suspectsIdentified: 0, arrests: 0, premisesSearched: 0, callCentresDismantled: 0 };
    for (const r of sent) for (const k of Object.keys(sums) as Array<keyof typeof sums>) sums[k] += r.outcome?.[k] ?? 0;
    expect(sums.suspectsIdentified).toBeGreaterThan(0);
    const { headline } = await analyst().liaison.overview.query({ operation: OPERATION });
    expect(headline.referrals).toBe(sent.length);
    expect({
      suspectsIdentified: headline.suspectsIdentified,
      arrests: headline.arrests,
      premisesSearched: headline.premisesSearched,
      callCentresDismantled: headline.callCentresDismantled,
    }).toEqual(sums);

    // The liaison office's referral list says what the origins say.
    const listed = await analyst().liaison.referrals.query({ operation: OPERATION, limit: 1000 });
    expect(new Map(listed.items.map((r) => [r.id, r.state]))).toEqual(new Map(sent.map((r) => [r.id, r.state])));

    // Each referral's history at the liaison office: every intermediate status, in order, signed by the
    // receiving country to the origin, the very bytes the origin received.
    const trust = await trustedDirectory(root, 'TH', sim.urls.LIAISON as string);
    const LIFECYCLE = ['acknowledged', 'in_progress', 'located', 'action_taken', 'closed'];
    for (const r of sent) {
      const { events } = await analyst().liaison.history.query({ id: r.id });
      const copies = events.filter((e) => e.type === 'status').map((e) => e.jws);
      const states: string[] = [];
      for (const jws of copies) {
        const checked = await verify(jws, {
          type: 'status',
          keys: trust,
          recipient: 'LIAISON',
          recipientRole: 'liaison',
          now: nowSeconds(),
        });
        if (!checked.ok) throw new Error(`status copy of ${r.id} does not verify: ${checked.error.code}`);
        expect(checked.message).toMatchObject({ from: r.to, to: r.from, referral: r.id });
        states.push(checked.message.state);
      }
      expect(states, `statuses of ${r.id}`).toEqual(r.state === 'closed' ? LIFECYCLE : ['acknowledged', 'declined']);
      const origin = await officer(r.from).bureau.referrals.get.query({ id: r.id });
      expect(new Set(copies)).toEqual(new Set(origin.statuses.map((st) => st.jws)));
    }
  });

  it('refuse a captured envelope replayed to another country, and answer its resend idempotently', async () => {
    const [id] = await fileAndRefer('TH', 'KH', 1);
    await until(async () => (await inboxIds('KH')).includes(id as string));
    const db = new Database(join(root, 'TH', 'node.db'), { readonly: true });
    const { jws } = db.prepare('select jws from referrals_out where id = ?').get(id) as { jws: string };
    db.close();
    const post = (party: string) =>
      federationPost(root, 'TH', party, 'deliver', { envelopes: [jws] }).then(
        async (r) => ((await r.json()) as { result: { data: { receipts: string[] } } }).result.data.receipts[0] as string,
      );
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
    await restart('KH', 'SIGKILL', {
      between: async () => {
        ids = await fileAndRefer('TH', 'KH', 6);
      },
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
    await restart('LIAISON', 'SIGKILL', {
      between: async () => {
        ids = await fileAndRefer('CN', 'VN', 3);
        await until(async () => {
          const got = await inboxIds('VN');
          return ids.every((id) => got.includes(id));
        });
      },
    });
    await until(async () => (await liaisonCount()) >= before + 3, 120_000);
    expect(await liaisonCount()).toBe(before + 3);
  });

  it('accept referrals dated ahead within the clock-skew allowance, and refuse them beyond it with ERR_IAT_FUTURE at every receiver', async () => {
    // TH's own key, read from its data directory, signs at whatever iat the case needs.
    const ahead = (to: string, seconds: number) => signedReferral(root, { from: 'TH', to, ip: ipIn(to), iat: nowSeconds() + seconds });
    for (const [to, seconds] of [
      ['KH', 200],
      ['VN', SKEW_SECONDS - 20],
    ] as const) {
      const { jws, message } = ahead(to, seconds);
      const receipts = await receiptsFrom([to, 'LIAISON'], 'TH', jws);
      for (const receipt of Object.values(receipts))
        expect(receipt).toMatchObject({ verdict: 'accepted', to: 'TH', ref: { id: message.id } });
      expect((await inboxIds(to)).filter((x) => x === message.id)).toHaveLength(1);
      expect(await liaisonHolds(message.id)).toBe(true);
    }
    await expectRefusedEverywhere('ERR_IAT_FUTURE', (to) => ahead(to, SKEW_SECONDS + 100));
  });

  it('hold a referral from a country whose clock runs beyond the allowance (ERR_IAT_FUTURE), and retry it until the clocks agree', async () => {
    // HK's machine clock runs 310 s ahead: its referral is dated 10 s beyond every receiver's allowance.
    const aheadSeconds = SKEW_SECONDS + 10;
    await restart('HK', 'SIGTERM', { clockOffsetMs: aheadSeconds * 1000 });
    try {
      const [id] = await fileAndRefer('HK', 'KH', 1);
      const hk = officer('HK');
      const get = () => hk.bureau.referrals.get.query({ id: id as string });
      expect((await get()).iat - nowSeconds()).toBeGreaterThan(SKEW_SECONDS);
      // Both copies (to KH and to the liaison office) are refused, and the sender keeps them for retry.
      const refused = await until(async () => {
        const r = await get();
        const held = r.delivery.filter((d) => d.state === 'retrying' && String(d.lastError).includes('ERR_IAT_FUTURE'));
        return held.length === 2 ? held : null;
      }, 9_000);
      expect(refused.map((d) => d.peer).sort()).toEqual(['KH', 'LIAISON']);
      expect(await inboxIds('KH')).not.toContain(id);
      // Once real time has caught up to within the allowance, a retry of the same bytes is accepted.
      const delivered = await until(async () => {
        const r = await get();
        return r.delivery.length === 2 && r.delivery.every((d) => d.state === 'delivered') ? r : null;
      }, 90_000);
      for (const d of delivered.delivery) expect(Number(d.attempts)).toBeGreaterThan(1);
      expect((await inboxIds('KH')).filter((x) => x === id)).toHaveLength(1);
      expect(await liaisonHolds(id as string)).toBe(true);
    } finally {
      await restart('HK', 'SIGTERM');
    }
  });

  it('refuse an expired referral with ERR_EXPIRED at every receiver', async () => {
    // An expiry beyond the allowance needs a key valid before it, and the nodes' keys are minutes old:
    // TH enrols a key valid from a week ago the way any rotation goes (submitted under its current key,
    // approved and published by the liaison office). Only the suite holds its private half.
    const now = nowSeconds();
    const old = generateSigningKey();
    const key = { kid: old.kid, jwk: old.publicJwk, nbf: now - 7 * 86_400, exp: now + 86_400 };
    // A member cannot submit a key reaching back a week (PROTOCOL.md §3.2: ERR_SCHEMA)…
    const jws = signKeySubmission(key, { party: 'TH', nowMs: now * 1000, current: memberKey(root, 'TH') });
    // federation.submitKey is on the liaison office's federation listener: TH calls it over mutual TLS.
    const refused = (await (await federationPost(root, 'TH', 'LIAISON', 'submitKey', { jws })).json()) as { error?: { message?: string } };
    expect(refused.error?.message).toMatch(/nbf/);
    // …the liaison office, the directory's authority, may enrol one.
    const th = (await admin().liaison.directory.get.query()).draft.members.find((m) => m.country === 'TH');
    if (!th) throw new Error('TH is not a member');
    await admin().liaison.directory.addMember.mutate({
      country: 'TH',
      name: th.name,
      endpoint: th.endpoint,
      jwk: old.publicJwk,
      nbf: key.nbf,
      exp: key.exp,
    });
    const { serial } = await admin().liaison.directory.publish.mutate({});
    await until(async () => (await Promise.all(ALL.map(serialOf))).every((s) => s >= serial));

    const expired = (to: string, key: SigningKey) => {
      const iat = now - 3 * 86_400;
      return signedReferral(root, { from: 'TH', to, ip: ipIn(to), iat, exp: iat + 86_400 }, key);
    };
    await expectRefusedEverywhere('ERR_EXPIRED', (to) => expired(to, old));
  });

  it('refuse a referral to a country outside the federation at every receiver, and at its origin before anything is queued', async () => {
    // JP is a country but not a member: a member it is not addressed to refuses it as another party's.
    const toJapan = signedReferral(root, { from: 'TH', to: 'JP', ip: ipIn('JP') });
    // (The liaison office's answer to it is the next test's.)
    const japan = await receiptsFrom(['KH', 'VN'], 'TH', toJapan.jws);
    for (const receipt of Object.values(japan))
      expect(receipt).toMatchObject({ verdict: 'rejected', code: 'ERR_WRONG_RECIPIENT', to: 'TH', ref: { id: toJapan.message.id } });
    // XK is no ISO 3166-1 country at all: the schema refuses it; TH's key signed it, so the refusal is
    // addressed to TH and names the id (PROTOCOL.md §2.3).
    const toNowhere = signedReferral(root, { from: 'TH', to: 'XK', ip: ipIn('KH') });
    const nowhere = await receiptsFrom(['KH', 'VN', 'LIAISON'], 'TH', toNowhere.jws);
    for (const receipt of Object.values(nowhere))
      expect(receipt).toMatchObject({ verdict: 'rejected', code: 'ERR_SCHEMA', to: 'TH', ref: { id: toNowhere.message.id } });
    for (const id of [toJapan.message.id, toNowhere.message.id]) expect(await liaisonHolds(id)).toBe(false);

    // The origin's bureau refuses to create one at all: nothing is signed or queued.
    const th = officer('TH');
    const queued = () => {
      const db = new Database(join(root, 'TH', 'node.db'), { readonly: true });
      try {
        return db
          .prepare(
            "select (select count(*) from referrals_out) as referrals, (select count(*) from outbox where kind = 'referral') as outbox",
          )
          .get();
      } finally {
        db.close();
      }
    };
    const before = queued();
    const complaint = await fileComplaint('TH');
    for (const [input, to] of [
      [referralFields(complaint, ipIn('JP')), 'JP'],
      [{ ...referralFields(complaint, ipIn('KH')), overrideCountry: 'XK', overrideReason: 'suite: a country that does not exist' }, 'XK'],
    ] as const) {
      const refusal = await th.bureau.referrals.create.mutate(input).then(
        () => null,
        (error: { message: string; data?: { firstlightCode?: string; httpStatus?: number } }) => error,
      );
      expect(refusal?.data).toMatchObject({ firstlightCode: 'ERR_NOT_A_MEMBER', httpStatus: 400 });
      expect(refusal?.message).toContain(`${to} is not a member of the federation`);
    }
    expect(queued()).toEqual(before);
  });

  // PROTOCOL §3 check 9: the liaison office accepts any *member* as `to`, and only a member.
  it('refuse at the liaison office a referral addressed to a country that is not a member', async () => {
    const toJapan = signedReferral(root, { from: 'TH', to: 'JP', ip: ipIn('JP') });
    const { LIAISON: receipt } = await receiptsFrom(['LIAISON'], 'TH', toJapan.jws);
    expect(receipt).toMatchObject({ verdict: 'rejected', code: 'ERR_WRONG_RECIPIENT', to: 'TH', ref: { id: toJapan.message.id } });
  });

  it('see a directory update, a key rotation mid-operation and a key revocation on every node', async () => {
    const start = await serialOf('LIAISON');
    // Key rotation: HK submits a new key signed with its current one; the liaison office approves and publishes.
    const rotated = cli('keys', 'rotate', '--data', join(root, 'HK'));
    expect(rotated).toContain('submitted to the liaison office');
    const pending = JSON.parse(cli('member', 'key', 'pending', '--data', join(root, 'LIAISON'), '--json')) as Array<{
      kid: string;
      country: string;
    }>;
    const hkKey = pending.find((k) => k.country === 'HK');
    expect(hkKey).toBeDefined();
    cli('member', 'key', 'approve', '--data', join(root, 'LIAISON'), '--kid', hkKey?.kid as string);
    cli('directory', 'publish', '--data', join(root, 'LIAISON'));
    await until(async () => (await Promise.all(ALL.map(serialOf))).every((s) => s === start + 1));
    const directory = (await (await fetch(`${sim.urls.VN}/trpc/federation.directory`)).json()) as { result: { data: { jws: string } } };
    const payload = JSON.parse(Buffer.from(directory.result.data.jws.split('.')[1] as string, 'base64url').toString()) as {
      members: Array<{ country: string; keys: Array<{ kid: string }> }>;
      revoked: Array<{ kid: string }>;
    };
    expect(payload.members.find((m) => m.country === 'HK')?.keys.map((k) => k.kid)).toContain(hkKey?.kid);
    // Revocation: CN's key is revoked; from the next serial every node refuses what it signs.
    const cnKid = payload.members.find((m) => m.country === 'CN')?.keys[0]?.kid as string;
    cli('member', 'key', 'revoke', '--data', join(root, 'LIAISON'), '--kid', cnKid, '--reason', 'suite: key compromised');
    cli('directory', 'publish', '--data', join(root, 'LIAISON'));
    await until(async () => (await Promise.all(ALL.map(serialOf))).every((s) => s === start + 2));
    const [id] = await fileAndRefer('CN', 'VN', 1);
    const cn = officer('CN');
    const refused = await until(async () => {
      const r = await cn.bureau.referrals.get.query({ id: id as string });
      return r.delivery.length === 2 && r.delivery.every((d) => d.state === 'rejected') ? r : null;
    });
    expect(refused.delivery.map((d) => d.rejectedCode)).toEqual(['ERR_KEY_REVOKED', 'ERR_KEY_REVOKED']);
  });
});
