import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../src/clock.js';
import { DirectoryClient } from '../src/directory/directory-client.js';
import { createLogger } from '../src/logging/logger.js';
import { startNode } from '../src/node.js';
import { createTestFederation, type TestFederation, testIndex } from '../src/testing/federation.js';

/** A liaison office that answers federation.directory with whatever JWS the test gives it (real HTTP). */
async function fakeLiaison(jws: () => string): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    res.writeHead(req.url?.startsWith('/trpc/federation.directory') ? 200 : 404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ result: { data: { jws: jws(), serial: 0 } } }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

function collectingLogger() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { logger: createLogger({ level: 'info', destination }), lines };
}

describe('the directory client keeps the last good directory on disk and never goes back to an older serial', () => {
  let f: TestFederation;
  let older: { jws: string; serial: number };
  let newer: { jws: string; serial: number };
  const scratch: string[] = [];
  const servers: Server[] = [];
  beforeAll(async () => {
    f = await createTestFederation({ countries: ['TH', 'KH'] });
    const held = f.node('TH').ctx.directory.current();
    if (!held) throw new Error('TH holds no directory');
    older = { jws: held.jws, serial: held.directory.serial };
    const serial = await f.publish();
    const now = f.node('TH').ctx.directory.current();
    if (!now) throw new Error('TH holds no directory');
    newer = { jws: now.jws, serial };
  });
  afterAll(async () => {
    for (const server of servers) server.close();
    for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
    await f.close();
  });

  const thFile = () => join(f.node('TH').ctx.dataDir, 'directory.jws');
  /** A copy of TH's data directory (its directory.jws), for a client that shares nothing with the running node. */
  const copyOfTh = () => {
    const dir = mkdtempSync(join(tmpdir(), 'firstlight-dir-'));
    scratch.push(dir);
    cpSync(thFile(), join(dir, 'directory.jws'));
    return dir;
  };
  const client = (dataDir: string, liaisonUrl: string | null, logger = createLogger({ level: 'silent' })) =>
    new DirectoryClient({
      dataDir,
      anchor: f.anchor,
      liaisonUrl,
      clock: systemClock,
      graceSeconds: 7 * 86_400,
      skewSeconds: 300,
      logger,
    });

  it('writes each newer directory it accepts to <data>/directory.jws', () => {
    expect(newer.serial).toBeGreaterThan(older.serial);
    expect(readFileSync(thFile(), 'utf8').trim()).toBe(newer.jws);
    expect(f.node('TH').ctx.directory.serial).toBe(newer.serial);
  });

  it('refuses an older serial with ERR_DIRECTORY_STALE and keeps the newer one, in memory and on disk', async () => {
    const node = f.node('TH');
    const result = await node.ctx.directory.accept(older.jws);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.code).toBe('ERR_DIRECTORY_STALE');
    expect(node.ctx.directory.serial).toBe(newer.serial);
    expect(node.ctx.directory.current()?.jws).toBe(newer.jws);
    expect(readFileSync(thFile(), 'utf8').trim()).toBe(newer.jws);
    // The same serial again is fine and changes nothing.
    expect((await node.ctx.directory.accept(newer.jws)).ok).toBe(true);
    expect(node.ctx.directory.serial).toBe(newer.serial);
  });

  it('refuses an older serial served by the liaison office over HTTP (e.g. restored from an old backup)', async () => {
    const dir = copyOfTh();
    const liaison = await fakeLiaison(() => older.jws);
    servers.push(liaison.server);
    const c = client(dir, liaison.url);
    await c.load();
    expect(c.serial).toBe(newer.serial);
    const result = await c.refresh();
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.code).toBe('ERR_DIRECTORY_STALE');
    expect(c.serial).toBe(newer.serial);
    expect(readFileSync(join(dir, 'directory.jws'), 'utf8').trim()).toBe(newer.jws);
  });

  it('refuses a forged higher serial (signature broken) and keeps the file as it was', async () => {
    const dir = copyOfTh();
    const [h, p, s] = newer.jws.split('.');
    const payload = JSON.parse(Buffer.from(p ?? '', 'base64url').toString()) as { serial: number };
    const forged = `${h}.${Buffer.from(JSON.stringify({ ...payload, serial: payload.serial + 100 })).toString('base64url')}.${s}`;
    const liaison = await fakeLiaison(() => forged);
    servers.push(liaison.server);
    const c = client(dir, liaison.url);
    await c.load();
    const result = await c.refresh();
    expect(result.ok).toBe(false);
    expect(c.serial).toBe(newer.serial);
    expect(readFileSync(join(dir, 'directory.jws'), 'utf8').trim()).toBe(newer.jws);
  });

  it('loads the last good directory from disk after a restart, without reaching the liaison office', async () => {
    const dir = copyOfTh();
    const c = client(dir, null);
    expect(c.serial).toBeNull();
    await c.load();
    expect(c.serial).toBe(newer.serial);
    expect(c.member('KH')?.endpoint).toBe(f.node('KH').url);

    // The real node: stopped, then started with the liaison office unreachable, it still knows the federation.
    const th = f.node('TH');
    await th.stop();
    const restarted = await startNode({
      dataDir: th.ctx.dataDir,
      logger: createLogger({ level: 'silent' }),
      routing: testIndex(),
      override: { listen: { host: '127.0.0.1', port: 0 }, liaisonUrl: 'http://127.0.0.1:9', directoryRefreshSeconds: 3600 },
    });
    f.nodes.TH = restarted;
    expect(restarted.ctx.directory.serial).toBe(newer.serial);
    expect(restarted.ctx.directory.current()?.jws).toBe(newer.jws);
  });

  it('reports a damaged file on disk without crashing, and replaces it with the next good directory', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'firstlight-dir-'));
    scratch.push(dir);
    writeFileSync(join(dir, 'directory.jws'), 'this.is-not.a-directory\n');
    const { logger, lines } = collectingLogger();
    const liaison = await fakeLiaison(() => newer.jws);
    servers.push(liaison.server);
    const c = client(dir, liaison.url, logger);
    await c.load();
    expect(c.current()).toBeNull();
    expect(lines.some((l) => l.includes('directory on disk refused'))).toBe(true);
    expect((await c.refresh()).ok).toBe(true);
    expect(c.serial).toBe(newer.serial);
    expect(readFileSync(join(dir, 'directory.jws'), 'utf8').trim()).toBe(newer.jws);
    expect(existsSync(join(dir, 'directory.jws.tmp'))).toBe(false);
  });

  it('is answered `unchanged` in a few bytes when it names the newest serial, and the directory otherwise', async () => {
    const ask = async (input?: unknown) => {
      const query = input === undefined ? '' : `?input=${encodeURIComponent(JSON.stringify(input))}`;
      const response = await fetch(`${f.liaison.url}/trpc/federation.directory${query}`);
      return { status: response.status, body: (await response.json()) as { result?: { data: Record<string, unknown> }; error?: unknown } };
    };
    expect((await ask({ held: newer.serial })).body.result?.data).toEqual({ unchanged: true, serial: newer.serial });
    expect((await ask({ held: older.serial })).body.result?.data).toEqual({ jws: newer.jws, serial: newer.serial });
    expect((await ask()).body.result?.data).toEqual({ jws: newer.jws, serial: newer.serial });
    const bad = await ask({ held: 'seven' });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('ERR_INPUT');
    expect((await ask({ held: 1, more: true })).status).toBe(400);

    // The client names what it holds, fetches and verifies a newer serial, then takes `unchanged`
    // without verifying anything again.
    const dir = mkdtempSync(join(tmpdir(), 'firstlight-dir-'));
    scratch.push(dir);
    writeFileSync(join(dir, 'directory.jws'), `${older.jws}\n`);
    const { logger, lines } = collectingLogger();
    const c = client(dir, f.liaison.url, logger);
    await c.load();
    expect(c.serial).toBe(older.serial);
    const accepted = () => lines.filter((l) => l.includes('directory accepted')).length;
    const loaded = accepted();
    expect(await c.refresh()).toMatchObject({ ok: true, directory: { serial: newer.serial } });
    expect(accepted()).toBe(loaded + 1);
    expect(await c.refresh()).toMatchObject({ ok: true, stale: false, directory: { serial: newer.serial } });
    expect(accepted()).toBe(loaded + 1);
    expect(c.serial).toBe(newer.serial);
  });

  it('takes the very bytes it holds from an office that ignores `held`, without accepting them again', async () => {
    const dir = copyOfTh();
    const asked: string[] = [];
    const server = createServer((req, res) => {
      asked.push(req.url ?? '');
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ result: { data: { jws: newer.jws, serial: newer.serial } } }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push(server);
    const { logger, lines } = collectingLogger();
    const c = client(dir, `http://127.0.0.1:${(server.address() as AddressInfo).port}`, logger);
    await c.load();
    const before = lines.length;
    expect(await c.refresh()).toMatchObject({ ok: true, directory: { serial: newer.serial } });
    expect(lines.slice(before).some((l) => l.includes('directory accepted'))).toBe(false);
    expect(decodeURIComponent(asked[0] ?? '')).toBe(`/trpc/federation.directory?input={"held":${newer.serial}}`);
  });
});
