/**
 * Deliberately broken nodes, to prove the kit has teeth. Test fixtures only: never part of the node.
 * - acceptAll: a node that skips verification (it accepts and receipts every envelope, properly signed).
 * - crashy: a proxy in front of a real node that answers 500 with a stack trace to malformed requests.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  generateSigningKey,
  isCountryCode,
  messageId,
  type Receipt,
  type SigningKey,
  sha256Digest,
  signMessage,
  uuidv7,
} from '@firstlight/protocol';

async function body(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

export async function acceptAllNode(country: string, serialOf: () => number): Promise<{ url: string; key: SigningKey; close(): void }> {
  const key = generateSigningKey();
  const given = new Map<string, string>();
  const server = createServer(async (req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    res.setHeader('content-type', 'application/json');
    if (path === '/trpc/federation.health')
      return res.end(JSON.stringify({ result: { data: { status: 'ok', country, role: 'national', directorySerial: serialOf() } } }));
    if (path === '/trpc/federation.directoryPublished') return res.end(JSON.stringify({ result: { data: { fetching: false } } }));
    let parsed: { envelopes?: unknown };
    try {
      parsed = JSON.parse(await body(req));
    } catch {
      res.statusCode = 400;
      return res.end(JSON.stringify({ error: { message: 'invalid JSON', code: -32700, data: { firstlightCode: 'ERR_INPUT' } } }));
    }
    if (!Array.isArray(parsed.envelopes) || parsed.envelopes.length === 0 || parsed.envelopes.length > 500) {
      res.statusCode = 400;
      return res.end(JSON.stringify({ error: { message: 'invalid input', code: -32600, data: { firstlightCode: 'ERR_INPUT' } } }));
    }
    const receipts: string[] = [];
    for (const e of parsed.envelopes) {
      const text = String(e);
      const digest = sha256Digest(text);
      const known = given.get(digest);
      if (known) {
        receipts.push(known);
        continue;
      }
      let from: string | null = null;
      let id: string | null = null;
      try {
        const payload = JSON.parse(Buffer.from(text.split('.')[1] ?? '', 'base64url').toString()) as { from?: string; id?: string };
        from = isCountryCode(payload.from) ? (payload.from as string) : null;
        id = messageId.safeParse(payload.id).success ? (payload.id as string) : null;
      } catch {
        // accepted anyway: this node checks nothing
      }
      const receipt = await signMessage(
        'receipt',
        {
          v: 1,
          id: uuidv7(),
          from: country,
          to: from === country ? null : from,
          iat: Math.floor(Date.now() / 1000),
          ref: { id, digest },
          verdict: 'accepted',
        },
        key,
      );
      given.set(digest, receipt);
      receipts.push(receipt);
    }
    if ((parsed as { answer?: unknown }).answer !== 'batch') return res.end(JSON.stringify({ result: { data: { receipts } } }));
    // Asked for a batch: the same acceptances under one signature.
    const verdicts = receipts.map((r) => JSON.parse(Buffer.from(r.split('.')[1] ?? '', 'base64url').toString()) as Receipt);
    const senders = new Set(verdicts.flatMap((v) => (v.to === null ? [] : [v.to])));
    const receiptBatch = await signMessage(
      'receiptBatch',
      {
        v: 1,
        id: uuidv7(),
        from: country,
        to: senders.size === 1 ? ([...senders][0] as string) : null,
        iat: Math.floor(Date.now() / 1000),
        receipts: verdicts.map((v) => ({ ref: v.ref, verdict: v.verdict })),
      },
      key,
    );
    res.end(JSON.stringify({ result: { data: { receiptBatch } } }));
  });
  const url = await listen(server);
  return { url, key, close: () => server.close() };
}

export async function crashyProxy(upstream: string): Promise<{ url: string; close(): void }> {
  const server = createServer(async (req, res) => {
    const text = req.method === 'POST' ? await body(req) : '';
    if (req.method === 'POST') {
      try {
        const parsed = JSON.parse(text) as { envelopes?: unknown[] };
        if (!Array.isArray(parsed.envelopes) || parsed.envelopes.length === 0 || parsed.envelopes.length > 500)
          throw new TypeError('envelopes is not iterable');
      } catch (error) {
        res.statusCode = 500;
        res.setHeader('content-type', 'text/plain');
        return res.end((error as Error).stack ?? 'Internal Server Error');
      }
    }
    const upstreamRes = await fetch(`${upstream}${req.url}`, {
      method: req.method ?? 'GET',
      headers: { 'content-type': 'application/json' },
      ...(req.method === 'POST' ? { body: text } : {}),
    });
    res.statusCode = upstreamRes.status;
    res.setHeader('content-type', 'application/json');
    res.end(await upstreamRes.text());
  });
  const url = await listen(server);
  return { url, close: () => server.close() };
}
