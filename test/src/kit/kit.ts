/**
 * The black-box conformance kit: checks any firstlight node over HTTP alone, whatever it is written in.
 * The kit is the target's whole world: it plays the liaison office (directory authority, with a fixed
 * trust anchor the target pins at init) and three fake countries with their own keys, serves the signed
 * directory (and later serials: rotation, revocation, stale and defective ones), receives what the
 * target sends (liaison copies, statuses to the fake countries), and sends the target every kind of
 * envelope. It must never need anything but the target's federation API (and, optionally, an operator
 * hook the person running it supplies). The checks it runs are in checks/ (run.ts runs them). See
 * docs/CONFORMANCE.md.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  createTrustStore,
  type Directory,
  importPublicJwk,
  JWS_TYP,
  LIAISON_PARTY,
  type Receipt,
  type ReceiptBatch,
  type SigningKey,
  sha256Digest,
  signDirectory,
  signMessage,
  uuidv7,
  verify,
} from '@firstlight/protocol';
import { fakeCountries, KIT_KEYS, rotationKeys } from './keys.js';
import { type KitTarget, nowSeconds } from './probe.js';

export { fakeCountries, KIT_ANCHOR, KIT_KEYS, rotationKeys } from './keys.js';
export type { KitTarget } from './probe.js';

/** A later serial may rotate country A's key: the old one (listed in `rotatedFrom`'s serial) revoked, a new one added. */
export interface DirectoryVariant {
  rotatedFrom?: number;
}

const DAY = 86_400;

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
  /** The directory the target is expected to hold (what the kit last published). */
  directory: Directory | null = null;
  /** Verified copies the target sent to the liaison office. */
  readonly copies: string[] = [];
  /** Verified messages the target sent to one of the kit's countries. */
  readonly delivered: Array<{ to: string; jws: string }> = [];
  /** How many times anyone fetched the directory (to know that the target looked at a new serial). */
  directoryFetches = 0;
  url = '';
  private targetCountry: string | null = null;

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

  /** The directory for one serial: the target, the kit's three countries, a revoked key, maybe a rotation. */
  build(target: KitTarget, serial: number, variant: DirectoryVariant = {}): Directory {
    const now = nowSeconds();
    const [a, b, c] = fakeCountries(target.country);
    const key = (k: SigningKey, nbf = now - 365 * DAY) => ({ kid: k.kid, jwk: k.publicJwk, nbf, exp: now + 365 * DAY });
    const rotation = rotationKeys(variant.rotatedFrom ?? serial);
    const targetKey = importPublicJwk(target.jwk);
    return {
      v: 1,
      serial,
      issuedAt: now - 5,
      expiresAt: now + 30 * DAY,
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
          keys: [
            key(KIT_KEYS.a),
            key(KIT_KEYS.revoked),
            key(rotation.old),
            ...(variant.rotatedFrom !== undefined ? [key(rotation.new, now - 60)] : []),
          ],
        },
        { country: b, name: `Kit country ${b}`, endpoint: `${this.url}/${b}`, role: 'national', keys: [key(KIT_KEYS.b)] },
        {
          country: c,
          name: `Kit country ${c}`,
          endpoint: `${this.url}/${c}`,
          role: 'national',
          keys: [key(KIT_KEYS.late, now - 10 * DAY)],
        },
        {
          country: target.country,
          name: 'Target',
          endpoint: target.url,
          role: 'national',
          keys: [{ kid: targetKey.kid, jwk: targetKey.jwk, nbf: now - DAY, exp: now + 365 * DAY }],
        },
      ],
      revoked: [
        { kid: KIT_KEYS.revoked.kid, at: now - 60, reason: 'conformance kit: revoked key' },
        ...(variant.rotatedFrom !== undefined ? [{ kid: rotation.old.kid, at: now - 30, reason: 'conformance kit: key rotated' }] : []),
      ],
      operations: [
        { id: 'conformance', name: 'Conformance', start: '2015-01-01', end: '2099-12-31', participants: [a, b, c, target.country] },
      ],
    };
  }

  /** Signs and serves a new serial (the target learns of it through announce or its own polling). */
  async publish(target: KitTarget, serial: number, variant: DirectoryVariant = {}): Promise<string> {
    this.directory = this.build(target, serial, variant);
    this.targetCountry = target.country;
    this.directoryJws = await signDirectory(this.directory, KIT_KEYS.authority);
    return this.directoryJws;
  }

  /** The directory bytes the kit serves now. */
  get served(): string {
    return this.directoryJws;
  }

  /** Serves these bytes as the directory from now on, without changing what the target is expected to hold. */
  serve(jws: string): string {
    const before = this.directoryJws;
    this.directoryJws = jws;
    return before;
  }

  /** Tells the target a new serial exists (federation.directoryPublished). */
  async announce(target: KitTarget, serial: number): Promise<void> {
    await fetch(`${target.url}/trpc/federation.directoryPublished`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ serial }),
      signal: AbortSignal.timeout(10_000),
    }).catch(() => undefined);
  }

  /** The serial the target's federation.health reports (null when it answers none). */
  async heldSerial(target: KitTarget): Promise<number | null> {
    const health = await fetch(`${target.url}/trpc/federation.health`, { signal: AbortSignal.timeout(10_000) })
      .then((r) => r.json() as Promise<{ result?: { data?: { directorySerial?: number } } }>)
      .catch(() => null);
    return health?.result?.data?.directorySerial ?? null;
  }

  /** Publishes a new serial, tells the target, and waits until it holds it. */
  async publishTo(target: KitTarget, serial: number, waitMs = 30_000, variant: DirectoryVariant = {}): Promise<boolean> {
    await this.publish(target, serial, variant);
    await this.announce(target, serial);
    const deadline = Date.now() + waitMs;
    for (;;) {
      if ((await this.heldSerial(target)) === serial) return true;
      if (Date.now() > deadline) return false;
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  private countryKey(country: string): SigningKey | null {
    if (!this.targetCountry) return null;
    const [a, b, c] = fakeCountries(this.targetCountry);
    return country === a ? KIT_KEYS.a : country === b ? KIT_KEYS.b : country === c ? KIT_KEYS.late : null;
  }

  private async handle(req: IncomingMessage, res: ServerResponse) {
    try {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      if (path === '/trpc/federation.directory') {
        this.directoryFetches++;
        return json(res, 200, { result: { data: { jws: this.directoryJws, serial: this.directory?.serial ?? 0 } } });
      }
      if (path === '/trpc/federation.health')
        return json(res, 200, {
          result: { data: { status: 'ok', country: LIAISON_PARTY, role: 'liaison', directorySerial: this.directory?.serial ?? null } },
        });
      const deliverTo = /^(?:\/([A-Z]{2}))?\/trpc\/federation\.deliver$/.exec(path);
      const party = deliverTo ? (deliverTo[1] ?? LIAISON_PARTY) : null;
      const key = party === LIAISON_PARTY ? KIT_KEYS.liaison : party ? this.countryKey(party) : null;
      if (party && key && req.method === 'POST') {
        // A `seal` member (PROTOCOL.md §2.3.2) is taken and ignored, as a recipient MAY: the kit verifies
        // every envelope the target sends on its own signature, the strictest reading of what it sends.
        const body = JSON.parse(await readBody(req)) as { envelopes?: unknown[]; answer?: unknown; seal?: unknown };
        const envelopes = Array.isArray(body.envelopes) ? body.envelopes : [];
        const verdicts = await this.receive(envelopes, party);
        if (body.answer === 'batch') {
          // One receipt batch (PROTOCOL.md §2.3.1): addressed to the one sender, or to nobody.
          const senders = new Set(verdicts.flatMap((v) => (v.to === null ? [] : [v.to])));
          const batch: ReceiptBatch = {
            v: 1,
            id: uuidv7(),
            from: party,
            to: senders.size === 1 ? ([...senders][0] as string) : null,
            iat: nowSeconds(),
            receipts: verdicts.map(({ to: _to, ...verdict }) => verdict),
          };
          return json(res, 200, { result: { data: { receiptBatch: await signMessage('receiptBatch', batch, key) } } });
        }
        const receipts = await Promise.all(
          verdicts.map((v) => signMessage('receipt', { v: 1, id: uuidv7(), from: party, iat: nowSeconds(), ...v }, key)),
        );
        return json(res, 200, { result: { data: { receipts } } });
      }
      return json(res, 404, { error: { message: 'not found', code: -32004, data: { firstlightCode: 'ERR_NOT_FOUND' } } });
    } catch {
      return json(res, 400, { error: { message: 'bad request', code: -32600, data: { firstlightCode: 'ERR_INPUT' } } });
    }
  }

  /** Verifies what the target sends (as the liaison office or as a kit country): each envelope's verdict, to sign. */
  private async receive(envelopes: unknown[], party: string): Promise<Array<Pick<Receipt, 'to' | 'ref' | 'verdict' | 'code'>>> {
    const trust = this.directory ? createTrustStore(this.directory) : null;
    const verdicts: Array<Pick<Receipt, 'to' | 'ref' | 'verdict' | 'code'>> = [];
    for (const e of envelopes) {
      let typ: string | undefined;
      try {
        typ =
          typeof e === 'string'
            ? (JSON.parse(Buffer.from(e.split('.')[0] ?? '', 'base64url').toString()) as { typ?: string }).typ
            : undefined;
      } catch {
        typ = undefined;
      }
      const r = trust
        ? await verify(e, {
            type: typ === JWS_TYP.status ? 'status' : 'referral',
            keys: trust,
            recipient: party,
            recipientRole: party === LIAISON_PARTY ? 'liaison' : 'national',
            now: nowSeconds(),
          })
        : null;
      if (r?.ok && typeof e === 'string') {
        if (party === LIAISON_PARTY) {
          if (!this.copies.includes(e)) this.copies.push(e);
        } else if (!this.delivered.some((d) => d.jws === e)) this.delivered.push({ to: party, jws: e });
      }
      verdicts.push({
        to: r?.ok ? (r.message as { from: string }).from : (r?.sender ?? null),
        ref: {
          id: r?.ok ? (r.message as { id: string }).id : (r?.id ?? null),
          digest: sha256Digest(typeof e === 'string' ? e : String(e)),
        },
        verdict: r?.ok ? 'accepted' : 'rejected',
        ...(r?.ok ? {} : { code: r?.error.code ?? 'ERR_KEY_UNKNOWN' }),
      });
    }
    return verdicts;
  }
}
