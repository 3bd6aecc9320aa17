/**
 * Ingest alone, for profiling: `pnpm --filter @firstlight/bench exec tsx --cpu-prof scripts/ingest-only.ts [total]`.
 * One in-process federation (TH → KH); TH's signed referrals posted to KH's federation.deliver in batches of 500.
 */
import { Keystore } from '@firstlight/node/keystore';
import { createTestFederation } from '@firstlight/node/testing';
import { signMessage, uuidv7 } from '@firstlight/protocol';

const total = Number(process.argv[2] ?? 10_000);
const f = await createTestFederation({ countries: ['TH', 'KH'] });
const th = f.node('TH');
const kh = f.node('KH');
const now = Math.floor(Date.now() / 1000);
const key = Keystore.open(th.ctx.dataDir).signingKey(now);
const ranges = kh.services.routing().v4RangesOf('KH');
const envelopes: string[] = [];
for (let n = 0; n < total; n++) {
  const r = ranges[n % ranges.length] as [number, number];
  const x = r[0] + (n % Math.max(1, r[1] - r[0]));
  envelopes.push(
    await signMessage(
      'referral',
      {
        v: 1,
        id: uuidv7(),
        from: 'TH',
        to: 'KH',
        iat: now,
        exp: now + 86_400,
        ip: `${(x >>> 24) & 255}.${(x >>> 16) & 255}.${(x >>> 8) & 255}.${x & 255}`,
        seenAt: '2015-06-01T10:00:00Z',
        evidence: [`sha256:${n.toString(16).padStart(64, '0')}`],
        action: 'locate',
        urgency: 'urgent',
        operation: 'first-light-2015',
      },
      key,
    ),
  );
}
const start = performance.now();
let next = 0;
await Promise.all(
  Array.from({ length: 4 }, async () => {
    while (next < envelopes.length) {
      const b = envelopes.slice(next, next + 500);
      next += 500;
      const res = await fetch(`${kh.url}/trpc/federation.deliver`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ envelopes: b }),
      });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      await res.json();
    }
  }),
);
const seconds = (performance.now() - start) / 1000;
console.log(`${total} referrals in ${seconds.toFixed(2)} s = ${Math.round(total / seconds)}/s`);
await f.close();
