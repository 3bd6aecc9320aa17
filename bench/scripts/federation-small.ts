// Profiling aid: a small federation (few processes, so a CPU profile is CPU and not run-queue wait).
// tsx scripts/federation-small.ts [referrals] [countries,comma,separated]; FIRSTLIGHT_SIM_NODE_ARGS for --cpu-prof.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runSimulation } from '@firstlight/sim';

const referrals = Number(process.argv[2] ?? 2000);
const only = (process.argv[3] ?? 'CN,KH,VN,TH').split(',');
const root = mkdtempSync(join(tmpdir(), 'firstlight-fed-small-'));
const cpu0 = process.cpuUsage();
try {
  const sim = await runSimulation({ dataRoot: root, portBase: 21_000, only, referrals, stepSeconds: 0, concurrency: 16, console: false });
  const t = performance.now();
  const done = await sim.done;
  const seconds = (performance.now() - t) / 1000;
  await sim.stop();
  const simCpu = process.cpuUsage(cpu0);
  console.log(
    `${only.length} countries, ${done.referrals} referrals, ${done.statuses} statuses: ${seconds.toFixed(1)} s after ready (${(sim.readyMs / 1000).toFixed(1)} s); this process ${((simCpu.user + simCpu.system) / 1e6).toFixed(1)} s CPU`,
  );
} finally {
  rmSync(root, { recursive: true, force: true });
}
