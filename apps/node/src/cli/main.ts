/** The `firstlight` command line. Every command has --help; listings take --json; errors say what to do. */
import { CommanderError } from 'commander';
import { EXIT_USAGE, failWith } from './output.js';
import { buildProgram } from './program.js';

try {
  await buildProgram().parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) process.exit(error.exitCode === 0 ? 0 : EXIT_USAGE);
  failWith(error);
}
