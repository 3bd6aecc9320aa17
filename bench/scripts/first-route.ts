// What a node's first routing question costs, now that the index is built then rather than at start:
// an idle national node (the bundle, as deployed) is asked bureau.referrals.route `runs` times over
// HTTP after `waitMs`; prints each answer's time and the node's RSS before the first question, 1 s
// after the last and, with `settleMs`, that long after it.
// tsx scripts/first-route.ts [runs] [waitMs] [settleMs]
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { ensureBundle } from '@firstlight/node/bundle';
import { singleNode, startNode } from '../src/bench.js';

const runs = Number(process.argv[2] ?? 3);
const waitMs = Number(process.argv[3] ?? 3000);
const settleMs = Number(process.argv[4] ?? 0);
await ensureBundle();
const single = await singleNode();
const rss = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
try {
  const created = JSON.parse(
    execFileSync(process.execPath, [single.bin, 'token', 'create', '--data', single.khDir, '--role', 'officer', '--json'], {
      encoding: 'utf8',
    }),
  ) as { token: string };
  const node = await startNode(single.bin, single.khDir);
  try {
    await new Promise((r) => setTimeout(r, waitMs));
    console.log(`before the first question: VmRSS ${rss(node.pid).toFixed(1)} MB`);
    for (let i = 0; i < runs; i++) {
      const input = encodeURIComponent(JSON.stringify({ ip: `8.8.${i}.8` }));
      const t = performance.now();
      const response = await fetch(`${node.url}/trpc/bureau.referrals.route?input=${input}`, {
        headers: { authorization: `Bearer ${created.token}` },
      });
      const body = await response.text();
      console.log(`question ${i + 1}: ${(performance.now() - t).toFixed(1)} ms, HTTP ${response.status} ${body.slice(0, 90)}`);
    }
    await new Promise((r) => setTimeout(r, 1000));
    console.log(`1 s after: VmRSS ${rss(node.pid).toFixed(1)} MB`);
    if (settleMs > 0) {
      await new Promise((r) => setTimeout(r, settleMs));
      console.log(`${settleMs / 1000} s later: VmRSS ${rss(node.pid).toFixed(1)} MB`);
    }
  } finally {
    await node.stop();
  }
} finally {
  rmSync(single.root, { recursive: true, force: true });
}
