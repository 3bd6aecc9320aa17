/** Node processes: each country is a real `firstlight start` process with its own data directory and log. */
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const FIRSTLIGHT_BIN = resolve(here, '../../node/bin/firstlight.mjs');
export const CONSOLE_DIST = resolve(here, '../../console/dist');

export interface NodeProcess {
  party: string;
  url: string;
  child: ChildProcess;
  log: string;
  exited: Promise<number | null>;
}

export function startNodeProcess(party: string, dataDir: string, url: string, extraArgs: string[] = []): NodeProcess {
  const log = join(dataDir, 'node.log');
  const fd = openSync(log, 'a');
  // FIRSTLIGHT_SIM_NODE_ARGS: extra Node.js flags for every node process (e.g. profiling:
  // "--cpu-prof --cpu-prof-dir=/tmp/prof", which NODE_OPTIONS does not allow).
  const nodeArgs = (process.env.FIRSTLIGHT_SIM_NODE_ARGS ?? '').split(' ').filter((a) => a !== '');
  const child = spawn(process.execPath, [...nodeArgs, FIRSTLIGHT_BIN, 'start', '--data', dataDir, ...extraArgs], {
    stdio: ['ignore', fd, fd],
    env: { ...process.env, FIRSTLIGHT_LOG_LEVEL: process.env.FIRSTLIGHT_LOG_LEVEL ?? 'warn' },
  });
  closeSync(fd);
  const exited = new Promise<number | null>((res) => child.once('exit', (code) => res(code)));
  return { party, url, child, log, exited };
}

/** Polls federation.health until the node answers and holds a directory (or the process dies). */
export async function waitHealthy(node: NodeProcess, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let dead = false;
  node.exited.then(() => {
    dead = true;
  });
  while (Date.now() < deadline) {
    if (dead) throw new Error(`${node.party} exited during start-up; see ${node.log}`);
    try {
      const res = await fetch(`${node.url}/trpc/federation.health`, { signal: AbortSignal.timeout(2000) });
      if (res.ok) {
        const body = (await res.json()) as { result?: { data?: { directorySerial?: number | null } } };
        if (body.result?.data?.directorySerial) return;
      }
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${node.party} did not become healthy within ${timeoutMs / 1000}s; see ${node.log}`);
}

/** SIGTERM every process, wait for them, SIGKILL whatever is left after the grace period. */
export async function stopAll(nodes: NodeProcess[], graceMs = 10_000): Promise<void> {
  for (const n of nodes) if (n.child.exitCode === null && n.child.signalCode === null) n.child.kill('SIGTERM');
  const timer = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), graceMs).unref());
  await Promise.race([Promise.all(nodes.map((n) => n.exited)), timer]);
  for (const n of nodes) if (n.child.exitCode === null && n.child.signalCode === null) n.child.kill('SIGKILL');
  await Promise.all(nodes.map((n) => n.exited));
}

/** Last resort on process exit: no orphan node processes, ever. */
export function killAllSync(nodes: NodeProcess[]): void {
  for (const n of nodes) {
    try {
      if (n.child.exitCode === null && n.child.signalCode === null) n.child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
}
