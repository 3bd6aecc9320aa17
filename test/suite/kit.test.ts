/**
 * The conformance kit against a real node started through the CLI (it must pass everything), and
 * against deliberately broken nodes (it must fail exactly the checks they break).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConformanceKit, KIT_ANCHOR, runChecks } from '../src/kit/kit.js';
import { acceptAllNode, crashyProxy } from './broken-nodes.js';
import { cli, freePort, type NodeProc, startNode } from './harness.js';

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
  await kit.publish(target, 1);
  node = await startNode(join(root, 'kh'), port);
});

afterAll(async () => {
  await node?.stop();
  await kit.stop();
  if (!process.env.KEEP) rmSync(root, { recursive: true, force: true });
});

const REJECTION_CHECKS = (names: string[]) => names.filter((n) => /\(ERR_|replay/.test(n));

describe('the black-box conformance kit', () => {
  it('passes every check against the real node, over HTTP alone', async () => {
    const results = await runChecks(kit, target);
    expect(results.length).toBeGreaterThanOrEqual(25);
    expect(results.filter((r) => !r.ok).map((r) => `${r.name}: ${r.reason}`)).toEqual([]);
  });

  it('fails exactly the rejection checks against a node that skips verification', async () => {
    const broken = await acceptAllNode('KH', () => kit.directory?.serial ?? 0);
    try {
      const fake = { url: broken.url, country: 'KH', jwk: broken.key.publicJwk as never };
      await kit.publish(fake, 2);
      const results = await runChecks(kit, fake);
      const failed = results.filter((r) => !r.ok).map((r) => r.name);
      expect(failed.sort()).toEqual(REJECTION_CHECKS(results.map((r) => r.name)).sort());
      expect(results.find((r) => r.name.startsWith('a tampered payload'))?.reason).toContain(
        'accepted, expected rejection with ERR_SIGNATURE_INVALID',
      );
    } finally {
      broken.close();
      expect(await kit.publishTo(target, 3)).toBe(true);
    }
  });

  it('fails exactly the bad-input checks against a node that answers 500 to bad input', async () => {
    const proxy = await crashyProxy(target.url);
    try {
      const results = await runChecks(kit, { ...target, url: proxy.url });
      const failed = results.filter((r) => !r.ok);
      expect(failed.filter((r) => !r.name.startsWith('bad input')).map((r) => `${r.name}: ${r.reason}`)).toEqual([]);
      expect(failed.length).toBe(4);
      expect(failed[0]?.reason).toContain('HTTP 500');
    } finally {
      proxy.close();
    }
  });
});
