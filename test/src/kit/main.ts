/**
 * `pnpm conformance --target URL --country XX --key JWK [--port 7790] [--drive CMD]`: checks a running node over HTTP.
 * Exit code 0 when every check passes (skipped ones listed with their reason), 1 when any fails, 2 for bad flags.
 * `pnpm conformance anchor`: prints the trust anchor to pin when initialising the target.
 */
import { execFile } from 'node:child_process';
import { Command, CommanderError } from 'commander';
import { z } from 'zod';
import { ConformanceKit, KIT_ANCHOR, printTable, runChecks } from './kit.js';

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

const optionsSchema = z.object({
  target: z.array(z.url({ protocol: /^https?$/ })).min(1, { error: 'give at least one --target URL' }),
  country: z.array(z.string().regex(/^[A-Z]{2}$/, { error: '--country must be an ISO 3166-1 alpha-2 code' })),
  key: z.array(z.string()),
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

async function main() {
  const argv = process.argv.filter((a, i) => !(a === '--' && i >= 2));
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) process.exit(error.exitCode === 0 ? 0 : 2);
    throw error;
  }
  if (program.args[0] === 'anchor') return;
  const parsed = optionsSchema.safeParse(program.opts());
  if (!parsed.success) {
    process.stderr.write(`error: ${parsed.error.issues.map((i) => i.message).join('; ')}\n`);
    process.exit(2);
  }
  const o = parsed.data;
  if (o.country.length !== o.target.length || o.key.length !== o.target.length) {
    process.stderr.write('error: give one --country and one --key per --target\n');
    process.exit(2);
  }
  const kit = new ConformanceKit(o.port);
  await kit.start();
  let failed = 0;
  try {
    for (const [i, url] of o.target.entries()) {
      let jwk: unknown;
      try {
        jwk = JSON.parse(o.key[i] as string);
      } catch {
        process.stderr.write(`error: --key ${i + 1} is not JSON\n`);
        process.exit(2);
      }
      const target = { url: url.replace(/\/$/, ''), country: o.country[i] as string, jwk: jwk as never };
      const serial = Math.floor(Date.now() / 1000);
      if (!(await kit.publishTo(target, serial, o.wait * 1000)))
        process.stderr.write(
          `warning: ${target.url} did not take the kit's directory (serial ${serial}); was it initialised with --anchor ${KIT_ANCHOR} --liaison ${kit.url}?\n`,
        );
      const results = await runChecks(kit, target, {
        waitMs: o.wait * 1000,
        ...(o.drive ? { driver: driverFor(o.drive) } : {}),
      });
      process.stdout.write(`\n${target.country} at ${target.url}\n${printTable(results)}\n`);
      failed += results.filter((r) => !r.ok).length;
    }
  } finally {
    await kit.stop();
  }
  process.exit(failed > 0 ? 1 : 0);
}

await main();
