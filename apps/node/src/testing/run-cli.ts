/** Runs the real `firstlight` CLI as a process (from source), for tests of its output and exit codes. */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initNode } from '../cli/init.js';

const CLI = fileURLToPath(new URL('../../bin/firstlight.mjs', import.meta.url));

/** With timeoutMs, a command still running then is killed and answers code -1 (a hang is never mistaken for an exit). */
export function runCli(args: string[], timeoutMs = 0): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      { env: { ...process.env, FIRSTLIGHT_FROM_SOURCE: '1', FIRSTLIGHT_LOG_LEVEL: 'silent' }, timeout: timeoutMs },
      (error, stdout, stderr) => resolve({ code: error ? (error.killed ? -1 : Number(error.code ?? 1)) : 0, stdout, stderr }),
    );
  });
}

/** Spawns the CLI and resolves once its output holds `text` (or it exits); the caller stops it. */
export function spawnCliUntil(args: string[], text: string): Promise<{ child: ChildProcess; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [CLI, ...args], {
    env: { ...process.env, FIRSTLIGHT_FROM_SOURCE: '1', FIRSTLIGHT_LOG_LEVEL: 'silent' },
  });
  let stdout = '';
  let stderr = '';
  return new Promise((resolve) => {
    const done = () => resolve({ child, stdout, stderr });
    child.stdout.on('data', (chunk) => {
      stdout += String(chunk);
      if (stdout.includes(text)) done();
    });
    child.stderr.on('data', (chunk) => {
      stderr += String(chunk);
      if (stderr.includes(text)) done();
    });
    child.once('exit', done);
  });
}

/** A liaison office and a national bureau (TH, pinning its anchor) initialised under root, not started: for CLI tests. */
export async function initCliNodes(root: string): Promise<{ lo: string; th: string; anchor: string }> {
  const lo = join(root, 'lo');
  const th = join(root, 'th');
  const liaison = await initNode({ data: lo, role: 'liaison', host: '127.0.0.1', port: 0 });
  const anchor = liaison.anchor ?? '';
  await initNode({ data: th, role: 'national', country: 'TH', host: '127.0.0.1', port: 0, liaison: 'https://127.0.0.1:9', anchor });
  return { lo, th, anchor };
}
