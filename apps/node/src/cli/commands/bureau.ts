/**
 * A national bureau's work from the command line: complaints and their evidence (personal data that
 * never leaves the node), referrals out, the inbox and signed statuses back. Each command is refused on
 * the liaison office's node (ERR_WRONG_ROLE) rather than answering emptily, and parses its flags with
 * zod first; the domain functions it calls are the ones the bureau API calls.
 */
import { createReadStream } from 'node:fs';
import { basename } from 'node:path';
import { ACTIONS, DECLINE_REASONS, STATUS_STATES, slug, URGENCIES } from '@firstlight/protocol';
import { type Command, Option } from 'commander';
import { z } from 'zod';
import { listReferralsIn } from '../../inbox/queries.js';
import { complaintInput, createComplaint, SCAM_TYPES } from '../../intake/complaints.js';
import { storeEvidence } from '../../intake/evidence.js';
import { createReferral } from '../../referrals/referrals.js';
import { loadIpIndex } from '../../routing/ip-index.js';
import { updateStatus } from '../../status/status-updates.js';
import { amount, common, country, date, existingFile, ip, parseFlags, utcTime, uuid, wholeNumber } from '../flags.js';
import { jsonTimes, MESSAGE_TIMES } from '../json-times.js';
import { dataOption, withNode } from '../node-session.js';
import { printResult, printTable } from '../output.js';
import { timeMs } from '../view-format.js';

const national = (command: string) => ({ role: 'national' as const, command });
const oneOf = <T extends readonly [string, ...string[]]>(values: T) => z.enum(values, { error: `must be one of ${values.join(', ')}` });
const complaintId = uuid('a complaint id, as `firstlight complaint add` printed it');
const count = wholeNumber(0, 1_000_000).optional();

const complaintFlags = z.strictObject({
  ...common,
  victimName: complaintInput.shape.victimName,
  victimContact: complaintInput.shape.victimContact,
  amount,
  currency: complaintInput.shape.currency,
  scamType: oneOf(SCAM_TYPES),
  narrative: complaintInput.shape.narrative,
  occurred: date,
  reported: date.optional(),
});
const evidenceFlags = z.strictObject({ ...common, complaint: complaintId, file: existingFile });
const referFlags = z
  .strictObject({
    ...common,
    complaint: complaintId,
    ip,
    seenAt: utcTime,
    evidence: z.array(z.string().regex(/^sha256:[0-9a-f]{64}$/, { error: 'must be sha256: and 64 lowercase hex digits' })).min(1),
    action: oneOf(ACTIONS),
    urgency: oneOf(URGENCIES).default('routine'),
    operation: slug,
    port: wholeNumber(1, 65_535).optional(),
    to: country.optional(),
    reason: z.string().trim().min(5, { error: 'must say why, in 5 characters or more' }).max(500).optional(),
  })
  .refine((f) => (f.to === undefined) === (f.reason === undefined), {
    error: 'and --to go together: overriding the routed country needs a reason, and a reason an override',
    path: ['reason'],
  });
const inboxFlags = z.strictObject(common);
const statusFlags = z.strictObject({
  ...common,
  referral: uuid('a referral id, from `firstlight inbox`'),
  state: oneOf(STATUS_STATES),
  suspects: count,
  arrests: count,
  premises: count,
  callCentres: count,
  reason: oneOf(DECLINE_REASONS).optional(),
});

function registerIntake(program: Command): void {
  program
    .command('complaint')
    .description('complaints (personal data: stays in this node, national bureau)')
    .command('add')
    .description("record a victim's complaint; prints its id, for `evidence add` and `refer`")
    .addOption(dataOption())
    .requiredOption('--victim-name <name>', "the victim's name (never leaves this node)")
    .requiredOption('--victim-contact <contact>', 'how to reach the victim (never leaves this node)')
    .requiredOption('--amount <amount>', 'amount lost, in --currency')
    .requiredOption('--currency <ISO4217>', 'ISO 4217 currency code, such as THB')
    .requiredOption('--scam-type <type>', SCAM_TYPES.join(' | '))
    .requiredOption('--narrative <text>', 'what happened, in the words of the complaint')
    .requiredOption('--occurred <date>', 'when it happened, YYYY-MM-DD')
    .option('--reported <date>', 'when it was reported, YYYY-MM-DD (default: today, UTC)')
    .option('--json', 'machine-readable output')
    .action(async (options: unknown) => {
      const o = parseFlags(complaintFlags, options);
      const c = await withNode(
        o.data,
        (n) => {
          const now = n.ctx.clock.now();
          const input = {
            victimName: o.victimName,
            victimContact: o.victimContact,
            amountLost: o.amount,
            currency: o.currency,
            scamType: o.scamType,
            narrative: o.narrative,
            occurredAt: o.occurred,
            reportedAt: o.reported ?? new Date(now).toISOString().slice(0, 10),
          };
          return createComplaint(n.ctx.db, input, 'cli', now);
        },
        national('complaint add'),
      );
      printResult({ id: c.id }, o.json, () => `complaint ${c.id}`);
    });

  program
    .command('evidence')
    .description('evidence files (only their SHA-256 is ever shared, national bureau)')
    .command('add')
    .description('attach a file to a complaint; prints its SHA-256 digest, for `refer --evidence`')
    .addOption(dataOption())
    .requiredOption('--complaint <id>', 'the complaint id (from `complaint add`)')
    .requiredOption('--file <path>', 'the evidence file (kept in this node)')
    .option('--json', 'machine-readable output')
    .action(async (options: unknown) => {
      const o = parseFlags(evidenceFlags, options);
      const stored = await withNode(
        o.data,
        (n) =>
          storeEvidence(n.ctx.db, {
            dataDir: n.ctx.dataDir,
            complaintId: o.complaint,
            filename: basename(o.file),
            mediaType: 'application/octet-stream',
            body: createReadStream(o.file),
            maxBytes: n.ctx.config.evidenceMaxBytes,
            now: n.ctx.clock.now(),
          }),
        national('evidence add'),
      );
      printResult(stored, o.json, () => stored.digest);
    });
}

function registerReferrals(program: Command): void {
  program
    .command('refer')
    .description('refer a suspect IP from a complaint to the country that holds it (national bureau)')
    .addOption(dataOption())
    .requiredOption('--complaint <id>', 'the complaint the IP comes from (from `complaint add`)')
    .requiredOption('--ip <ip>', 'the suspect IPv4 or IPv6 address; it is routed to the country that holds it')
    .requiredOption('--seen-at <time>', 'when the IP was observed, UTC (2015-06-01T12:00:00Z)')
    .requiredOption('--evidence <digest...>', 'sha256:… of evidence files added to the complaint')
    .requiredOption('--action <action>', `what the receiving country is asked to do: ${ACTIONS.join(' | ')}`)
    .addOption(new Option('--urgency <urgency>', URGENCIES.join(' | ')).default('routine'))
    .requiredOption('--operation <id>', 'the operation it belongs to (its id, e.g. first-light-2015)')
    .option('--port <port>', 'source port (behind carrier-grade NAT)')
    .option('--to <XX>', 'override the routed country (needs --reason)')
    .option('--reason <text>', 'why the routed country is overridden')
    .option('--json', 'machine-readable output')
    .action(async (options: unknown) => {
      const o = parseFlags(referFlags, options);
      const result = await withNode(
        o.data,
        (n) =>
          createReferral(
            n.ctx,
            loadIpIndex(),
            {
              complaintId: o.complaint,
              ip: o.ip,
              seenAt: o.seenAt,
              evidence: o.evidence,
              action: o.action,
              urgency: o.urgency,
              operation: o.operation,
              ...(o.port !== undefined ? { port: o.port } : {}),
              ...(o.to ? { overrideCountry: o.to } : {}),
              ...(o.reason ? { overrideReason: o.reason } : {}),
            },
            'cli',
          ),
        national('refer'),
      );
      printResult({ id: result.id, to: result.to }, o.json, () => `referral ${result.id} queued for ${result.to} (and the liaison office)`);
    });

  program
    .command('inbox')
    .description('incoming referrals with their deadlines (national bureau)')
    .addOption(dataOption())
    .option('--json', 'machine-readable output')
    .action(async (options: unknown) => {
      const o = parseFlags(inboxFlags, options);
      const rows = await withNode(o.data, (n) => listReferralsIn(n.ctx.db, { limit: 500 }, n.ctx.clock.now()), national('inbox'));
      printResult(jsonTimes(rows, MESSAGE_TIMES), o.json, () =>
        printTable(
          rows.map((r) => ({ ...r, received: timeMs(r.receivedAt), deadline: timeMs(r.deadlineAt) })),
          ['id', 'from', 'ip', 'action', 'urgency', 'state', 'received', 'deadline'],
        ),
      );
    });

  program
    .command('status')
    .description('send a signed status on an incoming referral back to its origin (national bureau)')
    .addOption(dataOption())
    .requiredOption('--referral <id>', 'the incoming referral (from `firstlight inbox`)')
    .requiredOption('--state <state>', STATUS_STATES.join(' | '))
    .option('--suspects <n>', 'suspects identified')
    .option('--arrests <n>', 'arrests')
    .option('--premises <n>', 'premises searched')
    .option('--call-centres <n>', 'call centres dismantled')
    .option('--reason <code>', `why it was declined (with --state declined): ${DECLINE_REASONS.join(' | ')}`)
    .option('--json', 'machine-readable output')
    .action(async (options: unknown) => {
      const o = parseFlags(statusFlags, options);
      const counts = [o.suspects, o.arrests, o.premises, o.callCentres];
      const outcome = counts.some((c) => c !== undefined)
        ? {
            suspectsIdentified: o.suspects ?? 0,
            arrests: o.arrests ?? 0,
            premisesSearched: o.premises ?? 0,
            callCentresDismantled: o.callCentres ?? 0,
          }
        : undefined;
      const result = await withNode(
        o.data,
        (n) =>
          updateStatus(n.ctx, {
            referralId: o.referral,
            state: o.state,
            ...(outcome ? { outcome } : {}),
            ...(o.reason ? { reason: o.reason } : {}),
          }),
        national('status'),
      );
      printResult(result, o.json, () => `status ${result.id} queued`);
    });
}

export function registerBureauCommands(program: Command): void {
  registerIntake(program);
  registerReferrals(program);
}
