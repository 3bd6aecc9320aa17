/**
 * `firstlight tls pin` (the pin of the TLS key this node serves, and of the next one during a
 * rotation), `tls rotate` (make the next TLS key and submit both pins to the liaison office, signed
 * with the current signing key; the node serves the new key from its first start after a directory
 * pins it), and at the liaison office `tls pending` / `tls approve` (members' submitted pins, under
 * keyPolicy approve). Never prints a private key.
 */
import type { Command } from 'commander';
import { z } from 'zod';
import { NodeError } from '../../errors.js';
import { submitTlsPins } from '../../keys/rotation.js';
import { approveTlsPins, pendingTlsPins } from '../../liaison/tls-pins.js';
import { ensureNextTlsIdentity, loadTlsIdentity } from '../../tls/certificate.js';
import { common, country, parseFlags } from '../flags.js';
import { dataOption, requireNodeData, withNode } from '../node-session.js';
import { printResult } from '../output.js';

const flags = z.strictObject({ ...common });
const approveFlags = z.strictObject({ ...common, country });

export function registerTlsCommands(program: Command): void {
  const tls = program.command('tls').description("this node's TLS key, pinned in the directory (mutual TLS between nodes)");
  tls
    .command('pin')
    .description('print the pin of the TLS key this node serves (and of the next one, during a rotation)')
    .addOption(dataOption())
    .option('--json', 'machine-readable output')
    .action((options: unknown) => {
      const o = parseFlags(flags, options);
      const dir = requireNodeData(o.data);
      const current = loadTlsIdentity(dir);
      if (!current) throw new NodeError('ERR_CONFIG', `${dir} holds no TLS key yet: it is made at init, or at the next start`);
      const result = { pin: current.pin, next: loadTlsIdentity(dir, 'next')?.pin ?? null };
      printResult(result, o.json, () => `${result.pin}${result.next ? `\nnext (not served yet): ${result.next}` : ''}`);
    });
  tls
    .command('rotate')
    .description('make the next TLS key and submit both pins to the liaison office, signed (a national bureau), for the overlap')
    .addOption(dataOption())
    .option('--json', 'machine-readable output')
    .action(async (options: unknown) => {
      const o = parseFlags(flags, options);
      const dir = requireNodeData(o.data);
      const current = loadTlsIdentity(dir);
      if (!current) throw new NodeError('ERR_CONFIG', `${dir} holds no TLS key to rotate from: it is made at init, or at the next start`);
      const result = await withNode(o.data, async (n) => {
        const next = ensureNextTlsIdentity(dir, `firstlight ${n.ctx.config.party}`);
        const pins = [current.pin, next.pin];
        // The liaison office lists its own pins itself, from its tls/ folder, at its next publish.
        if (n.ctx.config.role === 'liaison')
          return {
            pin: current.pin,
            next: next.pin,
            submitted: false,
            message: "publish the next directory: it lists both of this office's pins",
          };
        const sent = await submitTlsPins(n.ctx, pins);
        return {
          pin: current.pin,
          next: next.pin,
          submitted: sent.ok,
          message: sent.ok
            ? `both pins submitted (signed) to the liaison office: ${sent.status}`
            : `${sent.message}; the liaison office can list them by hand: member add … --tls-pin ${pins.join(' ')}`,
        };
      });
      printResult(result, o.json, () =>
        [
          `next TLS key pin: ${result.next}`,
          result.message,
          'this node serves the new key from its first start after a directory pins it, and then asks for the old pin to go',
        ].join('\n'),
      );
    });
  tls
    .command('pending')
    .description("members' TLS pins submitted and waiting for approval (liaison office, keyPolicy approve)")
    .addOption(dataOption())
    .option('--json', 'machine-readable output')
    .action(async (options: unknown) => {
      const o = parseFlags(flags, options);
      const rows = await withNode(o.data, (n) => pendingTlsPins(n.ctx), { role: 'liaison', command: 'tls pending' });
      printResult(rows, o.json, () =>
        rows.length === 0
          ? '(none)'
          : rows.map((r) => `${r.country}: ${r.current.join(' ') || '(none)'} -> ${r.submitted.join(' ')}`).join('\n'),
      );
    });
  tls
    .command('approve')
    .description("list a member's submitted TLS pins in the next directory (liaison office)")
    .addOption(dataOption())
    .requiredOption('--country <XX>', 'the member whose submitted pins to approve')
    .option('--json', 'machine-readable output')
    .action(async (options: unknown) => {
      const o = parseFlags(approveFlags, options);
      const done = await withNode(o.data, (n) => approveTlsPins(n.ctx, o.country), { role: 'liaison', command: 'tls approve' });
      printResult(done, o.json, () => `${done.country}: ${done.tlsPins.join(' ')}; run \`firstlight directory publish\` to publish`);
    });
}
