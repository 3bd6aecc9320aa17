// A federation of every INTERPOL member (196 national nodes and the liaison office, 197 processes) on
// this machine (issue #22, item 4): time to ready, the memory of the idle federation, then `referrals`
// filed, delivered and worked to closure: wall time, CPU per referral over every process, peak memory.
// Prints one JSON line on stdout (progress on stderr). Run it alone on a quiet machine; it uses both
// cores for several minutes (bench/README.md: the first run here did not finish).
//   tsx scripts/federation-196.ts [referrals=2000] [portBase=24000] [idleSeconds=30] [concurrency=16] [only: CN,TH,… to try it on a few]
// SIGINT or SIGTERM stops it at any point with the figures so far (`interrupted`), every node stopped;
// during the run a line on stderr every minute gives them too, so even a SIGKILL leaves them in the log.
// Ports: operators' listeners portBase..portBase+196, federation listeners portBase+200..portBase+396
// (federationOffset in apps/sim/src/setup.ts), clear of the 17000–23000 the other benches use.
// Memory is read from /proc throughout, from the first node process on, by finding the processes whose
// command line holds this run's data folder: if the machine cannot hold them, the last sample says how
// many were up, their RSS and what was left.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { runSimulation } from '@firstlight/sim';
import { processCpuSeconds } from '../src/bench.js';

const referrals = Number(process.argv[2] ?? 2000);
const portBase = Number(process.argv[3] ?? 24_000);
const idleSeconds = Number(process.argv[4] ?? 30);
const concurrency = Number(process.argv[5] ?? 16);
const only = process.argv[6]?.split(',');
const say = (text: string) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${text}\n`);

const MB = (kb: number) => Math.round(kb / 102.4) / 10;
function meminfoKb(field: string): number {
  return Number(new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(readFileSync('/proc/meminfo', 'utf8'))?.[1] ?? Number.NaN);
}
/** VmRSS, RssAnon and VmHWM of a process in kB (0 when it is gone). */
function statusKb(pid: number): { rss: number; anon: number; hwm: number } {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (f: string) => Number(new RegExp(`${f}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
    return { rss: kb('VmRSS'), anon: kb('RssAnon'), hwm: kb('VmHWM') };
  } catch {
    return { rss: 0, anon: 0, hwm: 0 };
  }
}
/** Proportional set size (shared pages divided among the processes sharing them), kB: what the processes cost together. */
function pssKb(pid: number): number {
  try {
    return Number(/^Pss:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))?.[1] ?? 0);
  } catch {
    return 0;
  }
}
/** The node processes of this run: those whose command line names its data folder. */
function nodePids(root: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(root)) pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}
const quantiles = (values: number[]) => {
  const s = [...values].sort((a, b) => a - b);
  return { min: MB(s[0] ?? 0), median: MB(s[Math.floor(s.length / 2)] ?? 0), max: MB(s.at(-1) ?? 0) };
};

interface Sample {
  at: number;
  processes: number;
  rssKb: number;
  memAvailableKb: number;
}
/** Samples every 2 s from the start: processes up, their summed VmRSS, MemAvailable; the peak of each phase. */
class Sampler {
  last: Sample | null = null;
  peak: Sample | null = null;
  minAvailableKb = Number.POSITIVE_INFINITY;
  private timer: NodeJS.Timeout;
  constructor(private root: string) {
    this.timer = setInterval(() => this.sample(), 2000);
    this.sample();
  }
  sample(): Sample {
    const pids = nodePids(this.root);
    const s = {
      at: Date.now(),
      processes: pids.length,
      rssKb: pids.reduce((n, pid) => n + statusKb(pid).rss, 0),
      memAvailableKb: meminfoKb('MemAvailable'),
    };
    this.last = s;
    if (!this.peak || s.rssKb > this.peak.rssKb) this.peak = s;
    this.minAvailableKb = Math.min(this.minAvailableKb, s.memAvailableKb);
    return s;
  }
  /** A new phase: peaks from now on. */
  reset(): void {
    this.peak = null;
    this.minAvailableKb = Number.POSITIVE_INFINITY;
    this.sample();
  }
  stop(): void {
    clearInterval(this.timer);
  }
}

const root = mkdtempSync(join(tmpdir(), 'firstlight-fed196-'));
const before = { memAvailableKb: meminfoKb('MemAvailable'), loadavg: loadavg().map((x) => Math.round(x * 100) / 100) };
say(`MemAvailable ${MB(before.memAvailableKb)} MB, load average ${before.loadavg.join(' ')}; data in ${root}`);
const sampler = new Sampler(root);
const out: Record<string, unknown> = {
  script: 'bench/scripts/federation-196.ts',
  at: new Date().toISOString(),
  machine: { cpu: cpus()[0]?.model ?? 'unknown', cores: availableParallelism(), memoryGiB: Math.round(totalmem() / 2 ** 30) },
  node: process.version,
  referralsAsked: referrals,
  concurrency,
  portBase,
  before: { memAvailableMB: MB(before.memAvailableKb), loadavg: before.loadavg },
};
const progress = setInterval(() => {
  const s = sampler.last;
  if (s) say(`${s.processes} node processes, RSS ${MB(s.rssKb)} MB, MemAvailable ${MB(s.memAvailableKb)} MB`);
}, 20_000);

let interrupted: NodeJS.Signals | null = null;
let onInterrupt: () => void = () => {};
const interruptedNow = new Promise<void>((resolve) => {
  onInterrupt = resolve;
});
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.on(signal, () => {
    if (interrupted) return;
    interrupted = signal;
    say(`${signal}: stopping with the figures so far…`);
    onInterrupt();
  });

try {
  const sim = await runSimulation({
    countries: 196,
    dataRoot: root,
    portBase,
    referrals,
    stepSeconds: 0,
    concurrency,
    console: false,
    ...(only ? { only } : {}),
    aborted: () => interrupted !== null,
    beforeReplay: async (nodes) => {
      const startPeak = sampler.peak;
      const pids = nodes.flatMap((n) => (n.child.pid ? [n.child.pid] : []));
      const startupCpu = pids.reduce((n, pid) => n + processCpuSeconds(pid), 0);
      say(`ready: ${nodes.length} node processes; idle for ${idleSeconds} s…`);
      const idleCpu0 = pids.reduce((n, pid) => n + processCpuSeconds(pid), 0);
      const idleFrom = performance.now();
      await Promise.race([new Promise((r) => setTimeout(r, idleSeconds * 1000)), interruptedNow]);
      const idleCpu = pids.reduce((n, pid) => n + processCpuSeconds(pid), 0) - idleCpu0;
      const rows = pids.map((pid) => statusKb(pid));
      const national = nodes.filter((n) => n.party !== 'LIAISON').flatMap((n) => (n.child.pid ? [statusKb(n.child.pid).rss] : []));
      const liaison = nodes.find((n) => n.party === 'LIAISON')?.child.pid;
      out.idle = {
        processes: pids.length,
        afterSeconds: Math.round((performance.now() - idleFrom) / 1000),
        totalRssMB: MB(rows.reduce((n, r) => n + r.rss, 0)),
        totalRssAnonMB: MB(rows.reduce((n, r) => n + r.anon, 0)),
        totalPssMB: MB(pids.reduce((n, pid) => n + pssKb(pid), 0)),
        nationalRssMB: quantiles(national),
        liaisonRssMB: liaison ? MB(statusKb(liaison).rss) : null,
        memAvailableMB: MB(meminfoKb('MemAvailable')),
        idleCoresBusy: Math.round((idleCpu / ((performance.now() - idleFrom) / 1000)) * 100) / 100,
      };
      out.startup = {
        cpuSeconds: Math.round(startupCpu),
        cpuSecondsPerNode: Math.round((startupCpu / pids.length) * 100) / 100,
        peakTotalRssMB: MB(startPeak?.rssKb ?? 0),
        minMemAvailableMB: MB(sampler.minAvailableKb),
        loadavg: loadavg().map((x) => Math.round(x * 100) / 100),
      };
      sampler.reset();
      say(`idle: ${JSON.stringify(out.idle)}`);
      // Thrown here, every node is stopped by the simulation, and the figures so far are printed below.
      if (interrupted) throw new Error(`${interrupted} during the idle measurement`);
      say(`filing ${referrals} referrals…`);
    },
  });
  out.readyMs = sim.readyMs;
  const pidsOf = (liaison: boolean) => sim.nodes.flatMap((n) => (n.child.pid && (n.party === 'LIAISON') === liaison ? [n.child.pid] : []));
  const cpuOf = (pids: number[]) => pids.reduce((sum, pid) => sum + processCpuSeconds(pid), 0);
  const nodesBefore = { liaison: cpuOf(pidsOf(true)), national: cpuOf(pidsOf(false)) };
  const simBefore = process.cpuUsage();
  const t = performance.now();
  const hwmOf = (liaison: boolean) => pidsOf(liaison).map((pid) => statusKb(pid).hwm);
  /** The run's figures so far (at the end: the run's). */
  const measure = () => {
    const seconds = (performance.now() - t) / 1000;
    const liaisonCpu = cpuOf(pidsOf(true)) - nodesBefore.liaison;
    const nationalCpu = cpuOf(pidsOf(false)) - nodesBefore.national;
    const simUsage = process.cpuUsage(simBefore);
    const simCpu = (simUsage.user + simUsage.system) / 1e6;
    const p = sim.progress();
    const ms = (s: number) => Math.round((s * 1e5) / Math.max(1, p.referrals)) / 100;
    const peak = sampler.peak;
    return {
      filed: p.filed,
      referrals: p.referrals,
      statuses: p.statuses,
      closedOrDeclined: p.done,
      seconds: Math.round(seconds * 10) / 10,
      cpuSeconds: Math.round(liaisonCpu + nationalCpu + simCpu),
      cpuPerReferralMs: ms(liaisonCpu + nationalCpu + simCpu),
      cpuPerReferralMsByPart: { national: ms(nationalCpu), liaison: ms(liaisonCpu), simulatedBureaus: ms(simCpu) },
      coresBusy: Math.round(((liaisonCpu + nationalCpu + simCpu) / seconds) * 100) / 100,
      peakTotalRssMB: MB(peak?.rssKb ?? 0),
      peakAtMemAvailableMB: MB(peak?.memAvailableKb ?? 0),
      minMemAvailableMB: MB(sampler.minAvailableKb),
      sumOfPerProcessPeakRssMB: MB([...hwmOf(true), ...hwmOf(false)].reduce((a, b) => a + b, 0)),
      nationalPeakRssMB: quantiles(hwmOf(false)),
      liaisonPeakRssMB: MB(hwmOf(true)[0] ?? 0),
      loadavg: loadavg().map((x) => Math.round(x * 100) / 100),
    };
  };
  // The referrals counted are those the liaison office holds (sim.progress(), asked every second).
  const minutely = setInterval(() => say(`so far: ${JSON.stringify(measure())}`), 60_000);
  await Promise.race([sim.done, interruptedNow]);
  clearInterval(minutely);
  out.run = measure();
  if (interrupted) {
    out.interrupted = interrupted;
    process.exitCode = 1;
  }
  say(`${interrupted ? 'interrupted' : 'done'}: ${JSON.stringify(out.run)}`);
  const stopped = await sim.stop();
  out.stopped = { processes: stopped.stopped, killed: stopped.killed.length };
} catch (error) {
  // Where it failed: the error (a node named, with its cause) and the last memory sample before it.
  const s = sampler.last;
  out.failed = {
    error: error instanceof Error ? error.message : String(error),
    lastSample: s
      ? {
          secondsBefore: Math.round((Date.now() - s.at) / 1000),
          processes: s.processes,
          totalRssMB: MB(s.rssKb),
          memAvailableMB: MB(s.memAvailableKb),
        }
      : null,
    peakTotalRssMB: MB(sampler.peak?.rssKb ?? 0),
    minMemAvailableMB: MB(sampler.minAvailableKb),
  };
  process.exitCode = 1;
} finally {
  clearInterval(progress);
  sampler.stop();
  out.after = { memAvailableMB: MB(meminfoKb('MemAvailable')), loadavg: loadavg().map((x) => Math.round(x * 100) / 100) };
  rmSync(root, { recursive: true, force: true });
}
// Undici's idle sockets would keep this process a while; exit once the line is out.
process.stdout.write(`${JSON.stringify(out)}\n`, () => process.exit());
