/** Node processes: each country is a real `firstlight start` process with its own data directory and log. */
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, statSync } from 'node:fs';
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
  /** Where this run's lines start in the log (it is appended to across runs). */
  logStart?: number;
  exited: Promise<number | null>;
}

export function startNodeProcess(party: string, dataDir: string, url: string, extraArgs: string[] = []): NodeProcess {
  const log = join(dataDir, 'node.log');
  const logStart = existsSync(log) ? statSync(log).size : 0;
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
  return { party, url, child, log, logStart, exited };
}

/**
 * Why a node died, from its log: the last error line it wrote (pino JSON or plain text), in a few words.
 * Only its own log is read, from where this run started writing (`from`), so an old run's lines are not blamed.
 */
export function causeFromLog(node: NodeProcess): string {
  let text = '';
  try {
    text = readFileSync(node.log)
      .subarray(node.logStart ?? 0)
      .toString('utf8');
  } catch {
    return 'its log is empty';
  }
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  for (const line of lines.reverse()) {
    try {
      const entry = JSON.parse(line) as { level?: number; msg?: string; err?: { message?: string; code?: string } };
      if ((entry.level ?? 0) >= 50 || entry.err) return [entry.msg, entry.err?.message].filter(Boolean).join(': ');
    } catch {
      if (/error|EADDRINUSE|refus|cannot|failed/i.test(line)) return line.trim().slice(0, 300);
    }
  }
  return lines[0]?.trim().slice(0, 300) ?? 'its log is empty';
}

/**
 * Polls federation.health until this very process answers (its pid) and holds a directory; a process
 * that exits, or a port answered by another process, fails at once with the cause.
 */
export async function waitHealthy(node: NodeProcess, timeoutMs = 60_000, aborted: () => boolean = () => false): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let dead = false;
  node.exited.then(() => {
    dead = true;
  });
  while (Date.now() < deadline && !aborted()) {
    if (dead) throw new Error(`${node.party} exited during start-up: ${causeFromLog(node)} (log: ${node.log})`);
    try {
      const res = await fetch(`${node.url}/trpc/federation.health`, { signal: AbortSignal.timeout(2000) });
      if (res.ok) {
        const body = (await res.json()) as { result?: { data?: { directorySerial?: number | null; pid?: number } } };
        const answer = body.result?.data;
        if (answer?.pid !== undefined && answer.pid !== node.child.pid) {
          // Give our process a moment to fail on the port (it says why in its log), then say so.
          await Promise.race([node.exited, new Promise((r) => setTimeout(r, 3000))]);
          throw new Error(
            `${node.party}: ${node.url} is answered by another process (pid ${answer.pid}), not the node this run started${dead ? `: ${causeFromLog(node)}` : ''}`,
          );
        }
        if (answer?.directorySerial) return;
      }
    } catch (error) {
      if (error instanceof Error && error.message.startsWith(`${node.party}:`)) throw error;
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  if (aborted()) throw new Error('start-up interrupted');
  throw new Error(`${node.party} did not become healthy within ${timeoutMs / 1000}s: ${causeFromLog(node)} (log: ${node.log})`);
}

/** SIGTERM every process, wait for them, SIGKILL whatever is left after the grace period; says which were killed. */
export async function stopAll(nodes: NodeProcess[], graceMs = 10_000): Promise<{ stopped: number; killed: string[] }> {
  for (const n of nodes) if (n.child.exitCode === null && n.child.signalCode === null) n.child.kill('SIGTERM');
  const timer = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), graceMs).unref());
  await Promise.race([Promise.all(nodes.map((n) => n.exited)), timer]);
  const killed: string[] = [];
  for (const n of nodes)
    if (n.child.exitCode === null && n.child.signalCode === null) {
      n.child.kill('SIGKILL');
      killed.push(n.party);
    }
  await Promise.all(nodes.map((n) => n.exited));
  return { stopped: nodes.length, killed };
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
