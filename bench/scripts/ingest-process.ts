/**
 * Ingest into a node process, for profiling it:
 *   pnpm --filter @firstlight/bench exec tsx scripts/ingest-process.ts [total] [--batch=N (500)] [--each] [--unsealed] [--verify-threads=N] [--cpu-prof-dir=DIR] [--node-arg=ARG]…
 * e.g. --node-arg=--import=./scripts/sqltime.mjs prints the node's time per SQL statement shape.
 * The node runs the bundle (built if stale); with a profile directory it runs with --cpu-prof.
 * Deliveries are sealed and ask for one receipt batch each, as a node's outbox does; --each asks for a
 * receipt per envelope, --unsealed sends no seal (the node verifies every envelope's own signature).
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureBundle } from '@firstlight/node/bundle';
import { Keystore } from '@firstlight/node/keystore';
import { signMessage, uuidv7 } from '@firstlight/protocol';
import { deliveryBody, processCpuSeconds, singleNode, startNode } from '../src/bench.js';

const total = Number(process.argv.find((a) => /^\d+$/.test(a)) ?? 20_000);
const profDir = process.argv.find((a) => a.startsWith('--cpu-prof-dir='))?.split('=')[1];
await ensureBundle();
const single = await singleNode();
const threads = process.argv.find((a) => a.startsWith('--verify-threads='))?.split('=')[1];
if (threads !== undefined) {
  const file = join(single.khDir, 'config.json');
  writeFileSync(file, JSON.stringify({ ...JSON.parse(readFileSync(file, 'utf8')), verifyThreads: Number(threads) }, null, 2));
}
const now = Math.floor(Date.now() / 1000);
const key = Keystore.open(single.thDir).signingKey(now);
const envelopes: string[] = [];
for (let n = 0; n < total; n++)
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
        ip: `1.32.${(n >> 8) & 255}.${n & 255}`,
        seenAt: '2015-06-01T10:00:00Z',
        evidence: [`sha256:${n.toString(16).padStart(64, '0')}`],
        action: 'locate',
        urgency: 'urgent',
        operation: 'first-light-2015',
      },
      key,
    ),
  );
const batch = Number(process.argv.find((a) => a.startsWith('--batch='))?.split('=')[1] ?? 500);
const nodeArgs = process.argv.filter((a) => a.startsWith('--node-arg=')).map((a) => a.slice('--node-arg='.length));
const node = await startNode(single.bin, single.khDir, [...nodeArgs, ...(profDir ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`] : [])]);
const cpuBefore = processCpuSeconds(node.pid);
const start = performance.now();
let next = 0;
await Promise.all(
  Array.from({ length: 4 }, async () => {
    while (next < envelopes.length) {
      const b = envelopes.slice(next, next + batch);
      next += batch;
      const res = await fetch(`${node.url}/trpc/federation.deliver`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: deliveryBody(b, key, {
          sealed: !process.argv.includes('--unsealed'),
          answer: process.argv.includes('--each') ? 'each' : 'batch',
        }),
      });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      await res.json();
    }
  }),
);
const seconds = (performance.now() - start) / 1000;
const cpu = processCpuSeconds(node.pid) - cpuBefore;
console.log(
  `${total} referrals in batches of ${batch} in ${seconds.toFixed(2)} s = ${Math.round(total / seconds)}/s; the node used ${cpu.toFixed(2)} CPU s (${Math.round((cpu * 1e6) / total)} µs per referral, ${(cpu / seconds).toFixed(2)} cores)`,
);
await node.stop();
rmSync(single.root, { recursive: true, force: true });
