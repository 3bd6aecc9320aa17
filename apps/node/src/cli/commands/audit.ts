/** The hash-chained audit log from the command line: `audit verify` (with a head written down earlier) and `audit export`. */
import type { Command } from 'commander';
import { z } from 'zod';
import { auditHeadText, formatAuditHead } from '../../audit/audit-head.js';
import { exportAudit, verifyAudit } from '../../audit/audit-log.js';
import { type DeepReport, deepCheck } from '../../audit/deep-check.js';
import { common, parseFlags } from '../flags.js';
import { dataOption, withNode } from '../node-session.js';
import { printResult } from '../output.js';

const verifyFlags = z.strictObject({ ...common, expectHead: auditHeadText.optional(), deep: z.boolean().default(false) });
const exportFlags = z.strictObject({ data: common.data });

export function registerAuditCommands(program: Command): void {
  const audit = program.command('audit').description('the hash-chained audit log of everything sent and received');
  audit
    .command('verify')
    .description('check the chain and that nothing was cut off its end; prints the head to write down')
    .addOption(dataOption())
    .option('--expect-head <seq>:<hash>', 'a head written down earlier (from `audit verify`): the log must still hold that entry unchanged')
    .option(
      '--deep',
      'also re-derive every stored signed message from its bytes (digest, signature, the rows made from it) and name every row that does not match',
    )
    .option('--json', 'machine-readable output')
    .action(async (options: unknown) => {
      const o = parseFlags(verifyFlags, options);
      const [verdict, deep] = await withNode(o.data, async (n) => [
        await verifyAudit(n.ctx.db, { expectHead: o.expectHead }),
        o.deep ? await deepCheck(n.ctx) : null,
      ]);
      const head = formatAuditHead({ seq: verdict.headSeq, hash: verdict.head });
      printResult(deep ? { ...verdict, deep } : verdict, o.json, () =>
        [
          verdict.ok
            ? `audit chain intact: ${verdict.entries} entries${o.expectHead ? ', expected head present' : ''}\nhead ${head}`
            : `AUDIT CHAIN BROKEN at entry ${verdict.brokenAt}: ${verdict.problem}\nlast stored entry ${head}`,
          ...(deep ? [deepText(deep)] : []),
        ].join('\n'),
      );
      if (!verdict.ok || (deep && !deep.ok)) process.exitCode = 1;
    });
  audit
    .command('export')
    .description('write the log as JSON Lines to stdout, each entry exactly as stored and hashed (its times in milliseconds)')
    .addOption(dataOption())
    .action(async (options: unknown) => {
      const o = parseFlags(exportFlags, options);
      await withNode(o.data, async (n) => {
        for await (const line of exportAudit(n.ctx.db)) process.stdout.write(line);
      });
    });
}

function deepText(deep: DeepReport): string {
  const lines = [
    deep.ok
      ? `stored messages intact: ${deep.checked} re-checked from their bytes${deep.unverifiable ? ` (${deep.unverifiable} signed by keys no longer in the directory: not checkable)` : ''}${deep.erased ? ` (${deep.erased} erased under the privacy rules: their tombstones stand for them)` : ''}`
      : `STORED DATA DOES NOT MATCH ITS SIGNED MESSAGES: ${deep.problems.length} problem(s), ${deep.sealViolations.length} sender violation(s) in ${deep.checked} messages`,
  ];
  for (const p of deep.problems) lines.push(`  ${p.row}: ${p.problem}`);
  for (const v of deep.sealViolations)
    lines.push(
      `  received:${v.message}: ${v.from} signed it with a signature that does not hold; accepted on seal ${v.seal} (the sender's violation, PROTOCOL.md §2.3.2)`,
    );
  return lines.join('\n');
}
