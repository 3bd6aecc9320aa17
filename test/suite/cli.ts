/**
 * The `firstlight` command line as a person runs it, for the suite: the commands of a README code block
 * parsed into argument lists, the `pnpm firstlight` script resolved to what it runs, one-shot commands
 * run as processes, and `start` commands as long-running node processes. Never patches a command
 * beyond what the caller substitutes; an unsupported shell construct is an error, not a guess.
 */
import { execFile, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { NodeProcess } from '@firstlight/sim/processes';
import { z } from 'zod';

/** Splits one shell command line into words: quotes, backslash escapes and `#` comments; nothing else. */
export function shellWords(line: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < line.length; i++) {
    const ch = line.charAt(i);
    if (quote) {
      if (ch === quote) quote = null;
      else if (ch === '\\' && quote === '"' && /["\\$`]/.test(line.charAt(i + 1))) word += line.charAt(++i);
      else word += ch;
      continue;
    }
    if (ch === "'" || ch === '"') {
      quote = ch;
      inWord = true;
    } else if (ch === '#' && !inWord) {
      break;
    } else if (/\s/.test(ch)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else if (ch === '\\') {
      word += line.charAt(++i);
      inWord = true;
    } else if (/[;&|<>()$`]/.test(ch)) {
      throw new Error(`unsupported shell syntax "${ch}" in: ${line}`);
    } else {
      word += ch;
      inWord = true;
    }
  }
  if (quote) throw new Error(`unterminated ${quote} in: ${line}`);
  if (inWord) words.push(word);
  return words;
}

/**
 * The commands of the first ```sh block under the markdown heading `## heading`, each as its words
 * (continuation lines joined, comments and blank lines dropped).
 */
export function markdownCommands(markdown: string, heading: string): string[][] {
  const lines = markdown.split('\n');
  const at = lines.findIndex((l) => l.trim() === `## ${heading}`);
  if (at < 0) throw new Error(`no "## ${heading}" section`);
  const open = lines.findIndex((l, i) => i > at && l.trim() === '```sh');
  const close = lines.findIndex((l, i) => i > open && l.trim() === '```');
  if (open < 0 || close < 0) throw new Error(`no \`\`\`sh block under "## ${heading}"`);
  const logical: string[] = [];
  let pending = '';
  for (const line of lines.slice(open + 1, close)) {
    if (line.trimEnd().endsWith('\\')) {
      pending += `${line.trimEnd().slice(0, -1)} `;
      continue;
    }
    logical.push(pending + line);
    pending = '';
  }
  if (pending) logical.push(pending);
  return logical.map(shellWords).filter((words) => words.length > 0);
}

const packageJson = z.object({ scripts: z.record(z.string(), z.string()) });

/** What `pnpm <script>` runs in the repository at `repoRoot`, as Node.js arguments (the script must be `node …`). */
export function scriptNodeArgs(repoRoot: string, script: string): string[] {
  const { scripts } = packageJson.parse(JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')));
  const line = scripts[script];
  if (line === undefined) throw new Error(`package.json has no "${script}" script`);
  const [command, ...args] = shellWords(line);
  if (command !== 'node') throw new Error(`the "${script}" script does not run node: ${line}`);
  // Relative paths are relative to the repository, where pnpm runs root scripts.
  return args.map((a) => (a.startsWith('-') ? a : resolve(repoRoot, a)));
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs one command to completion (exit code, stdout and stderr captured; no shell). */
export function runCommand(nodeArgs: string[], args: string[], cwd: string, timeoutMs = 120_000): Promise<CliResult> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      [...nodeArgs, ...args],
      { cwd, timeout: timeoutMs, encoding: 'utf8', env: { ...process.env, FIRSTLIGHT_LOG_LEVEL: 'warn' } },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        done({ code, stdout, stderr: error?.killed ? `${stderr}\n(killed after ${timeoutMs / 1000}s)` : stderr });
      },
    );
  });
}

/** Describes a finished command for a failure message: the command, exit code and both outputs. */
export function describeRun(args: string[], result: CliResult): string {
  return `firstlight ${args.join(' ')}\nexit code ${result.code}\nstdout: ${result.stdout.trim()}\nstderr: ${result.stderr.trim()}`;
}

/** Spawns a long-running command (`firstlight start …`), its output to `log`; `url` is where it will listen. */
export function spawnCommand(nodeArgs: string[], args: string[], cwd: string, party: string, url: string, log: string): NodeProcess {
  const fd = openSync(log, 'a');
  const child = spawn(process.execPath, [...nodeArgs, ...args], {
    cwd,
    stdio: ['ignore', fd, fd],
    env: { ...process.env, FIRSTLIGHT_LOG_LEVEL: 'warn' },
  });
  closeSync(fd);
  const exited = new Promise<number | null>((res) => child.once('exit', (code) => res(code)));
  return { party, url, child, log, exited };
}

/** Polls `probe` until it returns a value (not null/undefined/false), or fails with `what` and the last error. */
export async function until<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown = null;
  for (;;) {
    try {
      const value = await probe();
      if (value !== null && value !== undefined && value !== false) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline)
      throw new Error(
        `${what}: not within ${timeoutMs / 1000}s${last ? ` (last error: ${last instanceof Error ? last.message : String(last)})` : ''}`,
      );
    await new Promise((r) => setTimeout(r, 250));
  }
}
