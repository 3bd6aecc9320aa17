import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIAISON_ROLES, NATIONAL_ROLES } from '../auth/tokens.js';
import { initCliNodes, runCli } from '../testing/run-cli.js';

type Result = Awaited<ReturnType<typeof runCli>>;

/** A refusal: the exit code, one `error CODE: …` line (commander may add a usage hint) and no stack trace. */
function expectRefused(result: Result, exit: number, code: string) {
  expect(result.code, result.stderr).toBe(exit);
  expect(result.stdout).toBe('');
  expect(result.stderr).toMatch(new RegExp(`^error ${code}: `));
  expect(result.stderr).not.toMatch(/\n\s+at /);
}

const ISO_SECOND = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

describe('firstlight treats bad input as input', () => {
  let root: string;
  let lo: string;
  let th: string;
  const complaint = '0190a0a0-0000-7000-8000-000000000000';

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'firstlight-input-'));
    ({ lo, th } = await initCliNodes(root));
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('names a missing file or directory given to a path flag, exit 2', async () => {
    const missing = join(root, 'warrant-page.html');
    const [evidence, key, consoleDir, data, initData] = await Promise.all([
      runCli(['evidence', 'add', '--data', th, '--complaint', complaint, '--file', missing]),
      runCli([
        'member',
        'add',
        '--data',
        lo,
        '--country',
        'KH',
        '--name',
        'Cambodia',
        '--endpoint',
        'http://127.0.0.1:9',
        '--key',
        `@${missing}`,
      ]),
      runCli(['start', '--data', th, '--console', join(root, 'no-console')]),
      runCli(['inbox', '--data', join(root, 'no-node')]),
      runCli(['init', '--role', 'liaison', '--data', join(th, 'config.json')]),
    ]);
    expectRefused(evidence, 2, 'ERR_INPUT');
    expect(evidence.stderr).toContain(`--file ${missing}: no such file`);
    expectRefused(key, 2, 'ERR_INPUT');
    expect(key.stderr).toContain(`--key ${missing}: no such file`);
    expectRefused(consoleDir, 2, 'ERR_INPUT');
    expect(consoleDir.stderr).toContain(`--console ${join(root, 'no-console')}: no such directory`);
    expectRefused(data, 2, 'ERR_INPUT');
    expect(data.stderr).toContain(`--data ${join(root, 'no-node')} holds no node`);
    expectRefused(initData, 2, 'ERR_INPUT');
    expect(initData.stderr).toContain('--data must name a directory (this is a file)');
  });

  it('refuses an --out that exists or whose directory does not, before reading anything', async () => {
    const get = (out: string) =>
      runCli([
        'evidence',
        'get',
        '--data',
        th,
        '--complaint',
        complaint,
        '--digest',
        `sha256:${'0'.repeat(64)}`,
        '--purpose',
        'TH-1',
        '--out',
        out,
      ]);
    const [exists, noDir] = await Promise.all([get(join(th, 'config.json')), get(join(root, 'no-dir', 'page.html'))]);
    expectRefused(exists, 2, 'ERR_INPUT');
    expect(exists.stderr).toContain(`--out ${join(th, 'config.json')} already exists`);
    expectRefused(noDir, 2, 'ERR_INPUT');
    expect(noDir.stderr).toContain(`--out ${join(root, 'no-dir')}: no such directory`);
  });

  it('says what a trust anchor is and where to get it when --anchor is malformed', async () => {
    const result = await runCli([
      'init',
      '--data',
      join(root, 'kh'),
      '--country',
      'KH',
      '--liaison',
      'http://127.0.0.1:9',
      '--anchor',
      'ANCHOR',
    ]);
    expectRefused(result, 2, 'ERR_INPUT');
    expect(result.stderr).toContain("--anchor must be the liaison office's trust anchor");
    expect(result.stderr).toContain('`firstlight init --role liaison`');
    expect(result.stderr).not.toContain('[A-Za-z0-9_-]{43}');
  });

  it('refuses `inbox` on the liaison office with ERR_WRONG_ROLE, exit 2, not an empty list', async () => {
    const result = await runCli(['inbox', '--data', lo]);
    expectRefused(result, 2, 'ERR_WRONG_ROLE');
    expect(result.stderr).toContain('`firstlight inbox` is a command for a national bureau');
  });

  it('lists the valid roles for a bad --role, from the roles the node knows', async () => {
    const [token, init] = await Promise.all([
      runCli(['token', 'create', '--data', th, '--role', 'boss']),
      runCli(['init', '--data', join(root, 'x'), '--role', 'embassy']),
    ]);
    expectRefused(token, 2, 'ERR_INPUT');
    for (const role of [...NATIONAL_ROLES, ...LIAISON_ROLES]) expect(token.stderr).toContain(role);
    expectRefused(init, 2, 'ERR_INPUT');
    expect(init.stderr).toContain('--role must be one of national, liaison');
  });

  it('gives commander usage errors the same stable code and exit 2', async () => {
    const [missing, unknown, number] = await Promise.all([
      runCli(['status', '--data', th]),
      runCli(['inbox', '--data', th, '--colour']),
      runCli(['directory', 'publish', '--data', lo, '--validity-days', 'thirty']),
    ]);
    expectRefused(missing, 2, 'ERR_INPUT');
    expect(missing.stderr).toContain("required option '--referral <id>' not specified");
    expectRefused(unknown, 2, 'ERR_INPUT');
    expectRefused(number, 2, 'ERR_INPUT');
    expect(number.stderr).toContain('--validity-days must be a whole number from 1 to 366');
  });

  it('prints --version; `init --role liaison` hands out the anchor, not its key to itself', async () => {
    const [version, init] = await Promise.all([
      runCli(['--version']),
      runCli(['init', '--role', 'liaison', '--data', join(root, 'lo2'), '--port', '0']),
    ]);
    expect(version.code).toBe(0);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    expect(init.code).toBe(0);
    expect(init.stdout).toMatch(/^trust anchor: [\w-]{43}$/m);
    expect(init.stdout).not.toContain('give it to the liaison office');
  });

  it('shows times as ISO 8601 UTC in tables and in --json; `key` still runs but says it is deprecated', async () => {
    const [table, json, old] = await Promise.all([
      runCli(['keys', 'list', '--data', th]),
      runCli(['keys', 'list', '--data', th, '--json']),
      runCli(['key', 'pending', '--data', lo, '--json']),
    ]);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/valid from\s+valid until/);
    expect(table.stdout).toMatch(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z\s+\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z/);
    const keys = JSON.parse(json.stdout) as Array<{ nbf: unknown; exp: unknown }>;
    expect(keys[0]?.nbf).toMatch(ISO_SECOND);
    expect(keys[0]?.exp).toMatch(ISO_SECOND);
    expect(old.code).toBe(0);
    expect(JSON.parse(old.stdout)).toEqual([]);
    expect(old.stderr).toContain('`firstlight key pending` is deprecated; use `firstlight member key pending`');
  });
});
