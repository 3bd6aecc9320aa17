// Profiling aid: the node's CPU per HTTP request for a trivial tRPC query (federation.directory-style
// public call), to size the fixed cost every delivery and every bureau call pays.
// tsx scripts/http-overhead.ts [requests] [path] [--cpu-prof-dir=DIR]
import { rmSync } from 'node:fs';
import { ensureBundle } from '@firstlight/node/bundle';
import { processCpuSeconds, singleNode, startNode } from '../src/bench.js';

const total = Number(process.argv.find((a) => /^\d+$/.test(a)) ?? 2000);
const path = process.argv.slice(2).find((a) => /^[a-z]+\.[a-zA-Z.]+$/.test(a)) ?? 'federation.directory';
const profDir = process.argv.find((a) => a.startsWith('--cpu-prof-dir='))?.split('=')[1];
await ensureBundle();
const single = await singleNode();
const node = await startNode(single.bin, single.khDir, profDir ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`] : []);
const first = await fetch(`${node.url}/trpc/${path}`);
console.log(`GET /trpc/${path}: HTTP ${first.status}`);
const cpuBefore = processCpuSeconds(node.pid);
const start = performance.now();
let next = 0;
await Promise.all(
  Array.from({ length: 4 }, async () => {
    while (next++ < total) await (await fetch(`${node.url}/trpc/${path}`)).arrayBuffer();
  }),
);
const seconds = (performance.now() - start) / 1000;
const cpu = processCpuSeconds(node.pid) - cpuBefore;
console.log(`${total} requests in ${seconds.toFixed(2)} s; the node used ${Math.round((cpu * 1e6) / total)} µs of CPU per request`);
await node.stop();
rmSync(single.root, { recursive: true, force: true });
