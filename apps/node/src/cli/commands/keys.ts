/**
 * This node's own signing keys (`keys list`, `keys rotate`). The liaison office's keys of its members
 * are another thing, `member key …` in liaison.ts; the names keep the two apart.
 */
import type { Command } from 'commander';
import { z } from 'zod';
import { rotateKey } from '../../keys/rotation.js';
import { common, parseFlags } from '../flags.js';
import { jsonTimes } from '../json-times.js';
import { dataOption, withNode } from '../node-session.js';
import { printResult, printTable } from '../output.js';
import { timeS } from '../view-format.js';

const flags = z.strictObject(common);

export function registerKeyCommands(program: Command): void {
  const keys = program.command('keys').description("this node's own signing keys (the liaison office's members' keys: `member key`)");
  keys
    .command('list')
    .description("this node's signing keys with their validity and public JWK (what the liaison office enrols)")
    .addOption(dataOption())
    .option('--json', 'machine-readable output')
    .action(async (options: unknown) => {
      const o = parseFlags(flags, options);
      const list = await withNode(o.data, async (n) => n.ctx.keys.list().map((k) => ({ kid: k.kid, nbf: k.nbf, exp: k.exp, jwk: k.jwk })));
      printResult(jsonTimes(list, { nbf: 's', exp: 's' }), o.json, () =>
        printTable(
          list.map((k) => ({ kid: k.kid, 'valid from': timeS(k.nbf), 'valid until': timeS(k.exp), jwk: JSON.stringify(k.jwk) })),
          ['kid', 'valid from', 'valid until', 'jwk'],
        ),
      );
    });
  keys
    .command('rotate')
    .description('create a new key and submit it to the liaison office, signed with the current key')
    .addOption(dataOption())
    .option('--json', 'machine-readable output')
    .action(async (options: unknown) => {
      const o = parseFlags(flags, options);
      const result = await withNode(o.data, async (n) => {
        await n.ctx.directory.refresh().catch(() => undefined);
        return rotateKey(n.ctx);
      });
      printResult(result, o.json, () => `new key ${result.kid}: ${result.message}`);
      if (!result.submitted) process.exitCode = 1;
    });
}
