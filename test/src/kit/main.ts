/**
 * `pnpm conformance --target URL --country XX --key JWK [--port 7790] [--drive CMD] [--only ID|SECTION] [--json]`:
 * checks a running node over HTTP. `--list [--only …]`: prints the catalogue (id, section, title), needs no target.
 * Exit code 0 when every check passes (skipped ones listed with their reason), 1 when any fails, 2 for bad flags
 * (an unknown check id or section included). `pnpm conformance anchor`: prints the trust anchor to pin.
 * Every flag is validated with zod before anything listens or is sent; a refusal is one line on stderr, never a stack.
 */
import { execFile } from 'node:child_process';
import { Command, CommanderError } from 'commander';
import { z } from 'zod';
import { type Check, type CheckResult, type Selector, selectChecks, selectorsSchema, UnknownSelectorError } from './catalogue.js';
import { catalogue } from './checks/index.js';
import { ConformanceKit, KIT_ANCHOR } from './kit.js';
import { printCatalogue, printTable, runChecks, summarise } from './run.js';

const program = new Command('conformance')
  .description('black-box conformance kit for firstlight nodes (see docs/CONFORMANCE.md)')
  .option('--target <url>', 'the node under test (repeat for several)', (v: string, prev: string[]) => [...prev, v], [] as string[])
  .option(
    '--country <XX>',
    "the target's country code (repeat in the same order as --target)",
    (v: string, prev: string[]) => [...prev, v],
    [] as string[],
  )
  .option(
    '--key <jwk>',
    "the target's public signing key as a JWK (repeat in the same order)",
    (v: string, prev: string[]) => [...prev, v],
    [] as string[],
  )
  .option('--port <port>', 'where the kit serves its directory (the target was initialised with --liaison http://127.0.0.1:PORT)', '7790')
  .option('--wait <seconds>', 'how long to wait for the target to take the directory or send a message', '30')
  .option(
    '--drive <command>',
    'operator hook: a shell command that makes the target send a status on referral {referral} (e.g. "pnpm firstlight status --data ./.conf/kh --referral {referral} --state acknowledged"); without it the liaison-copy check is skipped',
  )
  .option('--list', 'print every check (id, section, title) and exit; with --only, the checks it picks')
  .option(
    '--only <id|section>',
    'run only this check, or every check of this PROTOCOL.md section (e.g. key-revoked, "§3 check 4", 2.3.2); repeat or comma-separate',
    (v: string, prev: string[]) => [...prev, v],
    [] as string[],
  )
  .option('--json', 'print the results (or, with --list, the catalogue) as JSON on stdout')
  .showHelpAfterError()
  .exitOverride()
  // Without an action of its own, a program with a subcommand prints its help for plain options.
  .action(() => undefined);
program
  .command('anchor')
  .description('print the trust anchor the target must pin (firstlight init --anchor …)')
  .action(() => {
    process.stdout.write(`${KIT_ANCHOR}\n`);
    process.exit(0);
  });

/** The flags every mode shares: which checks, and in what form to print. */
const selectionSchema = z.object({
  list: z.boolean().default(false),
  only: selectorsSchema,
  json: z.boolean().default(false),
});

const optionsSchema = z.object({
  target: z.array(z.url({ protocol: /^https?$/ })).min(1, { error: 'give at least one --target URL' }),
  country: z.array(z.string().regex(/^[A-Z]{2}$/, { error: '--country must be an ISO 3166-1 alpha-2 code' })),
  key: z.array(
    z.string().transform((text, ctx) => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        ctx.issues.push({ code: 'custom', message: '--key must be the JWK as JSON', input: text });
        return z.NEVER;
      }
    }),
  ),
  port: z.coerce.number().int().min(0).max(65_535),
  wait: z.coerce.number().int().min(1).max(600),
  drive: z.string().includes('{referral}', { error: '--drive must contain {referral}, where the referral id goes' }).optional(),
});

/** Runs the operator hook with the referral id (a UUID, so safe to put in a shell command). */
const driverFor = (command: string) => (referralId: string) =>
  new Promise<void>((resolve, reject) =>
    execFile('sh', ['-c', command.replaceAll('{referral}', referralId)], { timeout: 60_000 }, (error, _out, stderr) =>
      error ? reject(new Error(`--drive failed: ${stderr.trim().slice(0, 200) || error.message}`)) : resolve(),
    ),
  );

const refuse = (message: string): never => {
  process.stderr.write(`error: ${message}\n`);
  process.exit(2);
};

/** The checks the selectors pick from the catalogue, or exit 2 naming the unknown ones. */
function picked(only: Selector[]): Check[] {
  try {
    return selectChecks(catalogue(), only);
  } catch (error) {
    if (error instanceof UnknownSelectorError) return refuse(error.message);
    throw error;
  }
}

async function main() {
  const argv = process.argv.filter((a, i) => !(a === '--' && i >= 2));
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) process.exit(error.exitCode === 0 ? 0 : 2);
    throw error;
  }
  if (program.args[0] === 'anchor') return;
  const selection = selectionSchema.safeParse(program.opts());
  if (!selection.success) return refuse(selection.error.issues.map((i) => i.message).join('; '));
  const { list, only, json } = selection.data;
  const checks = picked(only);
  if (list) {
    const rows = checks.map(({ id, section, title }) => ({ id, section, title }));
    process.stdout.write(json ? `${JSON.stringify({ checks: rows }, null, 2)}\n` : `${printCatalogue(checks)}\n`);
    process.exit(0);
  }
  const parsed = optionsSchema.safeParse(program.opts());
  if (!parsed.success) return refuse(parsed.error.issues.map((i) => i.message).join('; '));
  const o = parsed.data;
  if (o.country.length !== o.target.length || o.key.length !== o.target.length)
    return refuse('give one --country and one --key per --target');
  const kit = new ConformanceKit(o.port);
  await kit.start();
  let failed = 0;
  const report: Array<{ url: string; country: string; results: CheckResult[]; summary: ReturnType<typeof summarise> }> = [];
  try {
    for (const [i, url] of o.target.entries()) {
      const target = { url: url.replace(/\/$/, ''), country: o.country[i] as string, jwk: o.key[i] as never };
      const serial = Math.floor(Date.now() / 1000);
      if (!(await kit.publishTo(target, serial, o.wait * 1000)))
        process.stderr.write(
          `warning: ${target.url} did not take the kit's directory (serial ${serial}); was it initialised with --anchor ${KIT_ANCHOR} --liaison ${kit.url}?\n`,
        );
      const results = await runChecks(kit, target, {
        waitMs: o.wait * 1000,
        only,
        ...(o.drive ? { driver: driverFor(o.drive) } : {}),
      });
      if (!json) process.stdout.write(`\n${target.country} at ${target.url}\n${printTable(results)}\n`);
      report.push({ url: target.url, country: target.country, results, summary: summarise(results) });
      failed += summarise(results).failed;
    }
  } finally {
    await kit.stop();
  }
  if (json) process.stdout.write(`${JSON.stringify({ targets: report }, null, 2)}\n`);
  process.exit(failed > 0 ? 1 : 0);
}

await main();
