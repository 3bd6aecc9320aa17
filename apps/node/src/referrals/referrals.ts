/**
 * Referrals out: from a complaint to a signed referral addressed to the country that holds the IP.
 * The referral carries only the protocol's fields; nothing of the complaint but evidence digests.
 * The signed message and its outbox rows (recipient and liaison office) commit in one transaction.
 */
import {
  ACTIONS,
  evidenceDigest,
  MAX_REFERRAL_LIFETIME_SECONDS,
  type Referral,
  signMessage,
  URGENCIES,
  uuidv7,
} from '@firstlight/protocol';
import type { Transaction } from 'kysely';
import { z } from 'zod';
import { bulkOf, type ItemResult, itemResults, once, passed, prepareEach, requestIdField, single } from '../bulk.js';
import { seconds } from '../clock.js';
import type { NodeContext } from '../context.js';
import { forChunks, insertRows } from '../db/chunks.js';
import { fixedList } from '../db/fixed.js';
import type { Database } from '../db/schema.js';
import { NodeError } from '../errors.js';
import { publishedSigningKey } from '../keys/published-key.js';
import { queueSent } from '../outbox/outbox.js';
import type { IpIndex } from '../routing/ip-index.js';
import { routeIp } from '../routing/route.js';

export const referralInput = z
  .strictObject({
    complaintId: z.uuid(),
    ip: z.string().min(2).max(60),
    port: z.int().min(1).max(65_535).optional(),
    seenAt: z.iso.datetime({ offset: false }),
    evidence: z.array(evidenceDigest).min(1).max(16),
    action: z.enum(ACTIONS),
    urgency: z.enum(URGENCIES),
    operation: z.string().min(1).max(64),
    /** An officer may send elsewhere than routing says, with a reason (e.g. a VPN exit known to be elsewhere). */
    overrideCountry: z.string().length(2).optional(),
    overrideReason: z.string().trim().min(5).max(500).optional(),
    lifetimeDays: z.int().min(1).max(90).default(30),
  })
  .refine((r) => (r.overrideCountry === undefined) === (r.overrideReason === undefined), {
    error: 'an override country needs a reason, and a reason needs an override country',
    path: ['overrideReason'],
  });

export type ReferralInput = z.input<typeof referralInput>;

export function previewRoute(ctx: NodeContext, index: IpIndex, ip: string) {
  return routeIp(index, ip, ctx.config.party);
}

export async function createReferral(
  ctx: NodeContext,
  index: IpIndex,
  raw: ReferralInput,
  by: string,
): Promise<{ id: string; to: string; jws: string }> {
  const { message, jws } = single(await fileReferrals(ctx, index, [referralInput.parse(raw)], by, ctx.clock.now()));
  return { id: message.id, to: message.to, jws };
}

export const referralsInput = z.strictObject({ requestId: requestIdField, referrals: bulkOf(referralInput) });

/**
 * Up to 500 referrals at once (a bureau referring a batch of cases): each answered in order with its
 * id and recipient or its refusal; the accepted ones are signed and queued in one transaction.
 * `input` as referralsInput parsed it (the API's input schema; 500 items are not checked twice).
 */
export async function createReferrals(
  ctx: NodeContext,
  index: IpIndex,
  input: z.output<typeof referralsInput>,
  by: string,
): Promise<ItemResult<{ id: string; to: string }>[]> {
  const { requestId, referrals } = input;
  const now = ctx.clock.now();
  return once(ctx.db, { procedure: 'referrals.createMany', requestId, input: referrals, now }, async (remember) => {
    const answer = (prepared: Filed) => itemResults(prepared, (p) => ({ id: p.message.id, to: p.message.to }));
    return answer(await fileReferrals(ctx, index, referrals, by, now, (trx, prepared) => remember(trx, answer(prepared))));
  });
}

interface FiledReferral {
  message: Referral;
  input: z.output<typeof referralInput>;
  routed: string | null;
  jws: string;
}

type Filed = Array<FiledReferral | NodeError>;

/** Every filing call reads these: fixed statements. */
const COMPLAINTS = fixedList<{ id: string }>('select id from complaints where id in (??)');
const EVIDENCE = fixedList<{ complaint_id: string; digest: string }>(
  'select complaint_id, digest from evidence where complaint_id in (??)',
);

/** Signs and queues the referrals that pass; `inTransaction` joins the write (a bulk call's stored answer). */
async function fileReferrals(
  ctx: NodeContext,
  index: IpIndex,
  inputs: z.output<typeof referralInput>[],
  by: string,
  now: number,
  inTransaction?: (trx: Transaction<Database>, prepared: Filed) => Promise<void>,
): Promise<Filed> {
  const held = ctx.directory.current();
  if (!held)
    throw new NodeError('ERR_NO_DIRECTORY', 'this node holds no directory yet: check the liaison URL and run `firstlight start` again');
  // The complaints and their evidence files, read once for the whole call.
  const complaintIds = [...new Set(inputs.map((i) => i.complaintId))];
  const complaints = new Set<string>();
  const evidence = new Set<string>();
  await forChunks(complaintIds, 500, async (ids) => {
    for (const c of await COMPLAINTS.rows(ctx.db, ids, [])) complaints.add(c.id);
    for (const e of await EVIDENCE.rows(ctx.db, ids, [])) evidence.add(`${e.complaint_id} ${e.digest}`);
  });
  const iat = seconds(now);
  const key = publishedSigningKey(ctx, iat);
  const prepared = await prepareEach(inputs, async (input): Promise<FiledReferral> => {
    const route = routeIp(index, input.ip, ctx.config.party);
    let to: string;
    let ip: string;
    if (input.overrideCountry) {
      if (!route.ok && (route.code === 'ERR_IP_UNROUTABLE' || route.code === 'ERR_IP_INVALID'))
        throw new NodeError(route.code, route.message);
      // Routing refused the country, not the address: it still gives the canonical text to sign.
      ip = route.ok || 'ip' in route ? route.ip : input.ip;
      to = input.overrideCountry;
    } else {
      if (!route.ok) throw new NodeError(route.code, route.message);
      ip = route.ip;
      to = route.country;
    }
    if (to === ctx.config.party) throw new NodeError('ERR_IP_DOMESTIC', `${ip} is in your own country: this is a domestic case`);
    if (!held.directory.members.some((m) => m.country === to && m.role === 'national'))
      throw new NodeError(
        'ERR_NOT_A_MEMBER',
        `${to} is not a member of the federation (directory serial ${held.directory.serial}): contact it through the liaison office`,
        { to },
      );
    if (!held.directory.operations.some((o) => o.id === input.operation))
      throw new NodeError(
        'ERR_INPUT',
        `operation "${input.operation}" is not in the directory; known: ${held.directory.operations.map((o) => o.id).join(', ') || 'none'}`,
      );
    if (!complaints.has(input.complaintId)) throw new NodeError('ERR_NOT_FOUND', `no complaint ${input.complaintId}`);
    if (!input.evidence.every((digest) => evidence.has(`${input.complaintId} ${digest}`)))
      throw new NodeError('ERR_INPUT', 'every evidence digest must be of a file added to this complaint');
    const message: Referral = {
      v: 1,
      id: uuidv7(now),
      from: ctx.config.party,
      to,
      iat,
      exp: iat + Math.min(input.lifetimeDays * 86400, MAX_REFERRAL_LIFETIME_SECONDS),
      ip,
      ...(input.port !== undefined ? { port: input.port } : {}),
      seenAt: input.seenAt,
      evidence: [...new Set(input.evidence)],
      action: input.action,
      urgency: input.urgency,
      operation: input.operation,
    };
    return { message, input, routed: route.ok ? route.country : null, jws: await signMessage('referral', message, key) };
  });
  const accepted = passed(prepared);
  if (accepted.length === 0) return prepared;
  await ctx.db.transaction().execute(async (trx) => {
    await insertRows(
      trx,
      'referrals_out',
      accepted.map(({ message, input, routed, jws }) => ({
        id: message.id,
        complaint_id: input.complaintId,
        to_country: message.to,
        routed_country: routed,
        override_reason: input.overrideReason ?? null,
        ip: message.ip,
        port: message.port ?? null,
        seen_at: message.seenAt,
        action: message.action,
        urgency: message.urgency,
        operation: message.operation,
        evidence: JSON.stringify(message.evidence),
        iat: message.iat,
        exp: message.exp,
        jws,
        created_at: now,
        created_by: by,
        state: null,
        outcome: null,
        reason: null,
        updated_at: now,
      })),
      100,
    );
    await queueSent(trx, 'referral', accepted, now);
    await inTransaction?.(trx, prepared);
  });
  ctx.wakeOutbox();
  return prepared;
}
