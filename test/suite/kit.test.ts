/**
 * The conformance kit against a real node started through the CLI (it must pass everything, and
 * `--only` must run exactly the checks it picks), and against deliberately broken nodes (it must fail
 * exactly the checks they break). Checks are named by their catalogue id.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Directory } from '@firstlight/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CheckResult, selectors } from '../src/kit/catalogue.js';
import { catalogue } from '../src/kit/checks/index.js';
import { ConformanceKit, KIT_ANCHOR } from '../src/kit/kit.js';
import { runChecks } from '../src/kit/run.js';
import { acceptAllNode, crashyProxy, type SealFlaw, sealFlawedNode } from './broken-nodes.js';
import { BIN, cli, freePort, type NodeProc, startNode } from './harness.js';

const root = mkdtempSync(join(tmpdir(), 'firstlight-kit-'));
const kit = new ConformanceKit(0);
let node: NodeProc;
let target: { url: string; country: string; jwk: never };

beforeAll(async () => {
  await kit.start();
  const port = await freePort();
  const init = JSON.parse(
    cli(
      'init',
      '--country',
      'KH',
      '--data',
      join(root, 'kh'),
      '--port',
      String(port),
      '--liaison',
      kit.url,
      '--anchor',
      KIT_ANCHOR,
      // The conformance kit speaks the wire over plain HTTP (it has no TLS client identity of its own).
      '--insecure-plain-http',
      '--json',
    ),
  ) as {
    publicJwk: never;
  };
  target = { url: `http://127.0.0.1:${port}`, country: 'KH', jwk: init.publicJwk };
  await kit.publish(target, 10);
  node = await startNode(join(root, 'kh'), port);
});

afterAll(async () => {
  await node?.stop();
  await kit.stop();
  if (!process.env.KEEP) rmSync(root, { recursive: true, force: true });
});

const ids = (results: CheckResult[], status?: CheckResult['status']) =>
  results.filter((r) => status === undefined || r.status === status).map((r) => r.id);
/** The checks that expect a refusal: each names the code it expects. */
const REJECTION_CHECKS = (results: CheckResult[]) => results.filter((r) => r.status !== 'skip' && /ERR_/.test(r.title)).map((r) => r.id);

/** Vectors that cannot be driven from outside a national node (each listed as skipped, with its reason). */
const UNREPLAYABLE = [
  'vector-valid-referral-liaison-copy',
  'vector-valid-status',
  'vector-valid-status-declined',
  'vector-valid-receipt',
  'vector-valid-receipt-anonymous',
  'vector-schema-receipt-rejected-no-code',
  'vector-typ-other-message',
];
/** Directory vectors that cannot be observed or driven from outside. */
const DIRECTORY_UNDRIVABLE = [
  'vector-directory-same-serial',
  'vector-directory-in-grace',
  'vector-directory-grace-over',
  'vector-directory-wrong-anchor',
  'vector-directory-v2-tls-pins',
];
/** The checks that need the target on the rotated serial (the rotation fixture). */
const AFTER_ROTATION = [
  'rotated-old-key-refused',
  'rotated-new-key-accepted',
  'vector-directory-valid',
  'vector-directory-forged-authority',
  'vector-directory-tampered',
  'vector-directory-stale-serial',
  'vector-directory-kid-mismatch',
  'vector-directory-kid-not-thumbprint',
  'vector-directory-typ',
  'vector-directory-v1-tls-pins',
  'vector-directory-v2-bad-pin',
  'vector-directory-v3',
];

const FLAWS: SealFlaw[] = ['seal-unverified', 'listing-ignored', 'position-ignored', 'key-ignored'];
/** The seal checks that a forged envelope must be refused by (bad seals apart). */
const SEAL_REFUSALS = ['seal-unlisted-bytes', 'seal-other-position', 'seal-other-key', 'seal-short-signature', 'seal-signature-step-only'];
const BAD_SEALS = ['seal-bad-signature', 'seal-bad-key', 'seal-bad-count', 'seal-bad-recipient', 'seal-bad-stale'];

/** The directory the kit last published (a fixture node holds it as the kit serves it). */
const heldByKit = (): Directory => {
  if (!kit.directory) throw new Error('the kit has published no directory');
  return kit.directory;
};

/** The operator hook for a firstlight node: `firstlight status` on its data directory while it runs. */
const acknowledge = (referralId: string) =>
  new Promise<void>((resolve, reject) =>
    execFile(
      process.execPath,
      [BIN, 'status', '--data', join(root, 'kh'), '--referral', referralId, '--state', 'acknowledged', '--json'],
      (error) => (error ? reject(error) : resolve()),
    ),
  );

describe('the black-box conformance kit', () => {
  it('runs exactly the checks --only picks, each alone, fixtures made on demand', async () => {
    const results = await runChecks(kit, target, { only: selectors('resend-idempotent', '§2.3.1', '3 check 4') });
    expect(results.map((r) => [r.id, r.section])).toEqual([
      ['receipt-batch', '§2.3.1'],
      ['key-unknown', '§3 check 4'],
      ['key-revoked', '§3 check 4'],
      ['resend-idempotent', '§3 check 12'],
      ['vector-key-unknown', '§3 check 4'],
      ['vector-key-revoked', '§3 check 4'],
    ]);
    // The idempotent resend ran alone: its accepted referral came from the fixture, not from another check.
    expect(results.filter((r) => r.status !== 'pass').map((r) => `${r.id}: ${r.reason}`)).toEqual([]);
    // Nothing outside the selection ran: no rotation, so the target still holds the serial it began with.
    expect(await kit.heldSerial(target)).toBe(10);
  });

  it('passes every check against the real node, over HTTP alone', async () => {
    const results = await runChecks(kit, target, { driver: acknowledge });
    expect(results.filter((r) => r.status === 'fail').map((r) => `${r.id}: ${r.reason}`)).toEqual([]);
    expect(results.every((r) => /^§\d/.test(r.section))).toBe(true);
    const passed = ids(results, 'pass');
    // Every message vector a national node can be sent went to the target, re-created with the kit's keys.
    expect(passed.filter((n) => n.startsWith('vector-') && !n.startsWith('vector-directory-')).length).toBeGreaterThanOrEqual(100);
    expect(ids(results, 'skip').sort()).toEqual([...UNREPLAYABLE, ...DIRECTORY_UNDRIVABLE].sort());
    expect(passed).toEqual(expect.arrayContaining(['liaison-copy', 'directory-rotation-taken', ...AFTER_ROTATION]));
    // The kit's liaison endpoint holds the target's status, and the target now holds the rotated serial.
    expect(kit.copies.length).toBeGreaterThanOrEqual(1);
    expect(await kit.heldSerial(target)).toBe(11);
  });

  it('fails exactly the rejection checks against a node that skips verification', async () => {
    const broken = await acceptAllNode('KH', () => kit.directory?.serial ?? 0);
    try {
      const fake = { url: broken.url, country: 'KH', jwk: broken.key.publicJwk as never };
      await kit.publish(fake, 50);
      const results = await runChecks(kit, fake, { waitMs: 3000 });
      const failed = ids(results, 'fail');
      expect(failed.sort()).toEqual(REJECTION_CHECKS(results).sort());
      expect(failed).toContain('vector-payload-tampered');
      // Without an operator hook, the copy check is listed as skipped with its reason, never passed.
      expect(results.find((r) => r.id === 'liaison-copy')).toMatchObject({ status: 'skip', section: '§5.3' });
      expect(failed).toContain('rotated-old-key-refused');
      // Every negative seal check: it takes a forged envelope, sealed or not.
      expect(failed).toEqual(expect.arrayContaining([...SEAL_REFUSALS, ...BAD_SEALS]));
      expect(results.find((r) => r.id === 'payload-tampered')).toMatchObject({
        section: '§3 check 5',
        reason: expect.stringContaining('accepted, expected rejection with ERR_SIGNATURE_INVALID'),
      });
    } finally {
      broken.close();
      expect(await kit.publishTo(target, 100)).toBe(true);
    }
  });

  it('fails exactly the seal checks a node breaks when it lets a seal stand for a signature where it must not', async () => {
    const failedBy: Record<string, string[]> = {};
    try {
      for (const [i, flaw] of FLAWS.entries()) {
        const flawed = await sealFlawedNode('KH', heldByKit, flaw);
        try {
          const fake = { url: flawed.url, country: 'KH', jwk: flawed.key.publicJwk as never };
          await kit.publish(fake, 60 + i);
          const results = await runChecks(kit, fake, { only: selectors('§2.3.2') });
          expect(results).toHaveLength(12);
          failedBy[flaw] = ids(results, 'fail');
        } finally {
          flawed.close();
        }
      }
    } finally {
      expect(await kit.publishTo(target, 100)).toBe(true);
    }
    const [unlisted, position, otherKey] = SEAL_REFUSALS;
    expect(failedBy).toEqual({
      'seal-unverified': BAD_SEALS,
      'listing-ignored': [unlisted, position],
      'position-ignored': [position],
      'key-ignored': [otherKey],
    });
  });

  it('fails exactly the bad-input checks, and what needs a directory it cannot hear of, against a node that answers 500 to bad input', async () => {
    const proxy = await crashyProxy(target.url);
    try {
      const results = await runChecks(kit, { ...target, url: proxy.url });
      const failed = results.filter((r) => r.status === 'fail');
      expect(failed.filter((r) => r.id.startsWith('bad-input-')).map((r) => r.reason)).toEqual(
        Array(4).fill(expect.stringContaining('HTTP 500')),
      );
      // The proxy also answers 500 to federation.directoryPublished (a POST without envelopes), so the
      // target never hears of the rotation serial: that check fails, and so does every check that needs it.
      const others = failed.filter((r) => !r.id.startsWith('bad-input-'));
      expect(others.map((r) => r.id).sort()).toEqual(['directory-rotation-taken', ...AFTER_ROTATION].sort());
      for (const r of others.filter((o) => o.id !== 'directory-rotation-taken'))
        expect(r.reason).toMatch(/^needs the setup step "rotation", which failed: the target still holds serial 100/);
    } finally {
      proxy.close();
    }
  });

  it('passes each hand-written and directory check run alone, on a target that holds a fresh serial', async () => {
    // As `pnpm conformance --only ID` runs it: a new serial published, then that one check and its fixtures.
    // (The message vectors share no state by construction: each sends its own primers.)
    const alone = catalogue().filter((c) => !c.id.startsWith('vector-') || c.id.startsWith('vector-directory-'));
    expect(alone.length).toBeGreaterThanOrEqual(57);
    const outcomes: string[] = [];
    for (const [i, check] of alone.entries()) {
      expect(await kit.publishTo(target, 200 + 2 * i)).toBe(true);
      const results = await runChecks(kit, target, { only: selectors(check.id), driver: acknowledge, waitMs: 10_000 });
      outcomes.push(...results.map((r) => `${r.id} ${r.status}${r.status === 'fail' ? `: ${r.reason}` : ''}`));
    }
    const skipped = [...DIRECTORY_UNDRIVABLE];
    expect(outcomes).toEqual(alone.map((c) => `${c.id} ${skipped.includes(c.id) ? 'skip' : 'pass'}`));
  });
});
