/**
 * The verification threads: a large batch verified on workers gives exactly the verdicts the main
 * thread gives (valid, forged, misaddressed, not a JWS), follows a directory change, and an incoming
 * batch large enough to use them is stored and receipted like any other.
 */
import { createTrustStore, type Directory, peekJws, type TrustStore } from '@firstlight/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runJob, type VerifyJob } from '../src/inbox/verify-job.js';
import { VerifyPool } from '../src/inbox/verify-pool.js';
import { Keystore } from '../src/keys/keystore.js';
import { createTestFederation, type TestFederation } from '../src/testing/federation.js';
import { ipIn, signReferral } from '../src/testing/fixtures.js';

let f: TestFederation;
beforeAll(async () => {
  f = await createTestFederation({ countries: ['TH', 'KH', 'VN'] });
});
afterAll(() => f.close());

async function envelopes(count: number, to = 'KH'): Promise<string[]> {
  const th = f.node('TH');
  const now = Math.floor(Date.now() / 1000);
  const key = Keystore.open(th.ctx.dataDir).signingKey(now);
  const out: string[] = [];
  for (let i = 0; i < count; i++)
    out.push(
      await signReferral(key, {
        from: 'TH',
        to,
        iat: now,
        ip: ipIn(f, 'KH', i),
        evidence: [`sha256:${i.toString(16).padStart(64, '0')}`],
        urgency: 'urgent',
        operation: 'first-light-2015',
      }),
    );
  return out;
}

/** A job for KH, as its inbox makes one: every envelope to verify, answered by receipts KH signs now. */
function jobFor(envelopes: unknown[], shape: Pick<VerifyJob, 'skip' | 'sealedBy' | 'sealed' | 'presign'>): Omit<VerifyJob, 'directory'> {
  const now = Date.now();
  return {
    envelopes,
    recipient: 'KH',
    recipientRole: 'national',
    nowMs: now,
    skewSeconds: 300,
    party: 'KH',
    key: Keystore.open(f.node('KH').ctx.dataDir).signingKey(Math.floor(now / 1000)),
    ...shape,
  };
}

function claims<T>(jws: string): T {
  return JSON.parse(Buffer.from(jws.split('.')[1] as string, 'base64url').toString('utf8')) as T;
}

function verdicts(outcome: { results: Array<{ ok: boolean; error?: { code: string } } | null>; receipts: Array<string | null> }) {
  return outcome.results.map((r, i) => {
    const jws = outcome.receipts[i];
    if (jws === null || jws === undefined) return [r, null, null];
    const receipt = claims<{ verdict: string; code?: string }>(jws);
    return [r?.ok ? 'ok' : r?.error?.code, receipt.verdict, receipt.code ?? null];
  });
}

describe('verification on worker threads', () => {
  it('gives the main thread’s verdicts for every envelope of a large batch, and follows a new directory', async () => {
    const kh = f.node('KH');
    const held = kh.ctx.directory.current() as { directory: Directory; trust: TrustStore; jws: string };
    const good = await envelopes(150);
    const misaddressed = await envelopes(3, 'VN');
    const forged = good.slice(0, 3).map((jws) => `${jws.slice(0, -6)}AAAAAA`);
    const batch: unknown[] = [...good, ...misaddressed, ...forged, 'not a jws', { an: 'object' }];
    const job = jobFor(batch, { skip: batch.map((_, i) => i === 5), sealedBy: null, sealed: [], presign: true });
    const pool = new VerifyPool({ threads: 2, minBatch: 1 });
    try {
      const onWorkers = await pool.run(job, held);
      const onMain = runJob({ ...job, directory: { serial: held.directory.serial } }, held.trust);
      expect(verdicts(onWorkers)).toEqual(verdicts(onMain));
      expect(onWorkers.results[5]).toBeNull();
      const codes = onWorkers.results.map((r) => (r === null ? 'skipped' : r.ok ? 'ok' : r.error.code));
      expect(codes.filter((c) => c === 'ok')).toHaveLength(149);
      expect(codes.slice(150, 153)).toEqual(['ERR_WRONG_RECIPIENT', 'ERR_WRONG_RECIPIENT', 'ERR_WRONG_RECIPIENT']);
      expect(codes.slice(153, 156)).toEqual(['ERR_SIGNATURE_INVALID', 'ERR_SIGNATURE_INVALID', 'ERR_SIGNATURE_INVALID']);
      expect(codes.slice(156)).toEqual(['ERR_JWS_MALFORMED', 'ERR_JWS_MALFORMED']);

      // A seal listing the forged envelopes (and only them) stands for their signatures, on every thread.
      const thKid = peekJws(good[0])?.kid as string;
      const sealedJob = { ...job, sealedBy: thKid, sealed: batch.map((_, i) => i >= 153 && i < 156) };
      const sealedOnWorkers = await pool.run(sealedJob, held);
      expect(verdicts(sealedOnWorkers)).toEqual(
        verdicts(runJob({ ...sealedJob, directory: { serial: held.directory.serial } }, held.trust)),
      );
      const sealedCodes = sealedOnWorkers.results.map((r) => (r === null ? 'skipped' : r.ok ? 'ok' : r.error.code));
      expect(sealedCodes.slice(150, 156)).toEqual(['ERR_WRONG_RECIPIENT', 'ERR_WRONG_RECIPIENT', 'ERR_WRONG_RECIPIENT', 'ok', 'ok', 'ok']);

      // A directory without TH's key: the workers must use it, not the one they cached.
      const withoutTh: Directory = {
        ...held.directory,
        serial: held.directory.serial + 1,
        members: held.directory.members.filter((m) => m.country !== 'TH'),
      };
      const after = await pool.run(job, { directory: withoutTh, trust: createTrustStore(withoutTh) });
      expect(after.results.filter((r) => r?.ok)).toHaveLength(0);
      expect(after.results[0]).toMatchObject({ ok: false, error: { code: 'ERR_KEY_UNKNOWN' } });
    } finally {
      await pool.close();
    }
  });

  it('keeps a sealed batch answered by one receipt batch on the main thread, and sends an unsealed one to the workers', async () => {
    const kh = f.node('KH');
    const held = kh.ctx.directory.current() as { directory: Directory; trust: TrustStore; jws: string };
    const batch = await envelopes(150);
    const thKid = peekJws(batch[0])?.kid as string;
    const sealed = jobFor(batch, { skip: batch.map(() => false), sealedBy: thKid, sealed: batch.map(() => true), presign: false });
    const pool = new VerifyPool({ threads: 2, minBatch: 64 });
    try {
      const onMain = await pool.run(sealed, held);
      expect(pool.workers).toBe(0);
      expect(onMain.results.filter((r) => r?.ok)).toHaveLength(150);
      // Each envelope's receipt signed on its own: 150 signatures, worth the workers.
      await pool.run({ ...sealed, presign: true }, held);
      expect(pool.workers).toBe(2);
      await pool.close();
      const fresh = new VerifyPool({ threads: 2, minBatch: 64 });
      try {
        // Unsealed: 150 Ed25519 checks go to the workers, with the same verdicts.
        const unsealed = { ...sealed, sealedBy: null, sealed: [] };
        const onWorkers = await fresh.run(unsealed, held);
        expect(fresh.workers).toBe(2);
        const codes = (o: typeof onMain) => o.results.map((r) => (r?.ok ? [r.kind, r.message.id, r.digest] : r?.error.code));
        expect(codes(onWorkers)).toEqual(codes(onMain));
        expect(onWorkers.results.every((r) => r?.ok && !r.sealed)).toBe(true);
      } finally {
        await fresh.close();
      }
    } finally {
      await pool.close();
    }
  });

  it('stores and receipts a batch of 300 from another country exactly once, resent or not', async () => {
    const kh = f.node('KH');
    const batch = await envelopes(300);
    const deliver = async () => {
      const res = await fetch(`${kh.url}/trpc/federation.deliver`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ envelopes: batch }),
      });
      expect(res.status).toBe(200);
      return ((await res.json()) as { result: { data: { receipts: string[] } } }).result.data.receipts;
    };
    const first = await deliver();
    const again = await deliver();
    expect(again).toEqual(first);
    const accepted = first.filter((r) => claims<{ verdict: string }>(r).verdict === 'accepted');
    expect(accepted).toHaveLength(300);
    const ids = batch.map((jws) => claims<{ id: string }>(jws).id);
    const stored = await kh.ctx.db.selectFrom('referrals_in').select('id').where('id', 'in', ids).execute();
    expect(stored).toHaveLength(300);
  });
});
