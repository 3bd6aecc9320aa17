/**
 * TLS key rotation (OPERATIONS.md §9): the next key made beside the served one, listed by the liaison
 * office beside the old (overlap), served from the node's next start, then the old pin removed — the
 * exchange goes on throughout, and the old key is refused once it is no longer pinned.
 */
import { join } from 'node:path';
import { connect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember } from '../src/liaison/authority.js';
import { createTestFederation, type TestFederation } from '../src/testing/federation.js';
import { refer } from '../src/testing/fixtures.js';
import { ensureNextTlsIdentity, loadTlsIdentity, type TlsIdentity } from '../src/tls/certificate.js';
import { certificatePin } from '../src/tls/pins.js';

let f: TestFederation;
beforeAll(async () => {
  f = await createTestFederation({ countries: ['TH', 'KH'], tls: true });
}, 120_000);
afterAll(() => f?.close());

/** The pin of the key a node's federation listener presents, and whether it let `client` in (an HTTP answer). */
function knock(url: string, client: TlsIdentity): Promise<{ servedPin: string | null; answered: boolean }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    let servedPin: string | null = null;
    let answer = '';
    const socket = connect({ host: hostname, port: Number(port), key: client.keyPem, cert: client.certPem, rejectUnauthorized: false });
    socket.on('secureConnect', () => {
      servedPin = certificatePin(socket.getPeerCertificate(false).raw);
      socket.write('GET /trpc/federation.health HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n');
    });
    socket.on('data', (d) => {
      answer += d.toString();
    });
    socket.on('error', () => undefined);
    socket.on('close', () => resolve({ servedPin, answered: answer.startsWith('HTTP/1.1 200') }));
  });
}

async function exchangeBothWays(): Promise<void> {
  const th = await f.token(f.node('TH'), 'officer');
  const kh = await f.token(f.node('KH'), 'officer');
  const a = await refer(f, f.node('TH'), th, 'KH');
  const b = await refer(f, f.node('KH'), kh, 'TH');
  await f.until(async () => (await f.client(f.node('KH'), kh).bureau.inbox.list.query()).some((r) => r.id === a.id));
  await f.until(async () => (await f.client(f.node('TH'), th).bureau.inbox.list.query()).some((r) => r.id === b.id));
}

/** The liaison office lists these pins for TH (member add --tls-pin) and publishes; returns what the directory lists. */
async function pinTH(pins: string[]): Promise<string[] | undefined> {
  const jwk = f.liaison.ctx.directory.member('TH')?.keys[0]?.jwk;
  await addMember(f.liaison.ctx.db, {
    country: 'TH',
    name: 'TH',
    endpoint: f.node('TH').federationUrl,
    jwk,
    tlsPins: pins,
    now: Date.now(),
  });
  await f.publish();
  return f.liaison.ctx.directory.member('TH')?.tlsPins;
}

describe('TLS key rotation', () => {
  it('overlaps the old and the next pin, serves the next key from the next start, then drops the old one', async () => {
    const dir = join(f.root, 'TH');
    const old = loadTlsIdentity(dir) as TlsIdentity;
    const next = ensureNextTlsIdentity(dir, 'firstlight TH');
    expect(next.pin).not.toBe(old.pin);
    expect(ensureNextTlsIdentity(dir, 'firstlight TH').pin).toBe(next.pin);
    // Made but not pinned: a restart keeps serving the old key.
    await f.node('TH').stop();
    await f.restart('TH');
    expect((await knock(f.node('TH').federationUrl, old)).servedPin).toBe(old.pin);

    expect(await pinTH([old.pin, next.pin])).toEqual([old.pin, next.pin]);
    await f.node('TH').stop();
    await f.restart('TH');
    expect((await knock(f.node('TH').federationUrl, next)).servedPin).toBe(next.pin);
    expect(loadTlsIdentity(dir, 'previous')?.pin).toBe(old.pin);
    await exchangeBothWays();

    // The old pin goes: once published, KH no longer lets the old key in.
    expect((await knock(f.node('KH').federationUrl, old)).answered).toBe(true);
    expect(await pinTH([next.pin])).toEqual([next.pin]);
    expect((await knock(f.node('KH').federationUrl, old)).answered).toBe(false);
    expect((await knock(f.node('KH').federationUrl, next)).answered).toBe(true);
    await exchangeBothWays();
  }, 120_000);
});
