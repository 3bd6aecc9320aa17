/** One core: raw Ed25519 verify (node:crypto) vs the protocol's verify and sign, on the same referral. */
import { verify as edVerify } from 'node:crypto';
import { createTrustStore, type Directory, decodeBase64url, signingKeyFromSeed, signMessage, verify } from '../src/index.js';

const NOW = 1_750_000_000;
const th = signingKeyFromSeed(new Uint8Array(32).fill(1));
const kh = signingKeyFromSeed(new Uint8Array(32).fill(2));
const member = (country: string, k: typeof th) => ({
  country,
  name: country,
  endpoint: 'https://x.example',
  role: 'national' as const,
  keys: [{ kid: k.kid, jwk: k.publicJwk, nbf: NOW - 100, exp: NOW + 1e6 }],
});
const directory: Directory = {
  v: 1,
  serial: 1,
  issuedAt: NOW,
  expiresAt: NOW + 1e6,
  authority: th.publicJwk,
  members: [member('TH', th), member('KH', kh)],
  revoked: [],
  operations: [],
};
const trust = createTrustStore(directory);
const referral = {
  v: 1 as const,
  id: '01977420-dc00-7000-8000-000000000001',
  from: 'TH',
  to: 'KH',
  iat: NOW,
  exp: NOW + 86400,
  ip: '43.245.120.7',
  seenAt: '2015-06-01T10:00:00Z',
  evidence: [`sha256:${'ab'.repeat(32)}`],
  action: 'locate' as const,
  urgency: 'urgent' as const,
  operation: 'first-light-2015',
};
const jws = await signMessage('referral', referral, th);
const [h, p, s] = jws.split('.') as [string, string, string];
const input = new TextEncoder().encode(`${h}.${p}`);
const sig = decodeBase64url(s) as Uint8Array;
const key = trust.publicKey(trust.find(th.kid) as never);
const ctx = { type: 'referral' as const, keys: trust, recipient: 'KH', recipientRole: 'national' as const, now: NOW };

async function rate(fn: () => unknown | Promise<unknown>, ms: number): Promise<number> {
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < ms) {
    for (let i = 0; i < 100; i++) await fn();
    n += 100;
  }
  return n / ((performance.now() - start) / 1000);
}

const rawFn = () => edVerify(null, input, key, sig);
const oursFn = async () => {
  const r = await verify(jws, ctx);
  if (!r.ok) throw new Error(r.error.code);
};
const signFn = () => signMessage('referral', referral, th);
for (let i = 0; i < 2000; i++) {
  rawFn();
  await oursFn();
}
// Interleaved rounds, so that a noisy neighbour hits both sides alike; medians reported.
const rounds = Number(process.env.ROUNDS ?? 7);
const raws: number[] = [];
const ours: number[] = [];
const signs: number[] = [];
for (let r = 0; r < rounds; r++) {
  raws.push(await rate(rawFn, 300));
  ours.push(await rate(oursFn, 300));
  signs.push(await rate(signFn, 150));
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const ratio = median(ours.map((o, i) => o / (raws[i] as number)));
const fmt = (x: number) => Math.round(x).toLocaleString('en-US').padStart(10);
process.stdout.write(`raw Ed25519 verify (node:crypto)  ${fmt(median(raws))} /s\n`);
process.stdout.write(`protocol verify()                 ${fmt(median(ours))} /s\n`);
process.stdout.write(`protocol signMessage()            ${fmt(median(signs))} /s\n`);
process.stdout.write(`verify / raw (median of ${rounds} interleaved rounds) = ${ratio.toFixed(2)}\n`);
