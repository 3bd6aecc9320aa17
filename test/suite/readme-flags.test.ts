/**
 * The README's lists of flags and commands against what the programs print for --help, so neither can
 * drift: every flag `pnpm start -- --help` prints is in the README's `pnpm start` table and the table
 * lists no flag the simulation lacks; the README's table of `firstlight` commands is exactly the
 * commands `firstlight --help` (and each group's --help) lists. The simulation's help is read by running
 * it, as `pnpm start` does, since its flags are its owner's to change.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildProgram } from '@firstlight/node/cli-program';
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const README = readFileSync(join(REPO, 'README.md'), 'utf8');
const SIM = join(REPO, 'apps/sim');

/** The first markdown table after the line that contains `marker`: each row's first cell. */
function tableAfter(marker: string): string[] {
  const lines = README.split('\n');
  const at = lines.findIndex((l) => l.includes(marker));
  if (at < 0) throw new Error(`README has no line with ${marker}`);
  const start = lines.findIndex((l, i) => i > at && l.startsWith('|'));
  const end = lines.findIndex((l, i) => i > start && !l.startsWith('|'));
  return lines
    .slice(start + 2, end < 0 ? undefined : end)
    .map((row) => row.split('|')[1]?.trim() ?? '')
    .filter(Boolean);
}

/** Long flags in the Options section of a --help text, e.g. --step-seconds (help itself left out). */
function helpFlags(help: string): string[] {
  const options = help.slice(help.indexOf('Options:'));
  return [...options.matchAll(/^\s+(?:-\w, )?(--[a-z][a-z-]*)/gm)].map((m) => m[1] as string).filter((f) => f !== '--help');
}

/** What the simulation prints for `pnpm start -- --help` (the root script runs the sim's `start`: node --import tsx src/main.ts). */
function simHelp(): Promise<string> {
  const root = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  const sim = JSON.parse(readFileSync(join(SIM, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  expect(root.scripts.start).toBe('pnpm --filter @firstlight/sim run start --');
  expect(sim.scripts.start).toBe('node --import tsx src/main.ts');
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'src/main.ts', '--', '--help'],
      { cwd: SIM, timeout: 60_000 },
      (error, stdout, stderr) => (error ? reject(new Error(`pnpm start -- --help failed: ${stderr}`)) : resolve(stdout)),
    );
  });
}

/** The commands `--help` lists, group by group down to the leaves (`member key revoke`); hidden ones are not listed. */
function helpCommands(command: Command, prefix: string[] = []): string[] {
  const help = command.helpInformation();
  const section = help.includes('Commands:') ? help.slice(help.indexOf('Commands:')) : '';
  const names = [...section.matchAll(/^ {2}([a-z][a-z-]*)/gm)].map((m) => m[1] as string).filter((n) => n !== 'help');
  return names.flatMap((name) => {
    const sub = command.commands.find((c) => c.name() === name);
    if (!sub) throw new Error(`--help lists ${name}, which is no command`);
    const path = [...prefix, name];
    return sub.commands.length === 0 ? [path.join(' ')] : helpCommands(sub, path);
  });
}

describe('README flag and command lists', () => {
  it('lists every flag of `pnpm start -- --help`, --step-seconds among them, and no other', async () => {
    const fromHelp = helpFlags(await simHelp());
    expect(fromHelp).toContain('--step-seconds');
    const fromReadme = tableAfter('`pnpm start -- --help` lists').map((cell) => /`(--[a-z-]+)/.exec(cell)?.[1]);
    expect(fromReadme.sort()).toEqual([...fromHelp].sort());
  }, 90_000);

  it('lists exactly the commands `firstlight --help` lists', () => {
    const fromHelp = helpCommands(buildProgram());
    expect(fromHelp).toEqual(expect.arrayContaining(['member key revoke', 'keys rotate', 'inbox']));
    expect(fromHelp).not.toContain('key revoke');
    const fromReadme = tableAfter('### Every `firstlight` command').flatMap((cell) => [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1]));
    expect(fromReadme.sort()).toEqual(fromHelp.sort());
  });
});
