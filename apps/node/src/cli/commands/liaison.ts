/**
 * The liaison office's directory authority from the command line: the authority key (`directory
 * init`), members and their keys (`member add|remove`, `member key pending|approve|revoke`), operations,
 * and publishing the signed directory. Every command is refused on a national node (ERR_WRONG_ROLE).
 * `key …`, the old name of `member key …`, still runs but says it is deprecated, on stderr: it was too
 * easy to confuse with `keys …`, a node's own keys.
 */
import { readFileSync } from 'node:fs';
import { tlsPin } from '@firstlight/protocol';
import { type Command, Option } from 'commander';
import { z } from 'zod';
import { NodeError } from '../../errors.js';
import {
  addMember,
  createOperation,
  initAuthority,
  publishDirectory,
  pushDirectory,
  removeMember,
  revokeKey,
} from '../../liaison/authority.js';
import { approveKey, pendingKeys } from '../../liaison/key-submission.js';
import { common, countries, country, date, existingFile, httpUrl, parseFlags, wholeNumber } from '../flags.js';
import { jsonTimes } from '../json-times.js';
import { dataOption, withNode } from '../node-session.js';
import { printResult, printTable } from '../output.js';
import { timeMs, timeS } from '../view-format.js';

const liaison = (command: string) => ({ role: 'liaison' as const, command });
const kid = z.string().regex(/^[A-Za-z0-9_-]{43}$/, { error: 'must be a key id (43 characters, as `member key pending` lists it)' });
const text = (max: number) => z.string().trim().min(1).max(max);

const publishFlags = z.strictObject({ ...common, validityDays: wholeNumber(1, 366).default(30) });
const memberAddFlags = z.strictObject({
  ...common,
  country,
  name: text(120),
  endpoint: httpUrl,
  key: text(10_000),
  tlsPin: z.array(tlsPin, { error: 'must be the TLS key pin `init` printed (43 characters)' }).min(1).max(4).optional(),
});
const memberRemoveFlags = z.strictObject({ ...common, country });
const keyFlags = z.strictObject({ ...common, kid });
const revokeFlags = z.strictObject({ ...common, kid, reason: text(500) });
const operationFlags = z.strictObject({
  ...common,
  id: z
    .string()
    .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, { error: 'must be a lowercase slug (a-z, 0-9, single dashes), such as first-light-2015' }),
  name: text(120),
  start: date,
  end: date,
  participants: countries.default([]),
});

/** --key: the JWK as JSON, or @file with it. A missing file or bad JSON is an input error naming the flag. */
function memberJwk(value: string): unknown {
  const file = value.startsWith('@') ? parseFlags(z.strictObject({ key: existingFile }), { key: value.slice(1) }).key : null;
  try {
    return JSON.parse(file === null ? value : readFileSync(file, 'utf8'));
  } catch {
    throw new NodeError(
      'ERR_INPUT',
      `--key must be a JWK in JSON ({"kty":"OKP","crv":"Ed25519","x":"…"})${file ? `; ${file} holds none` : ''}`,
    );
  }
}

function registerDirectory(program: Command): void {
  const directory = program.command('directory').description('the signed federation directory (liaison office)');
  directory
    .command('init')
    .description('create the directory authority key (once) and print the trust anchor members pin')
    .addOption(dataOption())
    .option('--json', 'machine-readable output')
    .action(async (options: unknown) => {
      const o = parseFlags(z.strictObject(common), options);
      const result = await withNode(o.data, async (n) => initAuthority(n.ctx.dataDir), liaison('directory init'));
      printResult(result, o.json, () => `${result.created ? 'created' : 'existing'} authority key; trust anchor: ${result.anchor}`);
    });
  directory
    .command('publish')
    .description('sign and publish the next directory serial, and tell members')
    .addOption(dataOption())
    .addOption(new Option('--validity-days <n>', 'days until it expires (1–366)').default(30))
    .option('--json', 'machine-readable output')
    .action(async (options: unknown) => {
      const o = parseFlags(publishFlags, options);
      const result = await withNode(
        o.data,
        async (n) => {
          const published = await publishDirectory(n.ctx, { validitySeconds: o.validityDays * 86400 });
          const pushed = await pushDirectory(n.ctx, published.serial);
          return { serial: published.serial, ...pushed };
        },
        liaison('directory publish'),
      );
      const unreachable = result.failed.length ? ` (unreachable: ${result.failed.join(', ')})` : '';
      printResult(result, o.json, () => `published directory serial ${result.serial}; notified ${result.notified} members${unreachable}`);
    });
}

/** The `member key` commands, registered under `member key` and under the deprecated `key`. */
function registerMemberKeys(keys: Command, name: string): void {
  keys
    .command('pending')
    .description('keys members submitted for rotation, awaiting approval')
    .addOption(dataOption())
    .option('--json', 'machine-readable output')
    .action(async (options: unknown) => {
      const o = parseFlags(z.strictObject(common), options);
      const rows = await withNode(o.data, (n) => pendingKeys(n.ctx), liaison(`${name} pending`));
      printResult(jsonTimes(rows, { nbf: 's', exp: 's', submittedAt: 'ms' }), o.json, () =>
        rows.length === 0
          ? 'no keys awaiting approval'
          : printTable(
              rows.map((r) => ({ kid: r.kid, country: r.country, submitted: timeMs(r.submittedAt), expires: timeS(r.exp) })),
              ['kid', 'country', 'submitted', 'expires'],
            ),
      );
    });
  keys
    .command('approve')
    .description('accept a submitted key into the next directory')
    .addOption(dataOption())
    .requiredOption('--kid <kid>', 'the key id (from `member key pending`)')
    .action(async (options: unknown) => {
      const o = parseFlags(keyFlags, options);
      const r = await withNode(o.data, (n) => approveKey(n.ctx, o.kid), liaison(`${name} approve`));
      process.stdout.write(`approved ${r.kid} for ${r.country}; publish to take effect\n`);
    });
  keys
    .command('revoke')
    .description("revoke a member's key: refused everywhere from the next directory serial")
    .addOption(dataOption())
    .requiredOption('--kid <kid>', 'the key id (the directory and `firstlight health` list them)')
    .requiredOption('--reason <text>', 'why, as published in the directory (e.g. "laptop seized")')
    .action(async (options: unknown) => {
      const o = parseFlags(revokeFlags, options);
      await withNode(
        o.data,
        (n) => revokeKey(n.ctx.db, { kid: o.kid, reason: o.reason, now: n.ctx.clock.now() }),
        liaison(`${name} revoke`),
      );
      process.stdout.write(`revoked ${o.kid}; publish to take effect\n`);
    });
}

function registerMembers(program: Command): void {
  const member = program.command('member').description('federation members and their keys (liaison office)');
  member
    .command('add')
    .description("enrol a country's node with its public key (published with the next directory)")
    .addOption(dataOption())
    .requiredOption('--country <XX>', 'ISO 3166-1 alpha-2 code of the member country')
    .requiredOption('--name <name>', 'display name, e.g. Thailand')
    .requiredOption('--endpoint <url>', "the URL of the member's node (its --public-url)")
    .requiredOption('--key <jwk>', 'its public JWK as JSON (printed by its `init`), or @file holding it')
    .option(
      '--tls-pin <pin...>',
      'its TLS key pin, printed by its `init` (two during a TLS key rotation; given again, they replace the pins held)',
    )
    .action(async (options: unknown) => {
      const o = parseFlags(memberAddFlags, options);
      const jwk = memberJwk(o.key);
      const { kid } = await withNode(
        o.data,
        (n) =>
          addMember(n.ctx.db, {
            country: o.country,
            name: o.name,
            endpoint: o.endpoint,
            jwk,
            now: n.ctx.clock.now(),
            ...(o.tlsPin ? { tlsPins: o.tlsPin } : {}),
          }),
        liaison('member add'),
      );
      process.stdout.write(`enrolled ${o.country} with key ${kid}; run \`firstlight directory publish\` to publish\n`);
    });
  member
    .command('remove')
    .description('remove a member country and its keys (from the next directory)')
    .addOption(dataOption())
    .requiredOption('--country <XX>', 'ISO 3166-1 alpha-2 code of the member country')
    .action(async (options: unknown) => {
      const o = parseFlags(memberRemoveFlags, options);
      await withNode(o.data, (n) => removeMember(n.ctx.db, o.country), liaison('member remove'));
      process.stdout.write(`removed ${o.country}; publish to take effect\n`);
    });
  registerMemberKeys(member.command('key').description("members' signing keys: rotations to approve, revocations"), 'member key');

  const deprecated = program
    .command('key', { hidden: true })
    .description('deprecated: the old name of `member key` (it prints a warning and runs `member key`)')
    .hook('preAction', (_, action) => {
      process.stderr.write(`warning: \`firstlight key ${action.name()}\` is deprecated; use \`firstlight member key ${action.name()}\`\n`);
    });
  registerMemberKeys(deprecated, 'member key');
}

function registerOperations(program: Command): void {
  program
    .command('operation')
    .description('operations, published in the directory (liaison office)')
    .command('create')
    .description('define an operation, or update it by its id (published with the next directory)')
    .addOption(dataOption())
    .requiredOption('--id <slug>', 'its id, a lowercase slug such as first-light-2015 (referrals cite it)')
    .requiredOption('--name <name>', 'display name, e.g. "First Light 2015"')
    .requiredOption('--start <date>', 'first day, YYYY-MM-DD')
    .requiredOption('--end <date>', 'last day, YYYY-MM-DD')
    .option('--participants <XX...>', 'participant countries, ISO 3166-1 alpha-2 codes')
    .action(async (options: unknown) => {
      const o = parseFlags(operationFlags, options);
      if (o.end < o.start) throw new NodeError('ERR_INPUT', `--end ${o.end} is before --start ${o.start}`);
      await withNode(
        o.data,
        (n) => createOperation(n.ctx.db, { id: o.id, name: o.name, start: o.start, end: o.end, participants: o.participants }),
        liaison('operation create'),
      );
      process.stdout.write(`operation ${o.id} saved; publish to take effect\n`);
    });
}

export function registerLiaisonCommands(program: Command): void {
  registerDirectory(program);
  registerMembers(program);
  registerOperations(program);
}
