/**
 * The black-box conformance kit: checks any firstlight node over HTTP alone, whatever it is written in.
 * The kit is the target's whole world: it plays the liaison office (directory authority, with a fixed
 * trust anchor the target pins at init) and two fake countries with their own keys, serves the signed
 * directory, receives the target's liaison copies, and sends the target every kind of envelope.
 * See docs/CONFORMANCE.md.
 */
import { createHash, createHmac, sign as edSign } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  createTrustStore,
  type Directory,
  type Ed25519Jwk,
  encodeBase64url,
  importPublicJwk,
  JWS_TYP,
  LIAISON_PARTY,
  type Receipt,
  type SigningKey,
  sha256Digest,
  signDirectory,
  signingKeyFromSeed,
  signMessage,
  uuidv7,
  verify,
} from '@firstlight/protocol';

export interface KitTarget {
  url: string;
  country: string;
  jwk: Ed25519Jwk;
}

export interface CheckResult {
  name: string;
  ok: boolean;
  reason: string;
}

const seed = (label: string) => new Uint8Array(createHash('sha256').update(`firstlight-conformance-kit:${label}`).digest());

/** The kit's fixed keys: the authority's thumbprint is the anchor the target pins. */
export const KIT_KEYS = {
  authority: signingKeyFromSeed(seed('authority')),
  liaison: signingKeyFromSeed(seed('liaison')),
  a: signingKeyFromSeed(seed('country-a')),
  b: signingKeyFromSeed(seed('country-b')),
  revoked: signingKeyFromSeed(seed('country-a-revoked')),
  outsider: signingKeyFromSeed(seed('outsider')),
};
export const KIT_ANCHOR = KIT_KEYS.authority.kid;

/** Two fake countries, distinct from the target. */
function fakeCountries(target: string): [string, string] {
  const pool = ['TH', 'VN', 'KH', 'MY'].filter((c) => c !== target);
  return [pool[0] as string, pool[1] as string];
}

interface Envelope {
  jws: string;
}

function json(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > 9 * 1024 * 1024) throw new Error('too large');
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export class ConformanceKit {
  private server: Server | null = null;
  private directoryJws = '';
  directory: Directory | null = null;
  readonly copies: string[] = [];
  url = '';

  constructor(private readonly port = 0) {}

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server?.listen(this.port, '127.0.0.1', resolve));
    const { port } = this.server.address() as AddressInfo;
    this.url = `http://127.0.0.1:${port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server?.closeAllConnections();
  }

  /** Publishes a directory with the target, the two fake countries and a revoked key. */
  async publish(target: KitTarget, serial: number): Promise<void> {
    const now = Math.floor(Date.now() / 1000);
    const [a, b] = fakeCountries(target.country);
    const key = (k: SigningKey | { kid: string; publicJwk: Ed25519Jwk }) => ({
      kid: k.kid,
      jwk: k.publicJwk,
      nbf: now - 365 * 86_400,
      exp: now + 365 * 86_400,
    });
    const targetKey = importPublicJwk(target.jwk);
    this.directory = {
      v: 1,
      serial,
      issuedAt: now - 5,
      expiresAt: now + 30 * 86_400,
      authority: KIT_KEYS.authority.publicJwk,
      members: [
        {
          country: LIAISON_PARTY,
          name: 'Conformance kit (liaison office)',
          endpoint: this.url,
          role: 'liaison',
          keys: [key(KIT_KEYS.liaison)],
        },
        {
          country: a,
          name: `Kit country ${a}`,
          endpoint: `${this.url}/${a}`,
          role: 'national',
          keys: [key(KIT_KEYS.a), key(KIT_KEYS.revoked)],
        },
        { country: b, name: `Kit country ${b}`, endpoint: `${this.url}/${b}`, role: 'national', keys: [key(KIT_KEYS.b)] },
        {
          country: target.country,
          name: 'Target',
          endpoint: target.url,
          role: 'national',
          keys: [{ kid: targetKey.kid, jwk: targetKey.jwk, nbf: now - 86_400, exp: now + 365 * 86_400 }],
        },
      ],
      revoked: [{ kid: KIT_KEYS.revoked.kid, at: now - 60, reason: 'conformance kit: revoked key' }],
      operations: [
        { id: 'conformance', name: 'Conformance', start: '2015-01-01', end: '2099-12-31', participants: [a, b, target.country] },
      ],
    };
    this.directoryJws = await signDirectory(this.directory, KIT_KEYS.authority);
  }

  /** Publishes a new serial, tells the target (federation.directoryPublished), and waits until it holds it. */
  async publishTo(target: KitTarget, serial: number, waitMs = 30_000): Promise<boolean> {
    await this.publish(target, serial);
    await fetch(`${target.url}/trpc/federation.directoryPublished`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ serial }),
    }).catch(() => undefined);
    const deadline = Date.now() + waitMs;
    for (;;) {
      const health = await fetch(`${target.url}/trpc/federation.health`)
        .then((r) => r.json() as Promise<{ result?: { data?: { directorySerial?: number } } }>)
        .catch(() => null);
      if (health?.result?.data?.directorySerial === serial) return true;
      if (Date.now() > deadline) return false;
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  private async handle(req: IncomingMessage, res: ServerResponse) {
    try {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      if (path === '/trpc/federation.directory')
        return json(res, 200, { result: { data: { jws: this.directoryJws, serial: this.directory?.serial ?? 0 } } });
      if (path === '/trpc/federation.health')
        return json(res, 200, {
          result: { data: { status: 'ok', country: LIAISON_PARTY, role: 'liaison', directorySerial: this.directory?.serial ?? null } },
        });
      if (path === '/trpc/federation.deliver' && req.method === 'POST') {
        const body = JSON.parse(await readBody(req)) as { envelopes?: unknown[] };
        const envelopes = Array.isArray(body.envelopes) ? body.envelopes : [];
        const trust = this.directory ? createTrustStore(this.directory) : null;
        const receipts: string[] = [];
        for (const e of envelopes) {
          const now = Math.floor(Date.now() / 1000);
          const typ =
            typeof e === 'string'
              ? (JSON.parse(Buffer.from(e.split('.')[0] ?? '', 'base64url').toString() || '{}') as { typ?: string }).typ
              : undefined;
          const r = trust
            ? await verify(e, {
                type: typ === JWS_TYP.status ? 'status' : 'referral',
                keys: trust,
                recipient: LIAISON_PARTY,
                recipientRole: 'liaison',
                now,
              })
            : null;
          if (r?.ok && typeof e === 'string') this.copies.push(e);
          const receipt: Receipt = {
            v: 1,
            id: uuidv7(),
            from: LIAISON_PARTY,
            to: r?.ok ? (r.message as { from: string }).from : (r?.sender ?? null),
            iat: now,
            ref: {
              id: r?.ok ? (r.message as { id: string }).id : (r?.id ?? null),
              digest: sha256Digest(typeof e === 'string' ? e : String(e)),
            },
            verdict: r?.ok ? 'accepted' : 'rejected',
            ...(r?.ok ? {} : { code: r?.error.code ?? 'ERR_KEY_UNKNOWN' }),
          };
          receipts.push(await signMessage('receipt', receipt, KIT_KEYS.liaison));
        }
        return json(res, 200, { result: { data: { receipts } } });
      }
      return json(res, 404, { error: { message: 'not found', code: -32004, data: { firstlightCode: 'ERR_NOT_FOUND' } } });
    } catch {
      return json(res, 400, { error: { message: 'bad request', code: -32600, data: { firstlightCode: 'ERR_INPUT' } } });
    }
  }
}

/** Signs by hand so that the kit can produce headers a JOSE library refuses to. */
function manual(header: Record<string, unknown>, payload: unknown, key: SigningKey, payloadText?: string): string {
  const input = `${encodeBase64url(JSON.stringify(header))}.${encodeBase64url(payloadText ?? JSON.stringify(payload))}`;
  return `${input}.${encodeBase64url(edSign(null, Buffer.from(input), key.privateKey))}`;
}

interface DeliverOutcome {
  status: number;
  text: string;
  receipts: string[] | null;
}

async function deliver(target: KitTarget, body: string): Promise<DeliverOutcome> {
  const res = await fetch(`${target.url}/trpc/federation.deliver`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  let receipts: string[] | null = null;
  try {
    receipts = (JSON.parse(text) as { result?: { data?: { receipts?: string[] } } }).result?.data?.receipts ?? null;
  } catch {
    receipts = null;
  }
  return { status: res.status, text, receipts };
}

/** Runs every check against one target (already trusting the kit's directory). */
export async function runChecks(kit: ConformanceKit, target: KitTarget): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  const directory = kit.directory as Directory;
  const trust = createTrustStore(directory);
  const [a, b] = fakeCountries(target.country);
  const now = () => Math.floor(Date.now() / 1000);
  let ipCounter = 0;
  const referral = (over: Record<string, unknown> = {}) => ({
    v: 1,
    id: uuidv7(),
    from: a,
    to: target.country,
    iat: now(),
    exp: now() + 30 * 86_400,
    ip: `43.245.${120 + (ipCounter % 4)}.${(ipCounter++ % 250) + 1}`,
    seenAt: '2015-06-01T10:00:00Z',
    evidence: [`sha256:${createHash('sha256').update(`kit-${ipCounter}`).digest('hex')}`],
    action: 'locate',
    urgency: 'urgent',
    operation: 'conformance',
    ...over,
  });
  const header = (key: SigningKey, over: Record<string, unknown> = {}) => ({ alg: 'EdDSA', kid: key.kid, typ: JWS_TYP.referral, ...over });
  const signed = (over: Record<string, unknown> = {}, key = KIT_KEYS.a, h: Record<string, unknown> = {}) =>
    manual(header(key, h), referral(over), key);

  /** Checks a receipt: signed by the target, for these bytes, with this verdict and code. */
  const receiptFor = async (jws: string, receipt: string | undefined, expected: 'accepted' | string): Promise<string | null> => {
    if (!receipt) return 'no receipt';
    const r = await verify(receipt, {
      type: 'receipt',
      keys: trust,
      recipient: a,
      recipientRole: 'national',
      now: now(),
      skewSeconds: 300,
    });
    if (!r.ok) {
      // A receipt for bytes that could not be attributed is addressed to nobody; verify as the liaison view.
      const anyone = await verify(receipt, {
        type: 'receipt',
        keys: trust,
        recipient: a,
        recipientRole: 'liaison',
        now: now(),
        skewSeconds: 300,
      });
      if (!anyone.ok) return `the receipt does not verify: ${r.error.code} ${r.error.message}`;
      return checkReceipt(anyone.message as Receipt);
    }
    return checkReceipt(r.message as Receipt);
    function checkReceipt(m: Receipt): string | null {
      if (m.from !== target.country) return `the receipt is from ${m.from}, not ${target.country}`;
      if (m.ref.digest !== sha256Digest(jws)) return 'the receipt is for other bytes';
      if (expected === 'accepted') return m.verdict === 'accepted' ? null : `rejected with ${m.code}, expected acceptance`;
      if (m.verdict !== 'rejected') return `accepted, expected rejection with ${expected}`;
      return m.code === expected ? null : `rejected with ${m.code}, expected ${expected}`;
    }
  };

  const check = async (name: string, fn: () => Promise<string | null>) => {
    try {
      const problem = await fn();
      results.push({ name, ok: problem === null, reason: problem ?? 'ok' });
    } catch (error) {
      results.push({ name, ok: false, reason: error instanceof Error ? error.message : String(error) });
    }
  };
  const single = (name: string, jws: string, expected: string) =>
    check(name, async () => {
      const out = await deliver(target, JSON.stringify({ envelopes: [jws] }));
      if (out.status !== 200) return `HTTP ${out.status}: ${out.text.slice(0, 120)}`;
      return receiptFor(jws, out.receipts?.[0], expected);
    });

  await check('health answers with the target country', async () => {
    const res = await fetch(`${target.url}/trpc/federation.health`);
    const body = (await res.json()) as { result?: { data?: { country?: string; directorySerial?: number } } };
    if (body.result?.data?.country !== target.country) return `health says ${JSON.stringify(body).slice(0, 120)}`;
    return body.result.data.directorySerial === directory.serial
      ? null
      : `directory serial ${body.result.data.directorySerial}, expected ${directory.serial}`;
  });
  const valid = signed();
  await single('a valid referral is accepted with a signed receipt', valid, 'accepted');
  await check('the same bytes again get the same receipt (idempotent)', async () => {
    const first = await deliver(target, JSON.stringify({ envelopes: [valid] }));
    const second = await deliver(target, JSON.stringify({ envelopes: [valid] }));
    return first.receipts?.[0] && first.receipts[0] === second.receipts?.[0] ? null : 'a different receipt came back';
  });
  await check('the same id with other bytes is a replay (ERR_REPLAY)', async () => {
    const original = referral();
    const first = manual(header(KIT_KEYS.a), original, KIT_KEYS.a);
    await deliver(target, JSON.stringify({ envelopes: [first] }));
    const other = manual(header(KIT_KEYS.a), { ...original, action: 'arrest' }, KIT_KEYS.a);
    const out = await deliver(target, JSON.stringify({ envelopes: [other] }));
    return receiptFor(other, out.receipts?.[0], 'ERR_REPLAY');
  });
  const [vh, , vs] = valid.split('.');
  await single(
    'a tampered payload (ERR_SIGNATURE_INVALID)',
    `${vh}.${encodeBase64url(JSON.stringify(referral({ action: 'arrest' })))}.${vs}`,
    'ERR_SIGNATURE_INVALID',
  );
  await single(
    'a signature by another key under this kid (ERR_SIGNATURE_INVALID)',
    manual(header(KIT_KEYS.a), referral(), KIT_KEYS.b),
    'ERR_SIGNATURE_INVALID',
  );
  await single(
    'alg none (ERR_JWS_ALG)',
    `${encodeBase64url(JSON.stringify(header(KIT_KEYS.a, { alg: 'none' })))}.${encodeBase64url(JSON.stringify(referral()))}.`,
    'ERR_JWS_ALG',
  );
  {
    const h = encodeBase64url(JSON.stringify(header(KIT_KEYS.a, { alg: 'HS256' })));
    const p = encodeBase64url(JSON.stringify(referral()));
    const mac = createHmac('sha256', JSON.stringify(KIT_KEYS.a.publicJwk)).update(`${h}.${p}`).digest('base64url');
    await single('HS256 with the public key as secret (ERR_JWS_ALG)', `${h}.${p}.${mac}`, 'ERR_JWS_ALG');
  }
  await single(
    'a header-embedded jwk (ERR_JWS_HEADER_FORBIDDEN)',
    signed({}, KIT_KEYS.outsider, { jwk: KIT_KEYS.outsider.publicJwk }),
    'ERR_JWS_HEADER_FORBIDDEN',
  );
  await single('a key in no directory (ERR_KEY_UNKNOWN)', signed({}, KIT_KEYS.outsider), 'ERR_KEY_UNKNOWN');
  await single('a revoked key (ERR_KEY_REVOKED)', signed({}, KIT_KEYS.revoked), 'ERR_KEY_REVOKED');
  await single("another country's key (ERR_KEY_NOT_OWNER)", signed({}, KIT_KEYS.b), 'ERR_KEY_NOT_OWNER');
  await single('a referral addressed to someone else (ERR_WRONG_RECIPIENT)', signed({ to: b }), 'ERR_WRONG_RECIPIENT');
  await single('an expired referral (ERR_EXPIRED)', signed({ iat: now() - 40 * 86_400 + 600, exp: now() - 86_400 }), 'ERR_EXPIRED');
  await single('iat beyond the clock-skew allowance (ERR_IAT_FUTURE)', signed({ iat: now() + 3600 }), 'ERR_IAT_FUTURE');
  await single('a private suspect IP (ERR_IP_UNROUTABLE)', signed({ ip: '192.168.1.20' }), 'ERR_IP_UNROUTABLE');
  await single('a CGNAT suspect IP (ERR_IP_UNROUTABLE)', signed({ ip: '100.64.3.4' }), 'ERR_IP_UNROUTABLE');
  await single('a personal field in the payload (ERR_SCHEMA)', signed({ victimName: 'Somchai' }), 'ERR_SCHEMA');
  await single('an unknown country (ERR_SCHEMA)', signed({ from: 'XX' }, KIT_KEYS.a), 'ERR_SCHEMA');
  await single(
    'duplicate JSON keys (ERR_PAYLOAD_MALFORMED)',
    manual(header(KIT_KEYS.a), null, KIT_KEYS.a, JSON.stringify(referral()).replace('"from":', '"from":"ZZ","from":')),
    'ERR_PAYLOAD_MALFORMED',
  );
  {
    // The last character of a 64-byte signature carries 4 unused bits: setting one gives the same bytes as other text.
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const reencoded = `${valid.slice(0, -1)}${alphabet[alphabet.indexOf(valid.at(-1) as string) + 1]}`;
    await single('a re-encoded (non-canonical base64url) signature (ERR_JWS_MALFORMED)', reencoded, 'ERR_JWS_MALFORMED');
  }
  await single('an oversized JWS (ERR_JWS_TOO_LARGE)', `${vh}.${'A'.repeat(17_000)}.${vs}`, 'ERR_JWS_TOO_LARGE');

  await check('one bad envelope never spoils a batch; receipts in order', async () => {
    const good1 = signed();
    const bad = `${good1.slice(0, 20)}x${good1.slice(21)}`;
    const good2 = signed();
    const batch = [good1, bad, 42, good2];
    const out = await deliver(target, JSON.stringify({ envelopes: batch }));
    if (out.status !== 200 || !out.receipts) return `HTTP ${out.status}`;
    if (out.receipts.length !== 4) return `${out.receipts.length} receipts for 4 envelopes`;
    return (await receiptFor(good1, out.receipts[0], 'accepted')) ?? (await receiptFor(good2, out.receipts[3], 'accepted'));
  });

  const badInput = (name: string, body: string) =>
    check(name, async () => {
      const out = await deliver(target, body);
      if (out.status >= 500) return `HTTP ${out.status}: a client's mistake must not be a server error`;
      if (out.status < 400) return `HTTP ${out.status}: expected a 4xx refusal`;
      if (/\bat [\w.<>]+ \(|node:internal|\.ts:\d+/.test(out.text)) return 'the answer contains a stack trace';
      try {
        const code = (JSON.parse(out.text) as { error?: { data?: { firstlightCode?: string } } }).error?.data?.firstlightCode;
        return code ? null : 'no stable error code (error.data.firstlightCode)';
      } catch {
        return 'the answer is not JSON';
      }
    });
  await badInput('bad input: not JSON → 4xx with a code, no stack trace', '{"envelopes": [');
  await badInput('bad input: no envelopes → 4xx with a code', '{}');
  await badInput('bad input: an empty batch → 4xx with a code', '{"envelopes":[]}');
  await badInput(
    'bad input: more than 500 envelopes → 4xx with a code',
    JSON.stringify({ envelopes: Array.from({ length: 501 }, () => 'x') }),
  );

  return results;
}

export function printTable(results: CheckResult[]): string {
  const width = Math.max(...results.map((r) => r.name.length));
  const lines = results.map((r) => `${r.ok ? 'PASS' : 'FAIL'}  ${r.name.padEnd(width)}  ${r.ok ? '' : r.reason}`);
  const failed = results.filter((r) => !r.ok).length;
  lines.push('', `${results.length - failed} passed, ${failed} failed`);
  return lines.join('\n');
}

export type { Envelope };
