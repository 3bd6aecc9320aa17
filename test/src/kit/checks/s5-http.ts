/**
 * PROTOCOL.md §5, the HTTP exchange: federation.health reports the country and the directory serial
 * held (§5.2); federation.deliver answers a valid referral with a signed receipt, one per envelope in
 * order, one bad envelope never spoiling the others, and a call that is not well-formed with a 4xx and
 * a stable firstlightCode, never a 500 or a stack trace (§5.1). Copies to the liaison office (§5.3)
 * have their own file.
 */
import type { Check } from '../catalogue.js';
import { fixtureHolds } from '../fixtures.js';
import { deliver } from '../probe.js';
import { signedReferral } from '../referrals.js';

/** A call that is not well-formed: a 4xx with a stable code, never a server error nor a stack trace. */
const badInput = (id: string, title: string, body: string): Check => ({
  id,
  section: '§5.1',
  title,
  run: async (ctx) => {
    const out = await deliver(ctx.target, body);
    if (out.status >= 500) return `HTTP ${out.status}: a client's mistake must not be a server error`;
    if (out.status < 400) return `HTTP ${out.status}: expected a 4xx refusal`;
    if (/\bat [\w.<>]+ \(|node:internal|\.ts:\d+/.test(out.text)) return 'the answer contains a stack trace';
    try {
      const code = (JSON.parse(out.text) as { error?: { data?: { firstlightCode?: string } } }).error?.data?.firstlightCode;
      return code ? null : 'no stable error code (error.data.firstlightCode)';
    } catch {
      return 'the answer is not JSON';
    }
  },
});

export const httpChecks: Check[] = [
  {
    id: 'health',
    section: '§5.2',
    title: 'health answers with the target country and the serial the kit published',
    run: async (ctx) => {
      const { target, kit } = ctx;
      const res = await fetch(`${target.url}/trpc/federation.health`, { signal: AbortSignal.timeout(10_000) });
      const body = (await res.json()) as { result?: { data?: { country?: string; directorySerial?: number } } };
      if (body.result?.data?.country !== target.country) return `health says ${JSON.stringify(body).slice(0, 120)}`;
      // The serial the kit published last (a run that made the rotation fixture has moved the target on).
      const expected = kit.directory?.serial;
      return body.result.data.directorySerial === expected
        ? null
        : `directory serial ${body.result.data.directorySerial}, expected ${expected}`;
    },
  },
  {
    id: 'referral-accepted',
    section: '§5.1',
    title: 'a valid referral is accepted with a signed receipt naming its id and sender',
    run: (ctx) => fixtureHolds(ctx.fixtures.acceptedReferral),
  },
  {
    id: 'batch-isolation',
    section: '§5.1',
    title: 'one bad envelope never spoils a batch; receipts in order',
    run: async (ctx) => {
      const [a] = ctx.countries;
      const good1 = signedReferral(a, ctx.target.country);
      const bad = `${good1.slice(0, 20)}x${good1.slice(21)}`;
      const good2 = signedReferral(a, ctx.target.country);
      const out = await deliver(ctx.target, JSON.stringify({ envelopes: [good1, bad, 42, good2] }));
      if (out.status !== 200 || !out.receipts) return `HTTP ${out.status}`;
      if (out.receipts.length !== 4) return `${out.receipts.length} receipts for 4 envelopes`;
      return (
        (await ctx.probe.receiptFor(good1, out.receipts[0], 'accepted')) ?? (await ctx.probe.receiptFor(good2, out.receipts[3], 'accepted'))
      );
    },
  },
  badInput('bad-input-not-json', 'bad input: not JSON → 4xx with a code, no stack trace', '{"envelopes": ['),
  badInput('bad-input-no-envelopes', 'bad input: no envelopes → 4xx with a code', '{}'),
  badInput('bad-input-empty-batch', 'bad input: an empty batch → 4xx with a code', '{"envelopes":[]}'),
  badInput(
    'bad-input-too-many',
    'bad input: more than 500 envelopes → 4xx with a code',
    JSON.stringify({ envelopes: Array.from({ length: 501 }, () => 'x') }),
  ),
];
