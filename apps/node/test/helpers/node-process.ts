/**
 * Test helpers: a real `firstlight start` process (its URL read from what it prints), and what its own
 * /metrics says it delivered. Never leaves a process behind on failure: the caller kills what it got.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/firstlight.mjs', import.meta.url));

export interface NodeProcess {
  child: ChildProcess;
  url: string;
}

/** Starts `firstlight start --data dataDir --port 0` and resolves once it says where it listens. */
export function startNodeProcess(dataDir: string, timeoutMs = 60_000): Promise<NodeProcess> {
  const child = spawn(process.execPath, [BIN, 'start', '--data', dataDir, '--port', '0'], {
    env: { ...process.env, FIRSTLIGHT_LOG_LEVEL: process.env.FIRSTLIGHT_TEST_LOG ?? 'silent' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`firstlight start did not listen within ${timeoutMs} ms`));
    }, timeoutMs);
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const url = /listening on (\S+)/.exec(out)?.[1];
      if (url) {
        clearTimeout(timer);
        resolve({ child, url });
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`firstlight start exited early (${code ?? signal})`));
    });
  });
}

/** Messages this process itself sent and got an accepted receipt for (firstlight_messages_total). */
export async function acceptedOut(url: string, token: string): Promise<number> {
  const response = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${token}` } });
  if (!response.ok) throw new Error(`${url}/metrics answered ${response.status}`);
  let total = 0;
  for (const line of (await response.text()).split('\n')) {
    if (!line.startsWith('firstlight_messages_total{')) continue;
    if (!line.includes('direction="out"') || !line.includes('outcome="accepted"')) continue;
    total += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return total;
}

export function isRunning(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}
