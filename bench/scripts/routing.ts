// Figure (5) alone, as `pnpm bench` takes it: the routing index's build and prebuilt read times and lookups per second,
// `runs` times in this process (the first load runs cold, as a node's first routing question does).
// tsx scripts/routing.ts [runs] [--quick]
import { routingFigures } from '../src/routing.js';

const runs = Number(process.argv[2] ?? 3);
const quick = process.argv.includes('--quick');
for (let i = 0; i < runs; i++) {
  const [lookups, load, read] = routingFigures(quick);
  console.log(
    `run ${i + 1}: build ${load?.value.toFixed(0)} ms, prebuilt read ${read?.value.toFixed(1)} ms, ${Math.round(lookups?.value ?? 0).toLocaleString('en-US')} lookups/s (${lookups?.note})`,
  );
}
