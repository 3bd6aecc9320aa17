/**
 * PROTOCOL.md §5.3, copies to the liaison office: the kit delivers a referral, has the target
 * acknowledge it through an operator hook (the federation API has no way to make a node act: a person
 * does, through its own tools), and checks that the status reaches the kit country and, byte for byte,
 * the liaison office, signed with the target's directory key and carrying nothing but the protocol's
 * fields (no personal data). Without a hook it is skipped, with the reason.
 */
import { JWS_TYP, LIAISON_PARTY, verify } from '@firstlight/protocol';
import { type Check, skip } from '../catalogue.js';
import { KIT_KEYS } from '../keys.js';
import { deliver, manual, nowSeconds } from '../probe.js';
import { kitReferral, referralHeader } from '../referrals.js';

/** Every member a status may carry (PROTOCOL.md §2.2): anything else could be personal data. */
const STATUS_FIELDS = new Set(['v', 'id', 'from', 'to', 'iat', 'referral', 'state', 'outcome', 'reason']);

const decode = (segment: string | undefined) =>
  JSON.parse(Buffer.from(segment ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;

export const copyChecks: Check[] = [
  {
    id: 'liaison-copy',
    section: '§5.3',
    title: 'a status the target sends reaches the kit country and the liaison office as the same signed copy, with no personal data',
    run: async (ctx) => {
      const { target, directory, kit, probe, driver, waitMs } = ctx;
      if (!driver)
        return skip(
          'the federation API cannot make a node send anything: give an operator hook (--drive) that makes the target send a status on a referral',
        );
      const [a] = ctx.countries;
      const referral = kitReferral(a, target.country);
      const jws = manual(referralHeader(KIT_KEYS.a), referral, KIT_KEYS.a);
      const out = await deliver(target, JSON.stringify({ envelopes: [jws] }));
      const refused = await probe.receiptFor(jws, out.receipts?.[0], 'accepted');
      if (refused) return `the referral to act on: ${refused}`;
      await driver(referral.id);
      const about = (e: string) => {
        const header = decode(e.split('.')[0]);
        return header.typ === JWS_TYP.status && decode(e.split('.')[1]).referral === referral.id;
      };
      const deadline = Date.now() + waitMs;
      let copy: string | undefined;
      let sent: string | undefined;
      while (!(copy && sent) && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 200));
        copy = kit.copies.find(about);
        sent = kit.delivered.find((d) => d.to === a && about(d.jws))?.jws;
      }
      if (!sent) return `no status on referral ${referral.id} reached ${a} within ${waitMs / 1000} s`;
      if (!copy) return `the status reached ${a}, but no copy reached the liaison office within ${waitMs / 1000} s`;
      if (copy !== sent) return 'the liaison copy is not the same bytes as the status sent to the country';
      const r = await verify(copy, {
        type: 'status',
        keys: probe.trust,
        recipient: LIAISON_PARTY,
        recipientRole: 'liaison',
        now: nowSeconds(),
        skewSeconds: 300,
      });
      if (!r.ok) return `the copy does not verify: ${r.error.code} ${r.error.message}`;
      const targetKid = directory.members.find((m) => m.country === target.country)?.keys[0]?.kid;
      if (decode(copy.split('.')[0]).kid !== targetKid) return "the copy is not signed with the target's directory key";
      const message = r.message as { from: string; to: string };
      if (message.from !== target.country || message.to !== a) return `the status goes from ${message.from} to ${message.to}`;
      const extra = Object.keys(decode(copy.split('.')[1])).filter((k) => !STATUS_FIELDS.has(k));
      return extra.length === 0 ? null : `the copy carries fields outside the protocol: ${extra.join(', ')}`;
    },
  },
];
