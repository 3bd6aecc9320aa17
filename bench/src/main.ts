/** `pnpm bench` (full) and `pnpm bench -- --quick`: prints the table and writes bench/results.json. */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { runBench, table } from './bench.js';

const args = process.argv.slice(2).filter((a) => a !== '--');
const unknown = args.filter((a) => a !== '--quick');
if (unknown.length > 0) {
  process.stderr.write(`error: unknown argument ${unknown[0]}; usage: pnpm bench [-- --quick]\n`);
  process.exit(2);
}
const quick = args.includes('--quick');
const result = await runBench({ quick, log: (line) => process.stderr.write(`${line}\n`) });
process.stdout.write(`${table(result)}\n`);
const file = resolve(import.meta.dirname, quick ? '../results.quick.json' : '../results.json');
writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
process.stdout.write(`\nwrote ${file}\n`);
