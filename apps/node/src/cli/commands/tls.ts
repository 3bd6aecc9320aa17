/**
 * `firstlight tls pin` (the pin of the TLS key this node serves, and of the next one during a
 * rotation) and `tls rotate` (make the next TLS key and print both pins for the liaison office, which
 * lists them with `member add --tls-pin`; the node serves the new key from its first start after a
 * directory pins it). Never prints a private key.
 */
import type { Command } from 'commander';
import { z } from 'zod';
import { NodeError } from '../../errors.js';
import { ensureNextTlsIdentity, loadTlsIdentity } from '../../tls/certificate.js';
import { common, parseFlags } from '../flags.js';
import { dataOption, requireNodeData } from '../node-session.js';
import { printResult } from '../output.js';

const flags = z.strictObject({ ...common });

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
    .description('make the next TLS key and print the pins the liaison office lists during the overlap')
    .addOption(dataOption())
    .option('--json', 'machine-readable output')
    .action((options: unknown) => {
      const o = parseFlags(flags, options);
      const dir = requireNodeData(o.data);
      const current = loadTlsIdentity(dir);
      if (!current) throw new NodeError('ERR_CONFIG', `${dir} holds no TLS key to rotate from: it is made at init, or at the next start`);
      const next = ensureNextTlsIdentity(dir, 'firstlight');
      const result = { pin: current.pin, next: next.pin };
      printResult(result, o.json, () =>
        [
          `next TLS key pin: ${next.pin}`,
          `the liaison office lists both: firstlight member add … --tls-pin ${current.pin} ${next.pin}, then publishes`,
          'this node serves the new key from its first start after a directory pins it; then the liaison office lists the new pin alone',
        ].join('\n'),
      );
    });
}
