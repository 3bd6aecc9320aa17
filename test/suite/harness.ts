/** Process harness for the cross-country suite: real `firstlight` processes on loopback, own data dirs. */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../../apps/node/bin/firstlight.mjs', import.meta.url));

export function cli(...args: string[]): string {
  return execFileSync(process.execPath, [BIN, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export interface NodeProc {
  url: string;
  child: ChildProcess;
  dataDir: string;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export async function startNode(dataDir: string, port: number): Promise<NodeProc> {
  const fd = openSync(join(dataDir, 'node.log'), 'a');
  const child = spawn(process.execPath, [BIN, 'start', '--data', dataDir, '--port', String(port)], {
    stdio: ['ignore', fd, fd],
    env: { ...process.env, FIRSTLIGHT_LOG_LEVEL: 'warn' },
  });
  closeSync(fd);
  const url = `http://127.0.0.1:${port}`;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`node in ${dataDir} exited; see node.log`);
    // Healthy means listening and holding a directory (it fetches one from the liaison office at start).
    const ok = await fetch(`${url}/trpc/federation.health`)
      .then(
        async (r) =>
          r.ok && ((await r.json()) as { result?: { data?: { directorySerial?: number | null } } }).result?.data?.directorySerial != null,
      )
      .catch(() => false);
    if (ok) break;
    if (Date.now() > deadline) throw new Error(`node in ${dataDir} did not start`);
    await new Promise((r) => setTimeout(r, 150));
  }
  return {
    url,
    child,
    dataDir,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}
