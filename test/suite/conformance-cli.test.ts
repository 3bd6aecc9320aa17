/**
 * `pnpm conformance` as a person runs it: a separate process against a real node started through the
 * firstlight CLI (exit 0 and the printed table; `--only` with `--json`, exactly the checks picked),
 * against a node that skips verification (exit 1, the broken check failing with its section), and
 * refusals of bad flags (exit 2, a clear message).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { CheckResult } from '../src/kit/catalogue.js';
import { KIT_ANCHOR } from '../src/kit/kit.js';
import { acceptAllNode } from './broken-nodes.js';
import { BIN, cli, freePort, type NodeProc, startNode } from './harness.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const TEST_DIR = fileURLToPath(new URL('..', import.meta.url));
const TSX = join(TEST_DIR, 'node_modules/.bin/tsx');
const root = mkdtempSync(join(tmpdir(), 'firstlight-conformance-cli-'));
let node: NodeProc | undefined;
/** The conforming node of the full run, kept for the `--only` run that follows it. */
let conforming: { port: number; kitPort: number; key: string } | undefined;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The kit's CLI as its own process (`pnpm conformance` runs exactly this, with pnpm's exit codes around it). */
function conformance(args: string[], viaPnpm = false): { child: ChildProcess; done: Promise<Run> } {
  const child = viaPnpm
    ? spawn('pnpm', ['-s', 'conformance', ...args], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] })
    : spawn(TSX, ['src/kit/main.ts', ...args], { cwd: TEST_DIR, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d) => (stdout += d));
  child.stderr?.on('data', (d) => (stderr += d));
  const done = new Promise<Run>((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
  return { child, done };
}

afterAll(async () => {
  await node?.stop();
  if (!process.env.KEEP) rmSync(root, { recursive: true, force: true });
});

describe('pnpm conformance', () => {
  it('prints the anchor to pin (through pnpm conformance)', async () => {
    const run = await conformance(['anchor'], true).done;
    expect(run.code).toBe(0);
    expect(run.stdout.trim()).toBe(KIT_ANCHOR);
  });

  it('exits 0 against a conforming node and prints the table, skips with their reasons', async () => {
    const kitPort = await freePort();
    const port = await freePort();
    const data = join(root, 'kh');
    const init = JSON.parse(
      cli(
        'init',
        '--country',
        'KH',
        '--data',
        data,
        '--port',
        String(port),
        '--liaison',
        `http://127.0.0.1:${kitPort}`,
        '--anchor',
        KIT_ANCHOR,
        // The conformance kit speaks the wire over plain HTTP (it has no TLS client identity of its own).
        '--insecure-plain-http',
        '--json',
      ),
    ) as { publicJwk: unknown };
    const drive = `"${process.execPath}" "${BIN}" status --data "${data}" --referral {referral} --state acknowledged --json`;
    const { child, done } = conformance([
      '--target',
      `http://127.0.0.1:${port}`,
      '--country',
      'KH',
      '--key',
      JSON.stringify(init.publicJwk),
      '--port',
      String(kitPort),
      '--wait',
      '60',
      '--drive',
      drive,
    ]);
    // The node fetches its first directory from the kit when it starts: start it once the kit listens.
    const deadline = Date.now() + 60_000;
    while (
      !(await fetch(`http://127.0.0.1:${kitPort}/trpc/federation.health`)
        .then((r) => r.ok)
        .catch(() => false))
    ) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`the kit did not start: ${(await done).stderr}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    node = await startNode(data, port);
    conforming = { port, kitPort, key: JSON.stringify(init.publicJwk) };
    const run = await done;
    expect(run.stderr).toBe('');
    expect(run.stdout).toContain(`KH at http://127.0.0.1:${port}`);
    // Each line: status, section, id, title (and the reason of a skip or a failure).
    expect(run.stdout).toMatch(/^PASS {2}§5\.1 +referral-accepted +a valid referral is accepted with a signed receipt/m);
    expect(run.stdout).toMatch(/^PASS {2}§3 check 5 +vector-payload-tampered +vector payload-tampered: .*\(ERR_SIGNATURE_INVALID\)$/m);
    expect(run.stdout).toMatch(
      /^PASS {2}§3\.2 +rotated-old-key-refused +after the rotation, a message signed with the old key \(ERR_KEY_REVOKED\)$/m,
    );
    expect(run.stdout).toMatch(/^PASS {2}§5\.3 +liaison-copy +a status the target sends reaches/m);
    expect(run.stdout).toMatch(
      /^SKIP {2}§2\.3 +vector-valid-receipt +vector valid-receipt: .*\(accepted\) — receipts only travel as answers/m,
    );
    expect(run.stdout).not.toMatch(/^FAIL/m);
    expect(run.stdout).toMatch(/^\d+ passed, 0 failed, \d+ skipped$/m);
    expect(run.code).toBe(0);
  });

  it('with --only and --json, runs exactly the checks picked and prints their results as JSON', async () => {
    if (!conforming) throw new Error('the full run did not start a node');
    const { port, kitPort, key } = conforming;
    const run = await conformance([
      '--target',
      `http://127.0.0.1:${port}`,
      '--country',
      'KH',
      '--key',
      key,
      '--port',
      String(kitPort),
      '--only',
      'replay,§2.3.1',
      '--only',
      'vector-payload-tampered',
      '--json',
    ]).done;
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as { targets: Array<{ country: string; results: CheckResult[]; summary: unknown }> };
    expect(report.targets).toHaveLength(1);
    expect(report.targets[0]?.results.map((r) => [r.id, r.section, r.status])).toEqual([
      ['receipt-batch', '§2.3.1', 'pass'],
      ['replay', '§3 check 12', 'pass'],
      ['vector-payload-tampered', '§3 check 5', 'pass'],
    ]);
    expect(report.targets[0]?.summary).toEqual({ passed: 3, failed: 0, skipped: 0 });
  });

  it('exits 1 against a node that breaks a check, printing the failure with its section and reason', async () => {
    const kitPort = await freePort();
    const broken = await acceptAllNode('KH', () => 0);
    try {
      // The fake never takes the kit's directory (it reports serial 0): the kit warns, then runs anyway.
      const run = await conformance([
        '--target',
        broken.url,
        '--country',
        'KH',
        '--key',
        JSON.stringify(broken.key.publicJwk),
        '--port',
        String(kitPort),
        '--wait',
        '1',
        '--only',
        'referral-accepted,key-revoked',
      ]).done;
      expect(run.stderr).toContain('did not take the kit');
      expect(run.stdout).toMatch(/^PASS {2}§5\.1 +referral-accepted /m);
      expect(run.stdout).toMatch(
        /^FAIL {2}§3 check 4 +key-revoked +a revoked key \(ERR_KEY_REVOKED\) — accepted, expected rejection with ERR_KEY_REVOKED$/m,
      );
      expect(run.stdout).toMatch(/^1 passed, 1 failed, 0 skipped$/m);
      expect(run.code).toBe(1);
    } finally {
      broken.close();
    }
  });

  it.each([
    [['--country', 'KH', '--key', '{}'], 'give at least one --target URL'],
    [['--target', 'ftp://x', '--country', 'KH', '--key', '{}'], 'error:'],
    [['--target', 'http://127.0.0.1:1', '--country', 'kh', '--key', '{}'], '--country must be an ISO 3166-1 alpha-2 code'],
    [['--target', 'http://127.0.0.1:1', '--country', 'KH', '--key', '{}', '--port', '70000'], 'error:'],
    [['--target', 'http://127.0.0.1:1', '--country', 'KH', '--key', '{}', '--drive', 'true'], '--drive must contain {referral}'],
    [
      ['--target', 'http://127.0.0.1:1', '--target', 'http://127.0.0.1:2', '--country', 'KH', '--key', '{}'],
      'one --country and one --key per --target',
    ],
    [['--bogus'], "unknown option '--bogus'"],
    [['--target', 'http://127.0.0.1:1', '--country', 'KH', '--key', 'not json'], '--key must be the JWK as JSON'],
    [['--only', 'no-such-check'], 'no check has the id or section "no-such-check": `pnpm conformance --list` prints'],
    [['--list', '--only', '9.9'], 'no check has the id or section "9.9"'],
    [['--list', '--only', 'Not An Id!'], '--only "Not An Id!" is neither a check id'],
  ])('exits 2 with a clear message on bad flags: %j', async (args, message) => {
    const run = await conformance(args).done;
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
    expect(run.stderr).not.toMatch(/\bat [\w.<>]+ \(|node:internal/);
    expect(run.stdout).not.toMatch(/passed, \d+ failed/);
  });

  it('through pnpm conformance, bad flags are a non-zero exit with the message', async () => {
    const run = await conformance(['--target', 'http://127.0.0.1:1', '--country', 'kh', '--key', '{}'], true).done;
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain('--country must be an ISO 3166-1 alpha-2 code');
  });
});
