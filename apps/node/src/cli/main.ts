/** The `firstlight` command line. Every command has --help; listings take --json; errors say what to do. */
import { createReadStream, readFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { auditHeadText, formatAuditHead } from '../audit/audit-head.js';
import { exportAudit, verifyAudit } from '../audit/audit-log.js';
import { createToken, roleSchema } from '../auth/tokens.js';
import { seconds, systemClock } from '../clock.js';
import { NodeError } from '../errors.js';
import { listReferralsIn } from '../inbox/queries.js';
import { complaintInput, createComplaint } from '../intake/complaints.js';
import { storeEvidence } from '../intake/evidence.js';
import { rotateKey } from '../keys/rotation.js';
import {
  addMember,
  createOperation,
  initAuthority,
  publishDirectory,
  pushDirectory,
  removeMember,
  revokeKey,
} from '../liaison/authority.js';
import { approveKey, pendingKeys } from '../liaison/key-submission.js';
import { startNode } from '../node.js';
import { createReferral } from '../referrals/referrals.js';
import { loadIpIndex } from '../routing/ip-index.js';
import { updateStatus } from '../status/status-updates.js';
import { initNode } from './init.js';
import { dataOption, withNode } from './node-session.js';
import { EXIT_USAGE, failWith, printResult, printTable } from './output.js';
import { registerViews } from './views.js';

const program = new Command('firstlight').description('A firstlight node: a country bureau or the liaison office').showHelpAfterError();
program.exitOverride();

function int(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('must be a whole number');
  return n;
}

function parseDatabaseUrl(value: string): string {
  if (!/^postgres(ql)?:\/\//.test(value))
    throw new NodeError('ERR_INPUT', '--database must be a postgres:// URL (SQLite in the data directory is the default)');
  return value;
}

program
  .command('init')
  .description('create a node: keys, config and database in --data')
  .addOption(dataOption())
  .option('--country <XX>', 'ISO 3166-1 alpha-2 code of this country')
  .addOption(new Option('--role <role>', 'national bureau or liaison office').choices(['national', 'liaison']).default('national'))
  .option('--name <name>', 'display name')
  .option('--host <host>', 'listen address', '127.0.0.1')
  .option('--port <port>', 'listen port', int, 7400)
  .option('--public-url <url>', 'URL other nodes reach this one at')
  .option('--liaison <url>', "the liaison office's URL")
  .option('--anchor <thumbprint>', "the directory authority key's thumbprint (from the liaison office)")
  .option('--database <url>', 'postgres:// URL (default: SQLite in the data directory)')
  .option('--json', 'machine-readable output')
  .action(async (o) => {
    const result = await initNode({ ...o, data: o.data }, process.env);
    printResult(result, o.json, () =>
      [
        `initialised ${result.party} (${result.role}) in ${result.dataDir}`,
        `signing key ${result.kid}`,
        `public key (give it to the liaison office): ${JSON.stringify(result.publicJwk)}`,
        result.role === 'liaison' ? `trust anchor (every node pins this): ${result.anchor}` : '',
      ]
        .filter(Boolean)
        .join('\n'),
    );
  });

program
  .command('start')
  .description('serve the node (federation API, bureau API, metrics, console)')
  .addOption(dataOption())
  .option('--port <port>', 'override the listen port', int)
  .option('--console <dir>', 'serve a built console from this directory (default: apps/console/dist when built)')
  .option('--database <url>', 'override the database: a postgres:// URL (also FIRSTLIGHT_DATABASE_URL)')
  .action(async (o) => {
    const node = await startNode({
      dataDir: resolve(o.data),
      override: {
        ...(o.port !== undefined ? { listen: { host: '127.0.0.1', port: o.port } } : {}),
        ...(o.database !== undefined ? { database: parseDatabaseUrl(o.database) } : {}),
      },
      // The console built in this repository (apps/console/dist), unless another directory is given.
      consoleDir: o.console ?? fileURLToPath(new URL('../../../console/dist', import.meta.url)),
    });
    process.stdout.write(`${node.ctx.config.party} listening on ${node.url}\n`);
    const stop = async () => {
      await node.stop();
      process.exit(0);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });

const token = program.command('token').description('operator tokens');
token
  .command('create')
  .description('create an operator token (shown once)')
  .addOption(dataOption())
  .requiredOption('--role <role>', 'officer | admin | auditor (national), analyst | admin (liaison)')
  .option('--name <name>', 'who holds it', 'operator')
  .option('--json', 'machine-readable output')
  .action(async (o) => {
    const role = roleSchema.parse(o.role);
    const created = await withNode(o.data, (n) =>
      createToken(n.ctx.db, { name: o.name, role, nodeRole: n.ctx.config.role, now: Date.now() }),
    );
    printResult(created, o.json, () => `${created.token}\n(role ${created.role}; store it now: it is not shown again)`);
  });

program
  .command('complaint')
  .description('record a complaint (personal data stays in this node)')
  .command('add')
  .addOption(dataOption())
  .requiredOption('--victim-name <name>')
  .requiredOption('--victim-contact <contact>')
  .requiredOption('--amount <amount>', 'amount lost', Number)
  .requiredOption('--currency <ISO4217>')
  .requiredOption('--scam-type <type>', 'fake_courier | fake_police | fake_arrest_warrant | investment | romance | tech_support | other')
  .requiredOption('--narrative <text>')
  .requiredOption('--occurred <date>', 'YYYY-MM-DD')
  .option('--reported <date>', 'YYYY-MM-DD (default today)')
  .option('--json', 'machine-readable output')
  .action(async (o) => {
    const input = complaintInput.parse({
      victimName: o.victimName,
      victimContact: o.victimContact,
      amountLost: o.amount,
      currency: o.currency,
      scamType: o.scamType,
      narrative: o.narrative,
      occurredAt: o.occurred,
      reportedAt: o.reported ?? new Date().toISOString().slice(0, 10),
    });
    const c = await withNode(o.data, (n) => createComplaint(n.ctx.db, input, 'cli', Date.now()));
    printResult({ id: c.id }, o.json, () => `complaint ${c.id}`);
  });

program
  .command('evidence')
  .description('evidence files (only their SHA-256 is ever shared)')
  .command('add')
  .addOption(dataOption())
  .requiredOption('--complaint <id>')
  .requiredOption('--file <path>')
  .option('--json', 'machine-readable output')
  .action(async (o) => {
    const stored = await withNode(o.data, (n) =>
      storeEvidence(n.ctx.db, {
        dataDir: n.ctx.dataDir,
        complaintId: o.complaint,
        filename: basename(o.file),
        mediaType: 'application/octet-stream',
        body: createReadStream(o.file),
        maxBytes: n.ctx.config.evidenceMaxBytes,
        now: Date.now(),
      }),
    );
    printResult(stored, o.json, () => stored.digest);
  });

program
  .command('refer')
  .description('refer a suspect IP from a complaint to the country that holds it')
  .addOption(dataOption())
  .requiredOption('--complaint <id>')
  .requiredOption('--ip <ip>')
  .requiredOption('--seen-at <time>', 'when the IP was observed, UTC (2015-06-01T12:00:00Z)')
  .requiredOption('--evidence <digest...>', 'sha256:… of evidence files added to the complaint')
  .requiredOption('--action <action>', 'locate | preserve | identify_subscriber | search_premises | arrest | takedown')
  .option('--urgency <urgency>', 'routine | urgent | emergency', 'routine')
  .requiredOption('--operation <id>')
  .option('--port <port>', 'source port (behind carrier-grade NAT)', int)
  .option('--to <XX>', 'override the routed country')
  .option('--reason <text>', 'why the routed country is overridden')
  .option('--json', 'machine-readable output')
  .action(async (o) => {
    const result = await withNode(o.data, (n) =>
      createReferral(
        n.ctx,
        loadIpIndex(),
        {
          complaintId: o.complaint,
          ip: o.ip,
          seenAt: o.seenAt,
          evidence: o.evidence,
          action: o.action,
          urgency: o.urgency,
          operation: o.operation,
          ...(o.port !== undefined ? { port: o.port } : {}),
          ...(o.to ? { overrideCountry: o.to, overrideReason: o.reason } : {}),
        },
        'cli',
      ),
    );
    printResult({ id: result.id, to: result.to }, o.json, () => `referral ${result.id} queued for ${result.to} (and the liaison office)`);
  });

program
  .command('inbox')
  .description('incoming referrals with their deadlines')
  .addOption(dataOption())
  .option('--json', 'machine-readable output')
  .action(async (o) => {
    const rows = await withNode(o.data, (n) => listReferralsIn(n.ctx.db, { limit: 500 }, Date.now()));
    printResult(rows, o.json, () =>
      printTable(
        rows.map((r) => ({ ...r, deadline: new Date(r.deadlineAt).toISOString() })),
        ['id', 'from', 'ip', 'action', 'urgency', 'state', 'deadline'],
      ),
    );
  });

program
  .command('status')
  .description('send a signed status on an incoming referral back to its origin')
  .addOption(dataOption())
  .requiredOption('--referral <id>')
  .requiredOption('--state <state>', 'acknowledged | in_progress | located | action_taken | declined | closed')
  .option('--suspects <n>', 'suspects identified', int)
  .option('--arrests <n>', 'arrests', int)
  .option('--premises <n>', 'premises searched', int)
  .option('--call-centres <n>', 'call centres dismantled', int)
  .option('--reason <code>', 'reason code for declined')
  .option('--json', 'machine-readable output')
  .action(async (o) => {
    const counts = [o.suspects, o.arrests, o.premises, o.callCentres];
    const outcome = counts.some((c) => c !== undefined)
      ? {
          suspectsIdentified: o.suspects ?? 0,
          arrests: o.arrests ?? 0,
          premisesSearched: o.premises ?? 0,
          callCentresDismantled: o.callCentres ?? 0,
        }
      : undefined;
    const result = await withNode(o.data, (n) =>
      updateStatus(n.ctx, {
        referralId: o.referral,
        state: o.state,
        ...(outcome ? { outcome } : {}),
        ...(o.reason ? { reason: o.reason } : {}),
      }),
    );
    printResult(result, o.json, () => `status ${result.id} queued`);
  });

const keys = program.command('keys').description('signing keys');
keys
  .command('list')
  .addOption(dataOption())
  .option('--json', 'machine-readable output')
  .action(async (o) => {
    const list = await withNode(o.data, async (n) => n.ctx.keys.list().map((k) => ({ kid: k.kid, nbf: k.nbf, exp: k.exp, jwk: k.jwk })));
    printResult(list, o.json, () =>
      printTable(
        list.map((k) => ({ ...k, jwk: JSON.stringify(k.jwk) })),
        ['kid', 'nbf', 'exp', 'jwk'],
      ),
    );
  });
keys
  .command('rotate')
  .description('create a new key and submit it to the liaison office, signed with the current key')
  .addOption(dataOption())
  .option('--json', 'machine-readable output')
  .action(async (o) => {
    const result = await withNode(o.data, async (n) => {
      await n.ctx.directory.refresh().catch(() => undefined);
      return rotateKey(n.ctx);
    });
    printResult(result, o.json, () => `new key ${result.kid}: ${result.message}`);
    if (!result.submitted) process.exitCode = 1;
  });

const audit = program.command('audit').description('the hash-chained audit log');
audit
  .command('verify')
  .description('check the chain and that nothing was cut off its end; prints the head to write down')
  .addOption(dataOption())
  .option(
    '--expect-head <seq>:<hash>',
    'a head written down earlier (from `audit verify`): the log must still hold that entry unchanged',
    (value: string) => {
      const parsed = auditHeadText.safeParse(value);
      if (!parsed.success) throw new InvalidArgumentError(parsed.error.issues.map((i) => i.message).join('; '));
      return parsed.data;
    },
  )
  .option('--json', 'machine-readable output')
  .action(async (o) => {
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
  .description('write the log as JSON Lines to stdout')
  .addOption(dataOption())
  .action(async (o) => {
    await withNode(o.data, async (n) => {
      for await (const line of exportAudit(n.ctx.db)) process.stdout.write(line);
    });
  });

const directory = program.command('directory').description('directory authority (liaison office)');
directory
  .command('init')
  .description('create the authority key (once) and print the trust anchor')
  .addOption(dataOption())
  .action((o) => {
    const { anchor, created } = initAuthority(resolve(o.data));
    process.stdout.write(`${created ? 'created' : 'existing'} authority key; trust anchor: ${anchor}\n`);
  });
directory
  .command('publish')
  .description('sign and publish the next directory serial, and tell members')
  .addOption(dataOption())
  .option('--validity-days <n>', 'days until it expires', int, 30)
  .option('--json', 'machine-readable output')
  .action(async (o) => {
    const result = await withNode(o.data, async (n) => {
      const published = await publishDirectory(n.ctx, { validitySeconds: o.validityDays * 86400 });
      const pushed = await pushDirectory(n.ctx, published.serial);
      return { serial: published.serial, ...pushed };
    });
    printResult(
      result,
      o.json,
      () =>
        `published directory serial ${result.serial}; notified ${result.notified} members${result.failed.length ? ` (unreachable: ${result.failed.join(', ')})` : ''}`,
    );
  });

const member = program.command('member').description('federation members (liaison office)');
member
  .command('add')
  .addOption(dataOption())
  .requiredOption('--country <XX>')
  .requiredOption('--name <name>')
  .requiredOption('--endpoint <url>')
  .requiredOption('--key <jwk>', 'the public JWK as JSON, or @file')
  .action(async (o) => {
    const text = o.key.startsWith('@') ? readFileSync(o.key.slice(1), 'utf8') : o.key;
    let jwk: unknown;
    try {
      jwk = JSON.parse(text);
    } catch {
      throw new NodeError('ERR_INPUT', '--key must be a JWK in JSON ({"kty":"OKP","crv":"Ed25519","x":"…"})');
    }
    const { kid } = await withNode(o.data, (n) =>
      addMember(n.ctx.db, { country: o.country.toUpperCase(), name: o.name, endpoint: o.endpoint, jwk, now: Date.now() }),
    );
    process.stdout.write(`enrolled ${o.country.toUpperCase()} with key ${kid}; run \`firstlight directory publish\` to publish\n`);
  });
member
  .command('remove')
  .addOption(dataOption())
  .requiredOption('--country <XX>')
  .action(async (o) => {
    await withNode(o.data, (n) => removeMember(n.ctx.db, o.country.toUpperCase()));
    process.stdout.write(`removed ${o.country.toUpperCase()}; publish to take effect\n`);
  });

const memberKey = program.command('key').description('member keys (liaison office)');
memberKey
  .command('pending')
  .description('keys members submitted for rotation, awaiting approval')
  .addOption(dataOption())
  .option('--json', 'machine-readable output')
  .action(async (o) => {
    const rows = await withNode(o.data, (n) => pendingKeys(n.ctx));
    printResult(rows, Boolean(o.json), () =>
      rows.length === 0
        ? 'no keys awaiting approval'
        : printTable(
            rows.map((r) => ({ kid: r.kid, country: r.country, expires: new Date(r.exp * 1000).toISOString() })),
            ['kid', 'country', 'expires'],
          ),
    );
  });
memberKey
  .command('approve')
  .description('accept a submitted key into the next directory')
  .addOption(dataOption())
  .requiredOption('--kid <kid>')
  .action(async (o) => {
    const r = await withNode(o.data, (n) => approveKey(n.ctx, o.kid));
    process.stdout.write(`approved ${r.kid} for ${r.country}; publish to take effect\n`);
  });
memberKey
  .command('revoke')
  .addOption(dataOption())
  .requiredOption('--kid <kid>')
  .requiredOption('--reason <text>')
  .action(async (o) => {
    await withNode(o.data, (n) => revokeKey(n.ctx.db, { kid: o.kid, reason: o.reason, now: Date.now() }));
    process.stdout.write(`revoked ${o.kid}; publish to take effect\n`);
  });

program
  .command('operation')
  .description('operations (liaison office)')
  .command('create')
  .addOption(dataOption())
  .requiredOption('--id <slug>')
  .requiredOption('--name <name>')
  .requiredOption('--start <date>')
  .requiredOption('--end <date>')
  .option('--participants <XX...>', 'participant countries', [])
  .action(async (o) => {
    await withNode(o.data, (n) =>
      createOperation(n.ctx.db, {
        id: o.id,
        name: o.name,
        start: o.start,
        end: o.end,
        participants: o.participants.map((p: string) => p.toUpperCase()),
      }),
    );
    process.stdout.write(`operation ${o.id} saved; publish to take effect\n`);
  });

registerViews(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) process.exit(error.exitCode === 0 ? 0 : EXIT_USAGE);
  failWith(error);
}

export { seconds, systemClock };
