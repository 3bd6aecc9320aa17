/** A benchmark worker thread: verifies the same message for `ms` milliseconds in one of three ways. */
import { verify as edVerify, webcrypto } from 'node:crypto';
import { parentPort, workerData } from 'node:worker_threads';
import { createTrustStore, decodeBase64url, verify } from '@firstlight/protocol';

const { mode, ms, jws, directory, recipient, now } = workerData as {
  mode: 'raw' | 'webcrypto' | 'protocol';
  ms: number;
  jws: string;
  directory: Parameters<typeof createTrustStore>[0];
  recipient: string;
  now: number;
};

const trust = createTrustStore(directory);
const [h, p, s] = jws.split('.') as [string, string, string];
const header = JSON.parse(Buffer.from(h, 'base64url').toString()) as { kid: string };
const trusted = trust.find(header.kid);
if (!trusted) throw new Error('the signing key is not in the directory');
const key = trust.publicKey(trusted);
const input = Buffer.from(`${h}.${p}`, 'latin1');
const signature = decodeBase64url(s) as Uint8Array;
const webKey = await webcrypto.subtle.importKey('jwk', { ...trusted.jwk }, { name: 'Ed25519' }, false, ['verify']);
const context = { type: 'referral' as const, keys: trust, recipient, recipientRole: 'national' as const, now };

const once: Record<typeof mode, () => unknown> = {
  raw: () => {
    if (!edVerify(null, input, key, signature)) throw new Error('raw verify failed');
  },
  webcrypto: async () => {
    if (!(await webcrypto.subtle.verify('Ed25519', webKey, signature, input))) throw new Error('webcrypto verify failed');
  },
  protocol: async () => {
    const r = await verify(jws, context);
    if (!r.ok) throw new Error(r.error.code);
  },
};
const fn = once[mode];
// Steady state only: warm up (JIT, the protocol's schema and header caches) before the timed window.
const warmUntil = performance.now() + Math.min(500, ms / 2);
while (performance.now() < warmUntil) for (let i = 0; i < 50; i++) await fn();
let n = 0;
const start = performance.now();
while (performance.now() - start < ms) {
  for (let i = 0; i < 100; i++) await fn();
  n += 100;
}
parentPort?.postMessage({ n, seconds: (performance.now() - start) / 1000 });
