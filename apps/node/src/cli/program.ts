/**
 * The `firstlight` command tree, built once: the program's own flags (--version, --help), how usage
 * errors print (one `error ERR_INPUT: …` line, exit 2, like every other input error), and each group
 * of commands registered from its own file. Building it runs nothing; main.ts parses the command line.
 */
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { z } from 'zod';
import { registerAuditCommands } from './commands/audit.js';
import { registerBureauCommands } from './commands/bureau.js';
import { registerKeyCommands } from './commands/keys.js';
import { registerLiaisonCommands } from './commands/liaison.js';
import { registerNodeCommands } from './commands/node.js';
import { registerPrivacyCommands } from './commands/privacy.js';
import { registerTlsCommands } from './commands/tls.js';
import { PACKAGE_JSON } from './paths.js';
import { registerViews } from './views.js';

function version(): string {
  return z.object({ version: z.string() }).parse(JSON.parse(readFileSync(PACKAGE_JSON, 'utf8'))).version;
}

export function buildProgram(): Command {
  const program = new Command('firstlight')
    .description('A firstlight node: a country bureau or the liaison office')
    .version(version(), '-V, --version', 'print the version of firstlight')
    .helpOption('-h, --help', 'show help for a command')
    .helpCommand('help [command]', 'show help for a command')
    // Set before any command is added: subcommands inherit both.
    .showHelpAfterError('(add --help for usage)')
    .configureOutput({
      // commander's own usage errors (unknown option, missing value) get the stable code of every input error.
      outputError: (message, write) => write(message.replace(/^error: /, 'error ERR_INPUT: ')),
    })
    .exitOverride();
  registerNodeCommands(program);
  registerBureauCommands(program);
  registerViews(program);
  registerKeyCommands(program);
  registerAuditCommands(program);
  registerPrivacyCommands(program);
  registerLiaisonCommands(program);
  registerTlsCommands(program);
  return program;
}
