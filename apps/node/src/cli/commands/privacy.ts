/**
 * The CLI's personal-data commands (OPERATIONS.md §8): opening, exporting and erasing a complaint,
 * fetching an evidence file, the access log a data-protection officer asks for, and the review of
 * items past their date. Reads take --purpose and are recorded like the console's, with the local
 * account as operator (the CLI holds no token). Each calls the same domain function as its tRPC
 * procedure; never reads personal data any other way.
 */
import { chmodSync, constants, copyFileSync } from 'node:fs';
import type { Command } from 'commander';
import { z } from 'zod';
import { eraseItems } from '../../privacy/erasure.js';
import { privacyHistory } from '../../privacy/log.js';
import { cliOperator, reasonText } from '../../privacy/purpose.js';
import { digestText, exportComplaints, openComplaint, openEvidence } from '../../privacy/reads.js';
import { dueForReview, extendReview } from '../../privacy/retention.js';
import { common, date, newFile, parseFlags, uuid, wholeNumber } from '../flags.js';
import { jsonTimes } from '../json-times.js';
import { dataOption, withNode } from '../node-session.js';
import { printResult, printTable } from '../output.js';
import { timeMs } from '../view-format.js';

const complaintId = uuid('a complaint id, as `firstlight complaint add` printed it');
const referralId = uuid('a received referral id, from `firstlight inbox`');
/** Checked by the domain (ERR_PURPOSE_REQUIRED, exit 2), so the CLI and the API refuse alike. */
const purpose = z.string().optional();
const reason = reasonText;

const showFlags = z.strictObject({ ...common, complaint: complaintId, purpose });
const exportFlags = z.strictObject({ data: common.data, complaint: z.array(complaintId).min(1).max(500), purpose });
const evidenceFlags = z.strictObject({ ...common, complaint: complaintId, digest: digestText, purpose, out: newFile });
const subject = { complaint: complaintId.optional(), referral: referralId.optional() };
const oneSubject = (o: { complaint?: string | undefined; referral?: string | undefined }) =>
  (o.complaint === undefined) !== (o.referral === undefined);
const ONE = { error: 'give exactly one of --complaint and --referral', path: ['complaint'] };
const accessFlags = z.strictObject({ ...common, ...subject }).refine(oneSubject, ONE);
const eraseFlags = z.strictObject({ ...common, complaint: complaintId, reason });
const reviewEraseFlags = z.strictObject({ ...common, ...subject, reason }).refine(oneSubject, ONE);
const extendFlags = z.strictObject({ ...common, ...subject, until: date, reason }).refine(oneSubject, ONE);
const reviewListFlags = z.strictObject({ ...common, limit: wholeNumber(1, 500).default(200) });

/** A group of commands another file made (complaint, evidence, audit), or a new one (review). */
function group(program: Command, name: string, description: string): Command {
  return program.commands.find((c) => c.name() === name) ?? program.command(name).description(description);
}

const national = (command: string) => ({ role: 'national' as const, command });

export function registerPrivacyCommands(program: Command): void {
  const complaint = group(program, 'complaint', 'complaints (personal data stays in this node)');
  complaint
    .command('show')
    .description("open one complaint with the victim's personal data; recorded in the access log with your purpose")
    .addOption(dataOption())
    .option('--complaint <id>', 'the complaint id')
    .option('--purpose <ref>', 'why you read it: a case reference such as TH-2015-0042 (required)')
    .option('--json', 'machine-readable output')
    .action(async (options: unknown) => {
      const o = parseFlags(showFlags, options);
      const c = await withNode(
        o.data,
        (n) => openComplaint({ db: n.ctx.db, operator: cliOperator(), purpose: o.purpose, now: n.ctx.clock.now() }, o.complaint),
        national('complaint show'),
      );
      printResult(jsonTimes(c, { createdAt: 'ms' }), o.json, () =>
        [
          `complaint ${c.id}, filed ${timeMs(c.createdAt)} by ${c.createdBy}`,
          `victim: ${c.victimName} (${c.victimContact})`,
          `${c.scamType}, ${c.amountLost} ${c.currency}, occurred ${c.occurredAt}, reported ${c.reportedAt}`,
          c.narrative,
          '',
          printTable(c.evidence, ['digest', 'filename', 'size', 'media_type']),
        ].join('\n'),
      );
    });
  complaint
    .command('export')
    .description('write complaints whole, personal data included, as JSON Lines to stdout; each recorded in the access log')
    .addOption(dataOption())
    .option('--complaint <id...>', 'the complaint ids (1–500)')
    .option('--purpose <ref>', 'why you export them: a case reference (required)')
    .action(async (options: unknown) => {
      const o = parseFlags(exportFlags, options);
      const list = await withNode(
        o.data,
        (n) => exportComplaints({ db: n.ctx.db, operator: cliOperator(), purpose: o.purpose, now: n.ctx.clock.now() }, o.complaint),
        national('complaint export'),
      );
      for (const c of list) process.stdout.write(`${JSON.stringify(jsonTimes(c, { createdAt: 'ms' }))}\n`);
    });
  complaint
    .command('erase')
    .description("erase a complaint's personal data for good (name, contact, narrative, evidence); leaves a tombstone")
    .addOption(dataOption())
    .option('--complaint <id>', 'the complaint id')
    .option('--reason <text>', 'why it is erased (kept in the tombstone; no personal data)')
    .option('--json', 'machine-readable output')
    .action(async (options: unknown) => {
      const o = parseFlags(eraseFlags, options);
      await erase(o.data, { kind: 'complaint', id: o.complaint }, o.reason, o.json, 'complaint erase');
    });

  group(program, 'evidence', 'evidence files (only their SHA-256 is ever shared)')
    .command('get')
    .description("copy one of a complaint's evidence files to --out; recorded in the access log with your purpose")
    .addOption(dataOption())
    .option('--complaint <id>', 'the complaint id')
    .option('--digest <sha256:…>', 'the evidence digest')
    .option('--purpose <ref>', 'why you read it: a case reference (required)')
    .option('--out <path>', 'where to write the file (created 0600)')
    .option('--json', 'machine-readable output')
    .action(async (options: unknown) => {
      const o = parseFlags(evidenceFlags, options);
      const file = await withNode(
        o.data,
        async (n) => {
          const found = await openEvidence(
            { db: n.ctx.db, operator: cliOperator(), purpose: o.purpose, now: n.ctx.clock.now() },
            o.complaint,
            o.digest,
          );
          // Never over an existing file; readable by its owner only, like the evidence store.
          copyFileSync(found.path, o.out, constants.COPYFILE_EXCL);
          chmodSync(o.out, 0o600);
          return found;
        },
        national('evidence get'),
      );
      printResult(
        { digest: file.digest, filename: file.filename, size: file.size, out: o.out },
        o.json,
        () => `${file.filename} → ${o.out}`,
      );
    });

  group(program, 'audit', 'the hash-chained audit log')
    .command('access')
    .description('who read, extended or erased a complaint or received referral, when and why (each record checked against the chain)')
    .addOption(dataOption())
    .option('--complaint <id>', 'a complaint id')
    .option('--referral <id>', 'a received referral id')
    .option('--json', 'machine-readable output')
    .action(async (options: unknown) => {
      const o = parseFlags(accessFlags, options);
      const id = (o.complaint ?? o.referral) as string;
      const entries = await withNode(o.data, (n) => privacyHistory(n.ctx.db, id), national('audit access'));
      // An extension's detail holds the review dates it moved between (from, to).
      printResult(jsonTimes(entries, { at: 'ms', from: 'ms', to: 'ms' }), o.json, () =>
        entries.length === 0
          ? `nobody has read, extended or erased ${id}`
          : printTable(
              entries.map((e) => ({
                seq: e.seq,
                at: timeMs(e.at),
                action: e.action === 'read' ? `read ${e.item}` : e.action,
                operator: e.operator.id ? `${e.operator.name} (${e.operator.role}, ${e.operator.id})` : '?',
                why: e.purpose || e.reason,
                check: e.intact ? 'ok' : 'TAMPERED',
              })),
              ['seq', 'at', 'action', 'operator', 'why', 'check'],
            ),
      );
      if (entries.some((e) => !e.intact)) process.exitCode = 1;
    });

  const review = group(program, 'review', 'personal data past its review date: list, extend or erase');
  review
    .command('list')
    .description('complaints and closed received referrals past their review date, oldest first')
    .addOption(dataOption())
    .option('--limit <n>', 'how many (1–500)', '200')
    .option('--json', 'machine-readable output')
    .action(async (options: unknown) => {
      const o = parseFlags(reviewListFlags, options);
      const items = await withNode(o.data, (n) => dueForReview(n.ctx, n.ctx.clock.now(), o.limit), national('review list'));
      printResult(jsonTimes(items, { reviewAt: 'ms', since: 'ms' }), o.json, () =>
        items.length === 0
          ? 'nothing is past its review date'
          : printTable(
              items.map((i) => ({ ...i, review: timeMs(i.reviewAt), since: timeMs(i.since), extended: i.extended ? 'yes' : '' })),
              ['kind', 'id', 'review', 'since', 'extended', 'from', 'state'],
            ),
      );
    });
  review
    .command('extend')
    .description('keep an item until a later review date, with a reason (recorded in the access log)')
    .addOption(dataOption())
    .option('--complaint <id>', 'a complaint id')
    .option('--referral <id>', 'a received referral id (closed or declined)')
    .option('--until <date>', 'the new review date, YYYY-MM-DD')
    .option('--reason <text>', 'why it is still needed')
    .option('--json', 'machine-readable output')
    .action(async (options: unknown) => {
      const o = parseFlags(extendFlags, options);
      const kind = o.complaint ? 'complaint' : 'referral';
      const result = await withNode(
        o.data,
        (n) =>
          extendReview(
            n.ctx,
            { kind, id: (o.complaint ?? o.referral) as string, until: o.until, reason: o.reason },
            cliOperator(),
            n.ctx.clock.now(),
          ),
        national('review extend'),
      );
      printResult(
        jsonTimes(result, { previous: 'ms', reviewAt: 'ms' }),
        o.json,
        () => `${result.kind} ${result.id}: review ${timeMs(result.previous)} → ${timeMs(result.reviewAt)}`,
      );
    });
  review
    .command('erase')
    .description('erase a complaint or a closed received referral for good; leaves a tombstone')
    .addOption(dataOption())
    .option('--complaint <id>', 'a complaint id')
    .option('--referral <id>', 'a received referral id (closed or declined)')
    .option('--reason <text>', 'why it is erased (kept in the tombstone; no personal data)')
    .option('--json', 'machine-readable output')
    .action(async (options: unknown) => {
      const o = parseFlags(reviewEraseFlags, options);
      const item = o.complaint ? { kind: 'complaint' as const, id: o.complaint } : { kind: 'referral' as const, id: o.referral as string };
      await erase(o.data, item, o.reason, o.json, 'review erase');
    });
}

async function erase(data: string, item: { kind: 'complaint' | 'referral'; id: string }, reason: string, json: boolean, command: string) {
  const result = await withNode(
    data,
    (n) => eraseItems(n.ctx, { items: [item], reason }, cliOperator(), n.ctx.clock.now()),
    national(command),
  );
  const [e] = result.erased;
  printResult(jsonTimes(result, { erasedAt: 'ms' }), json, () =>
    [
      `${item.kind} ${item.id} ${e?.alreadyErased ? 'was already erased; purge completed' : 'erased'}`,
      e && item.kind === 'complaint'
        ? `evidence files overwritten and removed: ${e.filesRemoved}; kept (held by other complaints): ${e.filesKept}`
        : '',
      result.purge.database === 'sqlite'
        ? `SQLite: ${result.purge.vacuumed.length ? 'database rebuilt (VACUUM); ' : ''}WAL ${result.purge.walTruncated ? 'checkpointed and truncated' : 'NOT truncated (busy): run the erase again'}`
        : result.purge.snapshotsCleared === false
          ? `PostgreSQL: ${result.purge.vacuumed.join(', ')} rewritten (VACUUM FULL), but a transaction older than the erasure was still open and may have kept the old rows: run the erase again`
          : `PostgreSQL: ${result.purge.vacuumed.join(', ')} rewritten (VACUUM FULL); the server's WAL and backups keep older copies until they expire`,
    ]
      .filter(Boolean)
      .join('\n'),
  );
  if (result.purge.walTruncated === false || result.purge.snapshotsCleared === false) process.exitCode = 1;
}
