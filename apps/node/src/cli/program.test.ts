import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initCliNodes } from '../testing/run-cli.js';
import { exitCodeOf } from './output.js';
import { buildProgram } from './program.js';

/** Every command of the tree with its full name ("member key revoke"), hidden ones included. */
function walk(command: Command, prefix: string[] = []): Array<{ name: string; command: Command }> {
  return command.commands.flatMap((c) => {
    const path = [...prefix, c.name()];
    return [{ name: path.join(' '), command: c }, ...walk(c, path)];
  });
}
const leaves = () => walk(buildProgram()).filter((c) => c.command.commands.length === 0 && c.name !== 'help');

describe('the firstlight command tree', () => {
  it('describes every command and every option, hidden ones included', () => {
    const program = buildProgram();
    const undescribed = [{ name: 'firstlight', command: program }, ...walk(program)].flatMap(({ name, command }) => [
      ...(command.description().trim() === '' ? [name] : []),
      ...command.options.filter((o) => o.description.trim() === '').map((o) => `${name} ${o.flags}`),
    ]);
    expect(undescribed).toEqual([]);
  });

  it('prints its version with --version', async () => {
    const program = buildProgram();
    let out = '';
    program.configureOutput({ writeOut: (s) => (out += s) });
    await expect(program.parseAsync(['node', 'firstlight', '--version'])).rejects.toMatchObject({ exitCode: 0 });
    expect(out.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('names `member key` for the keys of members and `keys` for its own, the old `key` only hidden', () => {
    const names = leaves().map((c) => c.name);
    expect(names).toEqual(
      expect.arrayContaining(['member key pending', 'member key approve', 'member key revoke', 'keys list', 'keys rotate']),
    );
    const visible = buildProgram()
      .commands.filter((c) => !(c as unknown as { _hidden: boolean })._hidden)
      .map((c) => c.name());
    expect(visible).not.toContain('key');
  });
});

/**
 * The other kind of node: every command that only a national bureau or only the liaison office can
 * answer refuses on the other's data directory with ERR_WRONG_ROLE (exit 2), instead of an empty answer.
 * Each is run with flags that pass, so the refusal is the role's; a new command must be placed here.
 */
describe('commands for one kind of node', () => {
  let root: string;
  let th: string;
  let lo: string;
  let file: string;
  const id = '0190a0a0-0000-7000-8000-000000000000';
  const kid = 'k'.repeat(43);
  const NATIONAL: Record<string, string[]> = {
    'complaint add': [
      '--victim-name',
      'V',
      '--victim-contact',
      'v@example.invalid',
      '--amount',
      '1',
      '--currency',
      'THB',
      '--scam-type',
      'other',
      '--narrative',
      'n',
      '--occurred',
      '2015-06-01',
    ],
    'evidence add': ['--complaint', id, '--file', 'FILE'],
    refer: [
      '--complaint',
      id,
      '--ip',
      '1.32.252.10',
      '--seen-at',
      '2015-06-01T10:00:00Z',
      '--evidence',
      `sha256:${'0'.repeat(64)}`,
      '--action',
      'locate',
      '--operation',
      'first-light-2015',
    ],
    inbox: [],
    status: ['--referral', id, '--state', 'located'],
    referrals: [],
    'referral show': ['--id', id],
    'outbox problems': [],
    'outbox retry': ['--id', '1'],
    'complaint show': ['--complaint', id, '--purpose', 'TH-1'],
    'complaint export': ['--complaint', id, '--purpose', 'TH-1'],
    'complaint erase': ['--complaint', id, '--reason', 'victim asked'],
    'evidence get': ['--complaint', id, '--digest', `sha256:${'0'.repeat(64)}`, '--purpose', 'TH-1', '--out', 'OUT'],
    'audit access': ['--complaint', id],
    'review list': [],
    'review extend': ['--complaint', id, '--until', '2030-01-01', '--reason', 'trial pending'],
    'review erase': ['--referral', id, '--reason', 'past review'],
  };
  const LIAISON: Record<string, string[]> = {
    'directory init': [],
    'directory publish': [],
    'member add': ['--country', 'KH', '--name', 'Cambodia', '--endpoint', 'http://127.0.0.1:9', '--key', '{"kty":"OKP"}'],
    'member remove': ['--country', 'KH'],
    'member key pending': [],
    'member key approve': ['--kid', kid],
    'member key revoke': ['--kid', kid, '--reason', 'laptop seized'],
    'key pending': [],
    'key approve': ['--kid', kid],
    'key revoke': ['--kid', kid, '--reason', 'laptop seized'],
    'operation create': ['--id', 'op', '--name', 'Op', '--start', '2015-06-01', '--end', '2015-12-31'],
    overview: [],
    clusters: [],
    health: [],
    'tls pending': [],
    'tls approve': ['--country', 'KH'],
  };
  const EITHER = ['init', 'start', 'token create', 'keys list', 'keys rotate', 'audit verify', 'audit export', 'tls pin', 'tls rotate'];

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'firstlight-roles-'));
    file = join(root, 'page.html');
    writeFileSync(file, 'evidence');
    ({ lo, th } = await initCliNodes(root));
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('places every command: national bureau only, liaison office only, or either', () => {
    expect(
      leaves()
        .map((c) => c.name)
        .sort(),
    ).toEqual([...Object.keys(NATIONAL), ...Object.keys(LIAISON), ...EITHER].sort());
  });

  const refusal = async (name: string, args: string[], data: string) => {
    const argv = ['node', 'firstlight', ...name.split(' '), '--data', data, ...args.map((a) => (a === 'FILE' ? file : a))];
    return buildProgram()
      .parseAsync(argv)
      .then(
        () => null,
        (error: unknown) => ({ error, exit: exitCodeOf(error) }),
      );
  };

  it.each(Object.entries(NATIONAL))('refuses `%s` on the liaison office', async (name, args) => {
    const refused = await refusal(name, args, lo);
    expect(refused?.error).toMatchObject({
      code: 'ERR_WRONG_ROLE',
      message: expect.stringContaining(`\`firstlight ${name}\` is a command for a national bureau`),
    });
    expect(refused?.exit).toBe(2);
  });

  it.each(Object.entries(LIAISON))('refuses `%s` on a national bureau', async (name, args) => {
    const refused = await refusal(name, args, th);
    expect(refused?.error).toMatchObject({
      code: 'ERR_WRONG_ROLE',
      message: expect.stringContaining('is a command for the liaison office'),
    });
    expect(refused?.exit).toBe(2);
  });
});
