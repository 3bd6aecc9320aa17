/**
 * The commands every node has, whichever kind it is: `init` (create it), `start` (serve it) and
 * `token create` (operator tokens). Flags are parsed with zod before anything is created or opened;
 * a refused start prints its reason in the terminal, never only in a log line.
 */
import { existsSync, statSync } from 'node:fs';
import { type Command, Option } from 'commander';
import { z } from 'zod';
import { createToken, LIAISON_ROLES, NATIONAL_ROLES, roleSchema } from '../../auth/tokens.js';
import { configSchema, databaseUrl } from '../../config/config.js';
import { startNode } from '../../node.js';
import { anchor, common, country, existingDirectory, httpUrl, parseFlags, wholeNumber } from '../flags.js';
import { initNode } from '../init.js';
import { dataOption, requireNodeData, withNode } from '../node-session.js';
import { printResult } from '../output.js';
import { CONSOLE_DIST } from '../paths.js';

const NODE_ROLES = configSchema.shape.role.options;

const initFlags = z.strictObject({
  ...common,
  data: common.data.refine((d) => !existsSync(d) || statSync(d).isDirectory(), { error: 'must name a directory (this is a file)' }),
  role: z.enum(NODE_ROLES, { error: `must be one of ${NODE_ROLES.join(', ')}` }).default('national'),
  country: country.optional(),
  name: z.string().trim().min(1).max(120).optional(),
  host: z.string().min(1).default('127.0.0.1'),
  port: wholeNumber(0, 65_535).default(7400),
  operatorPort: wholeNumber(0, 65_535).optional(),
  insecurePlainHttp: z.boolean().default(false),
  publicUrl: httpUrl.optional(),
  liaison: httpUrl.optional(),
  anchor: anchor.optional(),
  database: databaseUrl.optional(),
});

const startFlags = z.strictObject({
  data: common.data,
  port: wholeNumber(0, 65_535).optional(),
  console: existingDirectory.optional(),
  database: databaseUrl.optional(),
});

const TOKEN_ROLES = `${NATIONAL_ROLES.join(', ')} (a national bureau) or ${LIAISON_ROLES.join(', ')} (the liaison office)`;
const tokenFlags = z.strictObject({
  ...common,
  role: z.enum(roleSchema.options, { error: `must be one of ${TOKEN_ROLES}` }),
  name: z.string().trim().min(1).max(120).default('operator'),
});

function registerInit(program: Command): void {
  program
    .command('init')
    .description('create a node: keys, config and database in --data')
    .addOption(dataOption())
    .addOption(
      new Option('--role <role>', `what this node is: ${NODE_ROLES.join(' | ')} (a country's bureau, or the liaison office)`).default(
        'national',
      ),
    )
    .option('--country <XX>', 'ISO 3166-1 alpha-2 code of this country (a national bureau)')
    .option('--name <name>', 'display name (default: the country name, or "Liaison office")')
    .option('--host <host>', 'listen address', '127.0.0.1')
    .addOption(new Option('--port <port>', 'federation listen port: the one other countries reach').default(7400))
    .option('--operator-port <port>', "operators' listener on 127.0.0.1: bureau API, console, metrics (default: --port + 1000)")
    .option('--insecure-plain-http', 'federation over plain HTTP, no TLS: anyone on the path reads every referral (test beds only)')
    .option('--public-url <url>', 'the URL other nodes reach this one at (default: https://HOST:PORT)')
    .option('--liaison <url>', "the liaison office's URL (a national bureau)")
    .option(
      '--anchor <thumbprint>',
      "the liaison office's trust anchor: its directory authority key's thumbprint, printed by `init --role liaison` there (a national bureau)",
    )
    .option('--database <url>', 'postgres:// URL (default: SQLite in the data directory; also FIRSTLIGHT_DATABASE_URL)')
    .option('--json', 'machine-readable output')
    .action(async (options: unknown) => {
      const o = parseFlags(initFlags, options);
      const result = await initNode({ ...o, country: o.country }, process.env);
      printResult(result, o.json, () =>
        (result.role === 'liaison'
          ? [
              `initialised the liaison office in ${result.dataDir}`,
              `signing key ${result.kid} (listed in every directory this office publishes)`,
              `trust anchor: ${result.anchor}`,
              'give the trust anchor to every member bureau out of band: each pins it with `firstlight init --anchor`',
            ]
          : [
              `initialised ${result.party} (national bureau) in ${result.dataDir}`,
              `signing key ${result.kid}`,
              `public key (give it to the liaison office, which enrols it with \`firstlight member add --key\`): ${JSON.stringify(result.publicJwk)}`,
              `TLS key pin (give it to the liaison office too: \`member add --tls-pin\`): ${result.tlsPin}`,
            ]
        )
          .concat(
            result.federationTransport === 'insecure-plain-http'
              ? ['WARNING: federation over plain HTTP (--insecure-plain-http): referrals cross the network in clear text']
              : [`federation (mutual TLS) at ${result.publicUrl}; operators (bureau API, console) at ${result.operatorUrl}`],
          )
          .join('\n'),
      );
    });
}

function registerStart(program: Command): void {
  program
    .command('start')
    .description('serve the node (federation API, bureau API, metrics, console) until Ctrl-C')
    .addOption(dataOption())
    .option('--port <port>', 'override the listen port')
    .option('--console <dir>', 'serve a built console from this directory (default: apps/console/dist when built)')
    .option('--database <url>', 'override the database: a postgres:// URL (also FIRSTLIGHT_DATABASE_URL)')
    .action(async (options: unknown) => {
      const o = parseFlags(startFlags, options);
      const node = await startNode({
        dataDir: requireNodeData(o.data),
        override: {
          ...(o.port !== undefined ? { listen: { host: '127.0.0.1', port: o.port } } : {}),
          ...(o.database !== undefined ? { database: o.database } : {}),
        },
        // The console built in this repository (apps/console/dist), unless another directory is given.
        consoleDir: o.console ?? CONSOLE_DIST,
      });
      // The first line names the operators' URL alone (scripts read it); the second says where peers reach it.
      process.stdout.write(
        `${node.ctx.config.party} listening on ${node.url}\n${
          node.federationUrl === node.url
            ? 'federation on the same URL, over plain HTTP (--insecure-plain-http)'
            : `federation (mutual TLS) on ${node.federationUrl}; bureau API, console and metrics on the URL above`
        }\n`,
      );
      for (const warning of node.warnings) process.stderr.write(`warning ${warning}\n`);
      const stop = async () => {
        await node.stop();
        process.exit(0);
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
}

function registerToken(program: Command): void {
  program
    .command('token')
    .description('operator tokens (for the console, the bureau API and /metrics)')
    .command('create')
    .description('create an operator token (shown once; only its hash is stored)')
    .addOption(dataOption())
    .requiredOption('--role <role>', `what the token may do: ${TOKEN_ROLES}`)
    .option('--name <name>', 'who holds it', 'operator')
    .option('--json', 'machine-readable output')
    .action(async (options: unknown) => {
      const o = parseFlags(tokenFlags, options);
      const created = await withNode(o.data, (n) =>
        createToken(n.ctx.db, { name: o.name, role: o.role, nodeRole: n.ctx.config.role, now: n.ctx.clock.now() }),
      );
      printResult(created, o.json, () => `${created.token}\n(role ${created.role}; store it now: it is not shown again)`);
    });
}

export function registerNodeCommands(program: Command): void {
  registerInit(program);
  registerStart(program);
  registerToken(program);
}
