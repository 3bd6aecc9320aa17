/** `pnpm start`: replays Operation First Light on this machine. Ctrl-C stops every node cleanly. */
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { type Progress, runSimulation, SimError, type Simulation } from './sim.js';

function int(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('must be a whole number');
  return Number(value);
}

const program = new Command('firstlight-sim')
  .description('Replay Operation First Light as a simulation: a liaison office and national nodes as real processes, synthetic cases')
  .option('--countries <n>', 'federation size: 23 (First Light 2015) or 76 (First Light 2022)', int, 23)
  .option('--referrals <n>', 'how many synthetic referrals to file in all (default 300, or 1000 with 76 countries)', int)
  .option('--data <dir>', 'where the nodes keep their data (default .firstlight-sim at the repository root)')
  .option('--port-base <port>', 'the liaison office listens here, the countries on the next ports', int, 7700)
  .option('--fresh', 'wipe the data directory and start over', false)
  .option('--no-console', 'do not serve the web console')
  .option('--exit-when-done', 'stop once every referral is closed or declined', false)
  .option('--step-seconds <s>', 'seconds between status steps in receiving countries', int, 1)
  .option('--seed <n>', 'random seed for the synthetic cases', int, 2015)
  .option('--concurrency <n>', 'filers at work at once (each imports a chunk of cases per origin country)', int, 8)
  .showHelpAfterError()
  .exitOverride();

const line = (p: Progress) =>
  `filed ${p.filed}/${p.planned} · at liaison ${p.referrals} referrals, ${p.statuses} signed statuses · done ${p.done} · arrests ${p.arrests} · premises searched ${p.premisesSearched} · call centres dismantled ${p.callCentresDismantled}`;

async function main(): Promise<void> {
  // pnpm passes a literal "--" through to the script; it is not an option.
  const argv = process.argv.filter((a, i) => !(a === '--' && i >= 2));
  try {
    program.parse(argv);
  } catch (error) {
    if (error instanceof CommanderError) process.exit(error.exitCode === 0 ? 0 : 2);
    throw error;
  }
  const o = program.opts();
  if (o.countries !== 23 && o.countries !== 76) {
    process.stderr.write('error: --countries must be 23 (First Light 2015) or 76 (First Light 2022)\n');
    process.exit(2);
  }
  process.stdout.write(`firstlight simulation: Operation First Light with ${o.countries} countries (synthetic data)\n`);
  process.stdout.write('starting the liaison office and the national nodes…\n');
  let sim: Simulation;
  try {
    sim = await runSimulation({
      countries: o.countries,
      ...(o.referrals !== undefined ? { referrals: o.referrals } : {}),
      ...(o.data ? { dataRoot: o.data } : {}),
      portBase: o.portBase,
      fresh: o.fresh,
      console: o.console,
      exitWhenDone: o.exitWhenDone,
      stepSeconds: o.stepSeconds,
      concurrency: o.concurrency,
      seed: o.seed,
    });
  } catch (error) {
    process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(error instanceof SimError ? 2 : 1);
  }
  let closing = false;
  const shutdown = async (code: number) => {
    if (closing) return;
    closing = true;
    process.stdout.write('\nstopping every node…\n');
    await sim.stop();
    process.stdout.write('stopped. Run `pnpm start` again to resume from the data on disk.\n');
    process.exit(code);
  };
  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));

  const tokens = sim.tokens;
  process.stdout.write(
    [
      '',
      `${sim.resumed ? 'resumed' : 'federation ready'}: ${sim.nodes.length} node processes in ${(sim.readyMs / 1000).toFixed(1)} s`,
      sim.consoleBuilt
        ? `console: ${sim.consoleUrl}  (sign in with a token below)`
        : `liaison office API: ${sim.consoleUrl}/trpc  (the web console is not built: pnpm --filter @firstlight/console build)`,
      `liaison analyst token: ${tokens.LIAISON?.analyst}`,
      `liaison admin token:   ${tokens.LIAISON?.admin}`,
      'national bureaus (officer tokens; each node serves its own console at its URL):',
      ...Object.entries(sim.urls)
        .filter(([party]) => party !== 'LIAISON')
        .map(([party, url]) => `  ${party}  ${url}  ${tokens[party]?.officer}`),
      '',
      'Ctrl-C stops every node.',
      '',
    ].join('\n'),
  );
  const tty = process.stdout.isTTY;
  let last = '';
  const timer = setInterval(async () => {
    try {
      const text = line(await sim.progress());
      if (tty) process.stdout.write(`\r${text.padEnd(last.length)}`);
      else if (text !== last) process.stdout.write(`${text}\n`);
      last = text;
    } catch {
      // the liaison office is busy; next tick
    }
  }, 1000);
  const final = await sim.done;
  clearInterval(timer);
  // Stopped by a signal: `done` settles too, but the operation is not complete; shutdown() reports.
  if (closing) return;
  process.stdout.write(`\n${line(final)}\noperation complete: every referral is closed or declined.\n`);
  if (o.exitWhenDone) await shutdown(0);
  else process.stdout.write(`still serving (console: ${sim.consoleUrl}); Ctrl-C to stop.\n`);
}

await main();
