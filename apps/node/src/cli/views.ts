/**
 * The CLI's read commands: what a bureau sent and what came back (referrals, referral show), its
 * undeliverable messages (outbox problems, outbox retry), and the liaison office's views (overview,
 * clusters, health). Each calls the same domain function as its tRPC procedure, so the CLI and the
 * console can never disagree; it must never query on its own what the domain already answers.
 */
import { partyCode, STATUS_STATES, slug } from '@firstlight/protocol';
import { type Command, Option } from 'commander';
import { z } from 'zod';
import { NodeError } from '../errors.js';
import { clusters } from '../liaison/clusters.js';
import { createMemberProbes } from '../liaison/member-probes.js';
import { health, overview } from '../liaison/queries.js';
import { listProblems, retryNow } from '../outbox/outbox.js';
import { getReferralOut, listReferralsOut } from '../referrals/queries.js';
import { common, parseFlags } from './flags.js';
import { jsonTimes, MESSAGE_TIMES } from './json-times.js';
import { dataOption, requireNodeRole, withNode } from './node-session.js';
import { printResult, printTable } from './output.js';
import { anyText, countsText, deliveries, deliveryText, outcomeText, receiptText, timeMs, timeS } from './view-format.js';

const count = (max: number, fallback: number) =>
  z.coerce
    .number({ error: `must be a whole number from 1 to ${max}` })
    .int({ error: `must be a whole number from 1 to ${max}` })
    .min(1, { error: `must be a whole number from 1 to ${max}` })
    .max(max, { error: `must be a whole number from 1 to ${max}` })
    .default(fallback);
const REFERRAL_STATES = ['sent', ...STATUS_STATES] as const;

const referralsFlags = z.strictObject({
  ...common,
  state: z.enum(REFERRAL_STATES, { error: `must be one of ${REFERRAL_STATES.join(', ')} (sent: no status back yet)` }).optional(),
  limit: count(1000, 200),
});
const referralFlags = z.strictObject({ ...common, id: z.uuid({ error: 'must be a referral id (a UUID, from `firstlight referrals`)' }) });
const problemsFlags = z.strictObject({ ...common, limit: count(500, 100) });
const outboxId = 'must be an outbox message id (a whole number, from `firstlight outbox problems`)';
const retryFlags = z
  .strictObject({
    ...common,
    id: z.coerce.number({ error: outboxId }).int({ error: outboxId }).min(1, { error: outboxId }).optional(),
    peer: partyCode.optional(),
  })
  .refine((o) => (o.id === undefined) !== (o.peer === undefined), {
    error: 'give either --id (one message) or --peer (every message waiting for that peer)',
  });
const operationFlag = slug.optional();
const overviewFlags = z.strictObject({ ...common, operation: operationFlag });
const clustersFlags = z.strictObject({ ...common, operation: operationFlag, limit: count(1000, 100) });
const healthFlags = z.strictObject(common);
/** liaison/queries.ts health(): its own times, and the directory standing's, all NumericDate seconds. */
const HEALTH_TIMES = {
  publishedAt: 's',
  lastContact: 's',
  probedAt: 's',
  nbf: 's',
  exp: 's',
  issuedAt: 's',
  expiresAt: 's',
  graceEndsAt: 's',
} as const;

/**
 * Dead-lettered and rejected messages, newest first: the rows bureau.outbox.problems lists. The router
 * holds that query inline, so the CLI cannot call it; it belongs in outbox/outbox.ts for both to share.
 */

function registerBureauViews(program: Command): void {
  program
    .command('referrals')
    .description('referrals this bureau sent: recipient, latest signed status, delivery and outcome (national bureau)')
    .addOption(dataOption())
    .option('--state <state>', `only referrals in this state: ${REFERRAL_STATES.join(' | ')} (sent: no status back yet)`)
    .addOption(new Option('--limit <n>', 'how many of the latest referrals to look at (1–1000)').default(200))
    .option('--json', 'machine-readable output')
    .action(async (options: unknown) => {
      const o = parseFlags(referralsFlags, options);
      const all = await withNode(o.data, (n) => {
        requireNodeRole(n, 'national', 'referrals', o.data);
        return listReferralsOut(n.ctx.db, { limit: o.limit });
      });
      const rows = o.state === undefined ? all : all.filter((r) => (r.state ?? 'sent') === o.state);
      printResult(jsonTimes(rows, MESSAGE_TIMES), o.json, () =>
        printTable(
          rows.map((r) => {
            const copies = deliveries(r.delivery, r.to);
            return {
              id: r.id,
              to: r.to,
              ip: r.ip,
              action: r.action,
              state: r.state ?? 'sent',
              delivery: deliveryText(copies.recipient),
              'liaison copy': deliveryText(copies.liaison),
              outcome: outcomeText(r.outcome),
              sent: timeMs(r.createdAt),
            };
          }),
          ['id', 'to', 'ip', 'action', 'state', 'delivery', 'liaison copy', 'outcome', 'sent'],
        ),
      );
    });

  program
    .command('referral')
    .description('one referral this bureau sent (national bureau)')
    .command('show')
    .description('a sent referral with the statuses signed back, its receipts and its delivery attempts')
    .addOption(dataOption())
    .requiredOption('--id <id>', 'the referral id (from `firstlight referrals`)')
    .option('--json', 'machine-readable output')
    .action(async (options: unknown) => {
      const o = parseFlags(referralFlags, options);
      const r = await withNode(o.data, (n) => {
        requireNodeRole(n, 'national', 'referral show', o.data);
        return getReferralOut(n.ctx.db, o.id);
      });
      printResult(jsonTimes(r, MESSAGE_TIMES), o.json, () =>
        [
          `referral ${r.id} to ${r.to}${r.overrideReason ? ` (routed to ${r.routedCountry ?? '?'}, overridden: ${r.overrideReason})` : ''}`,
          `${r.action} ${r.ip}${r.port === null ? '' : `:${r.port}`} seen ${r.seenAt}, ${r.urgency}, operation ${r.operation}`,
          `sent ${timeMs(r.createdAt)} by ${r.createdBy}; state ${r.state ?? 'sent (no status back yet)'}${r.outcome ? `; outcome ${outcomeText(r.outcome)}` : ''}`,
          '',
          'statuses',
          printTable(
            r.statuses.map((s) => ({
              signed: s.from,
              state: s.state,
              outcome: outcomeText(s.outcome),
              reason: s.reason ?? '',
              at: timeS(s.iat),
            })),
            ['signed', 'state', 'outcome', 'reason', 'at'],
          ),
          '',
          'delivery',
          printTable(
            r.delivery.map((d) => ({
              to: d.peer,
              state: deliveryText(d),
              attempts: d.attempts,
              receipt: receiptText(d.receipt, d.receiptIndex),
              'last error': d.lastError ?? '',
            })),
            ['to', 'state', 'attempts', 'receipt', 'last error'],
          ),
        ].join('\n'),
      );
    });

  const outbox = program.command('outbox').description('messages waiting to be delivered, or that could not be (national bureau)');
  outbox
    .command('problems')
    .description('rejected and dead-lettered messages, newest first')
    .addOption(dataOption())
    .addOption(new Option('--limit <n>', 'how many (1–500)').default(100))
    .option('--json', 'machine-readable output')
    .action(async (options: unknown) => {
      const o = parseFlags(problemsFlags, options);
      const rows = await withNode(o.data, (n) => {
        requireNodeRole(n, 'national', 'outbox problems', o.data);
        return listProblems(n.ctx.db, o.limit);
      });
      printResult(jsonTimes(rows, { created_at: 'ms', next_attempt_at: 'ms' }), o.json, () =>
        rows.length === 0
          ? 'no rejected or dead-lettered messages'
          : printTable(
              rows.map((r) => ({
                ...r,
                state: r.state === 'dead' ? 'dead-lettered' : `rejected ${r.receipt_code ?? ''}`.trim(),
                queued: timeMs(Number(r.created_at)),
                'last error': r.last_error ?? '',
              })),
              ['id', 'kind', 'message_id', 'peer', 'state', 'attempts', 'queued', 'last error'],
            ),
      );
    });
  outbox
    .command('retry')
    .description(
      "retry now: one message (queued, dead-lettered or rejected) or a peer's whole queue; a running node delivers within a second",
    )
    .addOption(dataOption())
    .option('--id <id>', 'the outbox message id (from `firstlight outbox problems` or `referral show`)')
    .option('--peer <party>', 'every queued or dead-lettered message for this peer (a country code, or LIAISON)')
    .option('--json', 'machine-readable output')
    .action(async (options: unknown) => {
      const o = parseFlags(retryFlags, options);
      let due = 0;
      await withNode(o.data, async (n) => {
        requireNodeRole(n, 'national', 'outbox retry', o.data);
        const target = o.id !== undefined ? { id: o.id } : { peer: o.peer as string };
        due = await retryNow(n.ctx.db, target, n.ctx.clock.now());
        if (o.id !== undefined && due === 0)
          throw new NodeError(
            'ERR_NOT_FOUND',
            `no outbox message ${o.id} waiting or stopped (delivered, or being delivered right now); \`firstlight outbox problems\` lists the stopped ones`,
          );
      });
      printResult({ ...(o.id !== undefined ? { id: o.id } : { peer: o.peer }), requeued: true, due }, o.json, () =>
        o.id !== undefined ? `outbox message ${o.id} due now` : `${due} messages for ${o.peer} due now`,
      );
    });
}

/** The records of a cluster-like result, wherever the function puts them (a list, or a list under a key). */
function sections(result: unknown): Array<{ title: string; items: Array<Record<string, unknown>> }> {
  const isRecords = (v: unknown): v is Array<Record<string, unknown>> =>
    Array.isArray(v) && v.every((x) => x !== null && typeof x === 'object' && !Array.isArray(x));
  if (isRecords(result)) return [{ title: 'clusters', items: result }];
  if (result === null || typeof result !== 'object') return [];
  return Object.entries(result).flatMap(([title, v]) => (isRecords(v) ? [{ title, items: v }] : []));
}

/** Each record as a numbered block: its countries and referral count first, then every other field it has. */
function clusterText(result: unknown): string {
  const scalars =
    result !== null && typeof result === 'object' && !Array.isArray(result)
      ? Object.entries(result).filter(([, v]) => v === null || typeof v !== 'object')
      : [];
  const out = scalars.length ? [scalars.map(([k, v]) => `${k} ${String(v)}`).join(' · ')] : [];
  for (const { title, items } of sections(result)) {
    out.push('', `${title} (${items.length})`);
    if (items.length === 0) out.push('(none)');
    items.forEach((item, i) => {
      const { countries, referrals, ...rest } = item;
      const n = typeof referrals === 'number' ? referrals : Array.isArray(referrals) ? referrals.length : undefined;
      const head = [countries === undefined ? '' : `countries ${anyText(countries)}`, n === undefined ? '' : `${n} referrals`];
      out.push(`${i + 1}. ${head.filter(Boolean).join(' · ') || anyText(item)}`);
      for (const [k, v] of Object.entries(rest)) {
        const text = anyText(Array.isArray(v) && v.length > 5 ? [...v.slice(0, 5), `… +${v.length - 5} more`] : v);
        out.push(`   ${k}: ${text}`);
      }
    });
  }
  return out.join('\n');
}

function registerLiaisonViews(program: Command): void {
  program
    .command('overview')
    .description('the operation at a glance: headline figures from signed statuses, sent and received per country (liaison office)')
    .addOption(dataOption())
    .option('--operation <id>', 'only this operation (its id, e.g. first-light-2015)')
    .option('--json', 'machine-readable output')
    .action(async (options: unknown) => {
      const o = parseFlags(overviewFlags, options);
      const view = await withNode(o.data, (n) => {
        requireNodeRole(n, 'liaison', 'overview', o.data);
        return overview(n.ctx, { operation: o.operation });
      });
      const h = view.headline;
      printResult(jsonTimes(view, { generatedAt: 's' }), o.json, () =>
        [
          view.operation
            ? `operation ${view.operation.id}: ${view.operation.name}, ${view.operation.start} to ${view.operation.end}`
            : 'all operations',
          `${h.countries} countries · ${h.referrals} referrals · ${h.statuses} signed statuses`,
          `${h.suspectsIdentified} suspects identified · ${h.arrests} arrests · ${h.premisesSearched} premises searched · ${h.callCentresDismantled} call centres dismantled`,
          '',
          printTable(
            view.perCountry.map((c) => ({ ...c, 'sent by action': countsText(c.byAction), 'received by state': countsText(c.byState) })),
            ['country', 'sent', 'received', 'sent by action', 'received by state'],
          ),
        ].join('\n'),
      );
    });

  program
    .command('clusters')
    .description('suspected call centres: referrals joined by a shared IP, network or evidence file (liaison office)')
    .addOption(dataOption())
    .option('--operation <id>', 'only this operation')
    .addOption(new Option('--limit <n>', 'how many (1–1000)').default(100))
    .option('--json', 'machine-readable output: exactly what the correlation returns')
    .action(async (options: unknown) => {
      const o = parseFlags(clustersFlags, options);
      const result: unknown = await withNode(o.data, (n) => {
        requireNodeRole(n, 'liaison', 'clusters', o.data);
        return clusters(n.ctx, { operation: o.operation, limit: o.limit });
      });
      printResult(result, o.json, () => clusterText(result));
    });

  program
    .command('health')
    .description("federation health: each member's last contact, directory serial, keys and messages queued (liaison office)")
    .addOption(dataOption())
    .option('--json', 'machine-readable output')
    .action(async (options: unknown) => {
      const o = parseFlags(healthFlags, options);
      const view = await withNode(o.data, (n) => {
        requireNodeRole(n, 'liaison', 'health', o.data);
        return health(n.ctx, createMemberProbes(n.ctx.clock, { transport: n.ctx.federation }));
      });
      printResult(jsonTimes(view, HEALTH_TIMES), o.json, () =>
        [
          view.serial === null ? 'no directory published yet' : `directory serial ${view.serial}, published ${timeS(view.publishedAt)}`,
          printTable(
            view.members.map((m) => ({
              country: m.country,
              name: m.name,
              'last contact': m.lastContact === null ? 'never' : timeS(m.lastContact),
              silent: m.silent ? 'SILENT' : '',
              serial: m.directorySerial ?? '?',
              queued: m.queued ?? '?',
              keys: m.keys
                .map(
                  (k) =>
                    `${k.kid.slice(0, 8)}… exp ${timeS(k.exp).slice(0, 10)}${k.revoked ? ' REVOKED' : k.expiringSoon ? ' EXPIRING' : ''}`,
                )
                .join('; '),
            })),
            ['country', 'name', 'last contact', 'silent', 'serial', 'queued', 'keys'],
          ),
        ].join('\n'),
      );
    });
}

/** Adds the read commands to the `firstlight` program. */
export function registerViews(program: Command): void {
  registerBureauViews(program);
  registerLiaisonViews(program);
}
