/**
 * PROTOCOL.md §2, the messages: a referral's countries are real ISO codes (§2.1); a receipt is signed
 * under the target's directory key and bound to the exact bytes, id and sender, or to nobody (§2.3); a
 * receipt batch carries one verdict per envelope in order (§2.3.1); a suspect IP must be routable
 * (§2.5). Delivery seals (§2.3.2) have their own file.
 */
import type { Check, CheckContext } from '../catalogue.js';
import { KIT_KEYS } from '../keys.js';
import { deliver, manual } from '../probe.js';
import { kitReferral, referralHeader, type Signed, signedReferral } from '../referrals.js';

const signed = (ctx: CheckContext, changes: Signed = {}) => signedReferral(ctx.countries[0], ctx.target.country, changes);

export const messageChecks: Check[] = [
  {
    id: 'unknown-country',
    section: '§2.1',
    title: 'an unknown country (ERR_SCHEMA)',
    run: (ctx) => ctx.probe.single(signed(ctx, { over: { from: 'XX' } }), 'ERR_SCHEMA'),
  },
  {
    id: 'receipt-binding',
    section: '§2.3',
    title: "receipts are signed by the target's directory key and bind the exact bytes, id and sender (and ERR_JWS_MALFORMED to nobody)",
    run: async (ctx) => {
      const { target, directory, probe } = ctx;
      const message = kitReferral(ctx.countries[0], target.country);
      const jws = manual(referralHeader(KIT_KEYS.a), message, KIT_KEYS.a);
      const garbage = `${jws.slice(0, 10)}.${jws.slice(11)}`;
      const out = await deliver(target, JSON.stringify({ envelopes: [jws, garbage] }));
      if (out.status !== 200 || !out.receipts) return `HTTP ${out.status}`;
      const keyKid = directory.members.find((m) => m.country === target.country)?.keys[0]?.kid;
      const kid = (JSON.parse(Buffer.from(out.receipts[0]?.split('.')[0] ?? '', 'base64url').toString() || '{}') as { kid?: string }).kid;
      if (kid !== keyKid) return `the receipt is signed under kid ${kid}, not the target's directory key ${keyKid}`;
      return (
        (await probe.receiptFor(jws, out.receipts[0], 'accepted', { id: message.id, to: ctx.countries[0] })) ??
        (await probe.receiptFor(garbage, out.receipts[1], 'ERR_JWS_MALFORMED', { id: null, to: null }))
      );
    },
  },
  {
    id: 'signed-refusal-addressed',
    section: '§2.3',
    title:
      "a refusal of bytes a member's key signed (a victim's name in a referral: ERR_SCHEMA) is addressed to the key's owner and names the id",
    run: async (ctx) => {
      const message = { ...kitReferral(ctx.countries[0], ctx.target.country), victimName: 'CANARY-KIT-VICTIM' };
      const jws = manual(referralHeader(KIT_KEYS.a), message, KIT_KEYS.a);
      const out = await deliver(ctx.target, JSON.stringify({ envelopes: [jws] }));
      if (out.status !== 200 || !out.receipts) return `HTTP ${out.status}`;
      return ctx.probe.receiptFor(jws, out.receipts[0], 'ERR_SCHEMA', { id: message.id, to: ctx.countries[0] });
    },
  },
  {
    id: 'receipt-batch',
    section: '§2.3.1',
    title: 'asked for a batch: one receipt batch, verdicts in order, each bound to its bytes (garbage in place: ERR_JWS_MALFORMED)',
    run: async (ctx) => {
      const good1 = signed(ctx);
      const good2 = signed(ctx);
      const envelopes = [good1, 'not.a.jws', good2];
      const out = await deliver(ctx.target, JSON.stringify({ envelopes, answer: 'batch' }));
      if (out.status !== 200) return `HTTP ${out.status}: ${out.text.slice(0, 120)}`;
      const first = await ctx.probe.batchFor(envelopes, out.receiptBatch, ['accepted', 'ERR_JWS_MALFORMED', 'accepted']);
      if (first) return first;
      // The same bytes again: accepted again (a new batch may answer them).
      const again = await deliver(ctx.target, JSON.stringify({ envelopes: [good2, good1], answer: 'batch' }));
      return ctx.probe.batchFor([good2, good1], again.receiptBatch, ['accepted', 'accepted']);
    },
  },
  {
    id: 'ip-private',
    section: '§2.5',
    title: 'a private suspect IP (ERR_IP_UNROUTABLE)',
    run: (ctx) => ctx.probe.single(signed(ctx, { over: { ip: '192.168.1.20' } }), 'ERR_IP_UNROUTABLE'),
  },
  {
    id: 'ip-cgnat',
    section: '§2.5',
    title: 'a CGNAT suspect IP (ERR_IP_UNROUTABLE)',
    run: (ctx) => ctx.probe.single(signed(ctx, { over: { ip: '100.64.3.4' } }), 'ERR_IP_UNROUTABLE'),
  },
];
