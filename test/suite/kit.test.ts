/**
 * The conformance kit against a real node started through the CLI (it must pass everything), and
 * against deliberately broken nodes (it must fail exactly the checks they break).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Directory } from '@firstlight/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COPY_CHECK } from '../src/kit/copy-checks.js';
import { type CheckResult, ConformanceKit, fakeCountries, KIT_ANCHOR, runChecks } from '../src/kit/kit.js';
import { Probe } from '../src/kit/probe.js';
import { runSealChecks } from '../src/kit/seal-checks.js';
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

const REJECTION_CHECKS = (results: CheckResult[]) => results.filter((r) => !r.skipped && /ERR_|replay/.test(r.name)).map((r) => r.name);

/** Vectors that cannot be driven from outside a national node (each listed as skipped, with its reason). */
const UNREPLAYABLE = [
  'vector valid-referral-liaison-copy (accepted)',
  'vector valid-status (accepted)',
  'vector valid-status-declined (accepted)',
  'vector valid-receipt (accepted)',
  'vector valid-receipt-anonymous (accepted)',
  'vector schema-receipt-rejected-no-code (ERR_SCHEMA)',
  'vector typ-other-message (ERR_JWS_TYP)',
];

const FLAWS: SealFlaw[] = ['seal-unverified', 'listing-ignored', 'position-ignored', 'key-ignored'];
/** The seal checks that a forged envelope must be refused by (bad seals apart). */
const SEAL_REFUSALS = [
  'a seal never vouches for bytes it does not list: a forged signature (ERR_SIGNATURE_INVALID)',
  'a seal never vouches for bytes it lists at another position (ERR_SIGNATURE_INVALID)',
  "a seal never vouches for another key: B's forged envelope listed in A's seal (ERR_SIGNATURE_INVALID)",
  'a seal never stands for a signature that is not 64 bytes (ERR_SIGNATURE_INVALID)',
  'a seal stands for the signature step only: every other check still runs (ERR_EXPIRED, ERR_WRONG_RECIPIENT)',
];
const BAD_SEALS = [
  'its own signature broken',
  "signed with another country's key",
  'one digest more than envelopes',
  'addressed to another party',
  'older than the clock-skew allowance',
].map((defect) => `a bad seal (${defect}) vouches for nothing and costs no message (ERR_SIGNATURE_INVALID)`);

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
  it('passes every check against the real node, over HTTP alone', async () => {
    const results = await runChecks(kit, target, { driver: acknowledge });
    expect(results.filter((r) => !r.ok).map((r) => `${r.name}: ${r.reason}`)).toEqual([]);
    const passed = results.filter((r) => r.ok && !r.skipped).map((r) => r.name);
    // Every message vector a national node can be sent went to the target, re-created with the kit's keys.
    expect(passed.filter((n) => n.startsWith('vector ')).length).toBeGreaterThanOrEqual(100);
    const skipped = results.filter((r) => r.skipped).map((r) => r.name);
    expect(skipped.filter((n) => n.startsWith('vector ')).sort()).toEqual([...UNREPLAYABLE].sort());
    expect(skipped.filter((n) => !n.startsWith('vector ') && !n.startsWith('directory vector '))).toEqual([]);
    expect(passed).toContain(COPY_CHECK);
    expect(passed).toContain('after the rotation, a message signed with the old key (ERR_KEY_REVOKED)');
    expect(passed.filter((n) => n.startsWith('directory vector ')).length).toBeGreaterThanOrEqual(6);
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
      const failed = results.filter((r) => !r.ok).map((r) => r.name);
      expect(failed.sort()).toEqual(REJECTION_CHECKS(results).sort());
      expect(failed).toContain('vector payload-tampered (ERR_SIGNATURE_INVALID)');
      // Without an operator hook, the copy check is listed as skipped with its reason, never passed.
      expect(results.find((r) => r.name === COPY_CHECK)).toMatchObject({ ok: true, skipped: true });
      expect(failed).toContain('after the rotation, a message signed with the old key (ERR_KEY_REVOKED)');
      // Every negative seal check: it takes a forged envelope, sealed or not.
      expect(failed).toEqual(expect.arrayContaining([...SEAL_REFUSALS, ...BAD_SEALS]));
      expect(results.find((r) => r.name.startsWith('a tampered payload'))?.reason).toContain(
        'accepted, expected rejection with ERR_SIGNATURE_INVALID',
      );
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
          const probe = new Probe(fake, heldByKit(), fakeCountries('KH')[0]);
          await runSealChecks(probe);
          expect(probe.results).toHaveLength(12);
          failedBy[flaw] = probe.results.filter((r) => !r.ok).map((r) => r.name);
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

  it('fails exactly the bad-input checks against a node that answers 500 to bad input', async () => {
    const proxy = await crashyProxy(target.url);
    try {
      const results = await runChecks(kit, { ...target, url: proxy.url });
      const failed = results.filter((r) => !r.ok);
      // The proxy also answers 500 to federation.directoryPublished (a POST without envelopes), so the
      // target never hears of the rotation serial: that check fails too, and the directory checks stop there.
      expect(failed.filter((r) => !r.name.startsWith('bad input')).map((r) => r.name)).toEqual([
        "the target takes serial 101, which revokes country A's old key and adds a new one",
      ]);
      expect(failed.length).toBe(5);
      expect(failed[0]?.reason).toContain('HTTP 500');
    } finally {
      proxy.close();
    }
  });
});
