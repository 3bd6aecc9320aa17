// RSS of an idle national node process (the bundle, as deployed), started afresh `runs` times: VmRSS and
// its parts (anonymous: heaps and buffers; file: the node binary and libraries mapped in) after `waitMs`.
// tsx scripts/idle-rss.ts [runs] [waitMs] [node flags…]
import { readFileSync, rmSync } from 'node:fs';
import { ensureBundle } from '@firstlight/node/bundle';
import { singleNode, startNode } from '../src/bench.js';

const runs = Number(process.argv[2] ?? 5);
const waitMs = Number(process.argv[3] ?? 3000);
const nodeArgs = process.argv.slice(4);
await ensureBundle();
const single = await singleNode();
const kb = (status: string, field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0) / 1024;
try {
  const rows: number[] = [];
  for (let i = 0; i < runs; i++) {
    const node = await startNode(single.bin, single.khDir, nodeArgs);
    await new Promise((r) => setTimeout(r, waitMs));
    const status = readFileSync(`/proc/${node.pid}/status`, 'utf8');
    const rss = kb(status, 'VmRSS');
    rows.push(rss);
    console.log(
      `run ${i + 1}: VmRSS ${rss.toFixed(1)} MB (anon ${kb(status, 'RssAnon').toFixed(1)}, file ${kb(status, 'RssFile').toFixed(1)}), peak ${kb(status, 'VmHWM').toFixed(1)} MB, threads ${/Threads:\s+(\d+)/.exec(status)?.[1]}`,
    );
    await node.stop();
  }
  const sorted = [...rows].sort((a, b) => a - b);
  console.log(
    `idle national node RSS: min ${sorted[0]?.toFixed(1)}, median ${sorted[Math.floor(sorted.length / 2)]?.toFixed(1)}, max ${sorted.at(-1)?.toFixed(1)} MB`,
  );
} finally {
  rmSync(single.root, { recursive: true, force: true });
}
