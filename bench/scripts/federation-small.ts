// Profiling aid: a small federation (few processes, so a CPU profile is CPU and not run-queue wait).
// tsx scripts/federation-small.ts [referrals] [countries,comma,separated | all]; FIRSTLIGHT_SIM_NODE_ARGS for --cpu-prof;
// FIRSTLIGHT_PORT_BASE (default 21000) to run two at once, e.g. a before and an after side by side on a noisy host.
// Prints the CPU per referral summed over every process (the nodes from /proc, this process's bureaus).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runSimulation } from '@firstlight/sim';
import { processCpuSeconds, processWrites } from '../src/bench.js';

const referrals = Number(process.argv[2] ?? 2000);
const list = process.argv[3] ?? 'CN,KH,VN,TH';
const only = list === 'all' ? undefined : list.split(',');
const root = mkdtempSync(join(tmpdir(), 'firstlight-fed-small-'));
try {
  const sim = await runSimulation({
    dataRoot: root,
    portBase: Number(process.env.FIRSTLIGHT_PORT_BASE ?? 21_000),
    ...(only ? { only } : {}),
    referrals,
    stepSeconds: 0,
    concurrency: 16,
    console: false,
  });
  const pids = sim.nodes.flatMap((n) => (n.child.pid ? [{ party: n.party, pid: n.child.pid }] : []));
  const cpuNow = () => new Map(pids.map(({ party, pid }) => [party, processCpuSeconds(pid)]));
  const writesNow = (only?: string) =>
    pids
      .filter((p) => only === undefined || p.party === only)
      .map(({ pid }) => processWrites(pid))
      .reduce((a, b) => ({ wchar: a.wchar + b.wchar, disk: a.disk + b.disk }));
  const before = cpuNow();
  const writesBefore = writesNow();
  const liaisonWritesBefore = writesNow('LIAISON');
  const cpu0 = process.cpuUsage();
  const t = performance.now();
  const done = await sim.done;
  const seconds = (performance.now() - t) / 1000;
  const after = cpuNow();
  const writesAfter = writesNow();
  const liaisonWritesAfter = writesNow('LIAISON');
  const simUsage = process.cpuUsage(cpu0);
  // What one ask of the liaison office's overview costs at this size (the simulation asks once a second
  // while it runs, for its progress line and to know when it is done): the office's CPU over 5 asks.
  const liaisonPid = pids.find((p) => p.party === 'LIAISON')?.pid;
  const analystToken = sim.tokens.LIAISON?.analyst;
  let overviewMs = Number.NaN;
  if (liaisonPid && analystToken) {
    const before = processCpuSeconds(liaisonPid);
    for (let i = 0; i < 5; i++)
      await fetch(
        `${sim.urls.LIAISON}/trpc/liaison.overview?input=${encodeURIComponent(JSON.stringify({ operation: sim.scenario.operation.id }))}`,
        {
          headers: { authorization: `Bearer ${analystToken}` },
        },
      );
    overviewMs = ((processCpuSeconds(liaisonPid) - before) * 1000) / 5;
  }
  // Every node's counters summed (requests by path, messages, seals): what a lifecycle costs in calls.
  const sums = new Map<string, number>();
  for (const party of Object.keys(sim.urls)) {
    const token = sim.tokens[party]?.admin ?? sim.tokens[party]?.auditor;
    const res = await fetch(`${sim.urls[party]}/metrics`, { headers: { authorization: `Bearer ${token}` } }).catch(() => null);
    if (!res?.ok) continue;
    for (const line of (await res.text()).split('\n')) {
      const m = /^(firstlight_(?:http_requests|messages|seals)_total)\{(.*)\} (\S+)$/.exec(line);
      if (!m) continue;
      const key = `${m[1]} ${m[2].replace(/,?party="[^"]*"/, '')}`;
      sums.set(key, (sums.get(key) ?? 0) + Number(m[3]));
    }
  }
  await sim.stop();
  const simCpu = (simUsage.user + simUsage.system) / 1e6;
  let nodesCpu = 0;
  for (const [party, s] of after) nodesCpu += s - (before.get(party) ?? 0);
  const liaison = (after.get('LIAISON') ?? 0) - (before.get('LIAISON') ?? 0);
  const ms = (s: number) => ((s * 1000) / Math.max(1, done.referrals)).toFixed(2);
  console.log(
    `${sim.nodes.length - 1} countries, ${done.referrals} referrals, ${done.statuses} statuses: the liaison office's overview ${overviewMs.toFixed(0)} ms of its CPU per ask; ${seconds.toFixed(1)} s after ready (${(sim.readyMs / 1000).toFixed(1)} s); CPU per referral ${ms(nodesCpu + simCpu)} ms (nodes ${ms(nodesCpu)}, liaison office ${ms(liaison)}, bureaus ${ms(simCpu)}), ${((nodesCpu + simCpu) / seconds).toFixed(2)} cores busy`,
  );
  const kb = (bytes: number) => (bytes / 1024 / Math.max(1, done.referrals)).toFixed(1);
  console.log(
    `written per referral, every node: ${kb(writesAfter.wchar - writesBefore.wchar)} KB through write calls, ${kb(writesAfter.disk - writesBefore.disk)} KB to the disk (the liaison office ${kb(liaisonWritesAfter.wchar - liaisonWritesBefore.wchar)} and ${kb(liaisonWritesAfter.disk - liaisonWritesBefore.disk)})`,
  );
  for (const [key, n] of [...sums].sort((a, b) => b[1] - a[1]))
    console.log(`${(n / Math.max(1, done.referrals)).toFixed(2).padStart(8)} per referral  ${key}`);
} finally {
  // FIRSTLIGHT_KEEP_DATA=1 keeps the nodes' data folders (their databases) to look at afterwards.
  if (process.env.FIRSTLIGHT_KEEP_DATA === '1') console.log(`data kept in ${root}`);
  else rmSync(root, { recursive: true, force: true });
}
