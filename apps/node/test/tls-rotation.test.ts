/**
 * TLS key rotation (OPERATIONS.md §9, PROTOCOL.md §3.2): the next key made beside the served one, both
 * pins submitted to the liaison office signed with the member's current key, approved and published
 * (overlap), the next key served from the node's next start, which submits the new pin alone — the
 * exchange goes on throughout, and the old key is refused once it is no longer pinned.
 */
import { join } from 'node:path';
import { connect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { submitTlsPins } from '../src/keys/rotation.js';
import { approveTlsPins, pendingTlsPins } from '../src/liaison/tls-pins.js';
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

/** The liaison office (keyPolicy approve) approves TH's submitted pins and publishes; returns what the directory lists. */
async function approveAndPublish(): Promise<string[] | undefined> {
  await f.until(async () => (await pendingTlsPins(f.liaison.ctx)).some((p) => p.country === 'TH'));
  await approveTlsPins(f.liaison.ctx, 'TH');
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

    // Submitted signed with TH's current signing key, through the liaison office's federation listener.
    expect(await submitTlsPins(f.node('TH').ctx, [old.pin, next.pin])).toEqual({ ok: true, status: 'pending' });
    expect(await approveAndPublish()).toEqual([old.pin, next.pin]);
    await f.node('TH').stop();
    await f.restart('TH');
    expect((await knock(f.node('TH').federationUrl, next)).servedPin).toBe(next.pin);
    expect(loadTlsIdentity(dir, 'previous')?.pin).toBe(old.pin);
    await exchangeBothWays();

    // Serving the new key, TH asked (signed) for the old pin to go: once published, KH no longer lets the old key in.
    expect((await knock(f.node('KH').federationUrl, old)).answered).toBe(true);
    expect(await approveAndPublish()).toEqual([next.pin]);
    expect((await knock(f.node('KH').federationUrl, old)).answered).toBe(false);
    expect((await knock(f.node('KH').federationUrl, next)).answered).toBe(true);
    await exchangeBothWays();
  }, 120_000);
});

describe('TLS pin submissions', () => {
  it('refuses pins submitted for a member under another member key, and lists nothing', async () => {
    const kh = f.node('KH').ctx;
    const pin = loadTlsIdentity(join(f.root, 'KH'))?.pin as string;
    // KH's own signing key, claiming to speak for TH.
    const forged = await submitTlsPins({ ...kh, config: { ...kh.config, party: 'TH' } }, [pin]);
    expect(forged).toMatchObject({ ok: false, message: expect.stringMatching(/ERR_KEY_NOT_OWNER/) });
    expect(await pendingTlsPins(f.liaison.ctx)).toEqual([]);
  });
});
