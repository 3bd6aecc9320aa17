/** The hash-chained audit log from the command line: `audit verify` (with a head written down earlier) and `audit export`. */
import type { Command } from 'commander';
import { z } from 'zod';
import { auditHeadText, formatAuditHead } from '../../audit/audit-head.js';
import { exportAudit, verifyAudit } from '../../audit/audit-log.js';
import { common, parseFlags } from '../flags.js';
import { dataOption, withNode } from '../node-session.js';
import { printResult } from '../output.js';

const verifyFlags = z.strictObject({ ...common, expectHead: auditHeadText.optional() });
const exportFlags = z.strictObject({ data: common.data });

export function registerAuditCommands(program: Command): void {
  const audit = program.command('audit').description('the hash-chained audit log of everything sent and received');
  audit
    .command('verify')
    .description('check the chain and that nothing was cut off its end; prints the head to write down')
    .addOption(dataOption())
    .option('--expect-head <seq>:<hash>', 'a head written down earlier (from `audit verify`): the log must still hold that entry unchanged')
    .option('--json', 'machine-readable output')
    .action(async (options: unknown) => {
      const o = parseFlags(verifyFlags, options);
      const verdict = await withNode(o.data, (n) => verifyAudit(n.ctx.db, { expectHead: o.expectHead }));
      const head = formatAuditHead({ seq: verdict.headSeq, hash: verdict.head });
      printResult(verdict, o.json, () =>
        verdict.ok
          ? `audit chain intact: ${verdict.entries} entries${o.expectHead ? ', expected head present' : ''}\nhead ${head}`
          : `AUDIT CHAIN BROKEN at entry ${verdict.brokenAt}: ${verdict.problem}\nlast stored entry ${head}`,
      );
      if (!verdict.ok) process.exitCode = 1;
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
