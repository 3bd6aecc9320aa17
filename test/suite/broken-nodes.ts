/**
 * Deliberately broken nodes, to prove the kit has teeth. Test fixtures only: never part of the node.
 * - acceptAll: a node that skips verification (it accepts and receipts every envelope, properly signed;
 *   it ignores any seal).
 * - sealFlawed: a node that verifies every envelope as the protocol says, except that it lets a delivery
 *   seal stand for an envelope's signature where it must not (one flaw each, PROTOCOL.md §2.3.2).
 * - crashy: a proxy in front of a real node that answers 500 with a stack trace to malformed requests.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  checkSeal,
  createTrustStore,
  type Directory,
  generateSigningKey,
  isCountryCode,
  messageId,
  type Receipt,
  type SigningKey,
  sha256Digest,
  signMessage,
  uuidv7,
  verifySync,
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

type Verdict = Pick<Receipt, 'to' | 'ref' | 'verdict' | 'code'>;
type DeliverBody = { envelopes: unknown[]; answer?: unknown; seal?: unknown };
interface FixtureNode {
  url: string;
  key: SigningKey;
  close(): void;
}

const nowSeconds = () => Math.floor(Date.now() / 1000);
const decodePart = (jws: unknown, part: number): Record<string, unknown> | null => {
  try {
    const value = JSON.parse(Buffer.from(String(jws).split('.')[part] ?? '', 'base64url').toString()) as unknown;
    return value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
};

/**
 * A fixture's federation API: health, directoryPublished, and deliver answered with the verdicts
 * `judge` gives (a receipt each, or one receipt batch); bytes once accepted get the same answer again.
 */
async function fixtureNode(country: string, serialOf: () => number, judge: (delivery: DeliverBody) => Verdict[]): Promise<FixtureNode> {
  const key = generateSigningKey();
  const given = new Map<string, { verdict: Verdict; receipt: string }>();
  const server = createServer(async (req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    res.setHeader('content-type', 'application/json');
    if (path === '/trpc/federation.health')
      return res.end(JSON.stringify({ result: { data: { status: 'ok', country, role: 'national', directorySerial: serialOf() } } }));
    if (path === '/trpc/federation.directoryPublished') return res.end(JSON.stringify({ result: { data: { fetching: false } } }));
    let parsed: { envelopes?: unknown; answer?: unknown; seal?: unknown };
    try {
      parsed = JSON.parse(await body(req));
    } catch {
      res.statusCode = 400;
      return res.end(JSON.stringify({ error: { message: 'invalid JSON', code: -32700, data: { firstlightCode: 'ERR_INPUT' } } }));
    }
    const { envelopes } = parsed;
    if (!Array.isArray(envelopes) || envelopes.length === 0 || envelopes.length > 500) {
      res.statusCode = 400;
      return res.end(JSON.stringify({ error: { message: 'invalid input', code: -32600, data: { firstlightCode: 'ERR_INPUT' } } }));
    }
    const judged = judge({ ...parsed, envelopes });
    const answers: Array<{ verdict: Verdict; receipt: string }> = [];
    for (const [i, e] of envelopes.entries()) {
      const digest = sha256Digest(String(e));
      let answer = given.get(digest);
      if (!answer) {
        const verdict = judged[i] as Verdict;
        const receipt = await signMessage('receipt', { v: 1, id: uuidv7(), from: country, iat: nowSeconds(), ...verdict }, key);
        answer = { verdict, receipt };
        if (verdict.verdict === 'accepted') given.set(digest, answer);
      }
      answers.push(answer);
    }
    if (parsed.answer !== 'batch') return res.end(JSON.stringify({ result: { data: { receipts: answers.map((a) => a.receipt) } } }));
    // Asked for a batch: the same verdicts under one signature.
    const senders = new Set(answers.flatMap((a) => (a.verdict.to === null ? [] : [a.verdict.to])));
    const receiptBatch = await signMessage(
      'receiptBatch',
      {
        v: 1,
        id: uuidv7(),
        from: country,
        to: senders.size === 1 ? ([...senders][0] as string) : null,
        iat: nowSeconds(),
        receipts: answers.map(({ verdict: { to: _to, ...verdict } }) => verdict),
      },
      key,
    );
    res.end(JSON.stringify({ result: { data: { receiptBatch } } }));
  });
  const url = await listen(server);
  return { url, key, close: () => server.close() };
}

export function acceptAllNode(country: string, serialOf: () => number): Promise<FixtureNode> {
  return fixtureNode(country, serialOf, ({ envelopes }) =>
    envelopes.map((e) => {
      const payload = decodePart(e, 1);
      const from = isCountryCode(payload?.from) ? (payload?.from as string) : null;
      const id = messageId.safeParse(payload?.id).success ? (payload?.id as string) : null;
      // Accepted anyway: this node checks nothing.
      return { to: from === country ? null : from, ref: { id, digest: sha256Digest(String(e)) }, verdict: 'accepted' };
    }),
  );
}

/**
 * Where a node lets a seal stand for an envelope's signature when it must not (§2.3.2): it takes the
 * seal's listing and kid without verifying the seal; it lets a verified seal stand for every envelope
 * of its key, listed or not; for an envelope whose digest it lists at any position; or for a listed
 * envelope under any key.
 */
export type SealFlaw = 'seal-unverified' | 'listing-ignored' | 'position-ignored' | 'key-ignored';

export function sealFlawedNode(country: string, directoryOf: () => Directory, flaw: SealFlaw): Promise<FixtureNode> {
  return fixtureNode(
    country,
    () => directoryOf().serial,
    ({ envelopes, seal }) => {
      const context = { keys: createTrustStore(directoryOf()), recipient: country, recipientRole: 'national' as const, now: nowSeconds() };
      const digests = envelopes.map((e) => (typeof e === 'string' ? sha256Digest(e) : null));
      let held: { kid: unknown; listed: unknown[] } | null = null;
      if (typeof seal === 'string' && flaw === 'seal-unverified') {
        const listed = decodePart(seal, 1)?.envelopes;
        held = { kid: decodePart(seal, 0)?.kid, listed: Array.isArray(listed) ? listed : [] };
      } else if (typeof seal === 'string') {
        const checked = checkSeal(seal, digests, context);
        held = checked.ok ? { kid: checked.kid, listed: checked.seal.envelopes } : null;
      }
      return envelopes.map((e, i) => {
        const kid = decodePart(e, 0)?.kid;
        const listed =
          flaw === 'listing-ignored' || (flaw === 'position-ignored' ? held?.listed.includes(digests[i]) : held?.listed[i] === digests[i]);
        const stands = held !== null && listed && typeof kid === 'string' && (flaw === 'key-ignored' || kid === held.kid);
        const r = verifySync(e, { ...context, type: 'referral', ...(stands ? { sealedBy: kid as string } : {}) });
        return r.ok
          ? { to: r.message.from, ref: { id: r.message.id, digest: r.digest }, verdict: 'accepted' }
          : { to: r.sender, ref: { id: r.id, digest: r.digest }, verdict: 'rejected', code: r.error.code };
      });
    },
  );
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
