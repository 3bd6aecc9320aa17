import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember, publishDirectory } from '../liaison/authority.js';
import { createLogger } from '../logging/logger.js';
import { type RunningNode, startNode } from '../node.js';
import { runCli, spawnCliUntil } from '../testing/run-cli.js';
import { initNode } from './init.js';

/**
 * `firstlight start` on a national node judges the liaison office's directory before it serves
 * (directory/start-check.ts): a wrong anchor is refused in the terminal at once, not a log line later.
 */
describe('firstlight start and the trust anchor', () => {
  let root: string;
  let liaison: RunningNode;
  let anchor: string;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'firstlight-start-'));
    const lo = await initNode({ data: join(root, 'lo'), role: 'liaison', host: '127.0.0.1', port: 0 });
    anchor = lo.anchor ?? '';
    liaison = await startNode({ dataDir: lo.dataDir, logger: createLogger({ level: 'silent' }) });
    await publishDirectory(liaison.ctx);
  });
  afterAll(async () => {
    await liaison?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  /**
   * A national node, enrolled (its key and TLS pin) and published before it starts, as OPERATIONS.md
   * says: under mutual TLS the liaison office lets in only members' keys, its directory included.
   */
  const national = async (name: string, options: { anchor: string; liaison: string }) => {
    const node = await initNode({ data: join(root, name), role: 'national', country: 'TH', host: '127.0.0.1', port: 0, ...options });
    await addMember(liaison.ctx.db, {
      country: 'TH',
      name: 'Thailand',
      endpoint: 'https://127.0.0.1:9',
      jwk: node.publicJwk,
      tlsPins: [node.tlsPin],
      now: Date.now(),
    });
    await publishDirectory(liaison.ctx);
    return node;
  };

  it('refuses to start, exit 1 within seconds, when the anchor does not verify the liaison office directory', async () => {
    const wrong = `${anchor.slice(0, -1)}${anchor.endsWith('A') ? 'B' : 'A'}`;
    const node = await national('wrong', { anchor: wrong, liaison: liaison.federationUrl });
    const started = Date.now();
    const result = await runCli(['start', '--data', node.dataDir], 60_000);
    expect(result.code, result.stderr).toBe(1);
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(
      /^error ERR_CONFIG: the directory served at https:\/\/127\.0\.0\.1:\d+ does not verify with this node's trust anchor/,
    );
    expect(result.stderr).toContain(`signed by ${anchor}, not by the pinned anchor ${wrong}`);
    expect(result.stderr).toContain('`firstlight init --role liaison`');
    expect(result.stderr).toContain(`set "anchor" in ${node.dataDir}/config.json`);
  }, 90_000);

  it('starts with the right anchor, and says in the terminal at once when the liaison office cannot be reached', async () => {
    const good = await national('good', { anchor, liaison: liaison.federationUrl });
    const ok = await spawnCliUntil(['start', '--data', good.dataDir, '--port', '0'], 'listening on');
    const away = await national('away', { anchor, liaison: 'https://127.0.0.1:9' });
    const warned = await spawnCliUntil(['start', '--data', away.dataDir, '--port', '0'], 'no directory yet');
    try {
      await new Promise((r) => setTimeout(r, 300));
      expect(ok.child.exitCode).toBeNull();
      expect(ok.stdout).toMatch(/^TH listening on http:\/\/127\.0\.0\.1:\d+$/m);
      expect(ok.stderr).not.toContain('warning');
      expect(warned.child.exitCode).toBeNull();
      expect(warned.stderr).toMatch(
        /^warning ERR_DIRECTORY_INVALID: no directory yet \(could not fetch the directory from https:\/\/127\.0\.0\.1:9/m,
      );
    } finally {
      ok.child.kill('SIGTERM');
      warned.child.kill('SIGTERM');
    }
  }, 90_000);
});
