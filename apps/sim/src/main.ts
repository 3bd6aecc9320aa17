/**
 * `pnpm start`: replays Operation First Light on this machine. It says only what happened: a second
 * instance is refused at once, a node that dies at start-up is named with its cause, and Ctrl-C (at any
 * moment) stops every node and says so. With --json, stdout carries only the final JSON object.
 */
import { relative } from 'node:path';
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { LockError } from './lock.js';
import { humanReport } from './report.js';
import { scenarioSizeSchema } from './scenario.js';
import { tokensFile } from './setup.js';
import { type Progress, runSimulation, SimError, type Simulation } from './sim.js';

function int(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('must be a whole number');
  return Number(value);
}
function decimal(value: string): number {
  if (!/^\d+(\.\d+)?$/.test(value)) throw new InvalidArgumentError('must be a number of seconds');
  return Number(value);
}

const program = new Command('firstlight-sim')
  .description('Replay Operation First Light as a simulation: a liaison office and national nodes as real processes, synthetic cases')
  .option('--countries <n>', 'federation size: 23 (First Light 2015), 76 (First Light 2022) or 196 (every INTERPOL member)', int, 23)
  .option('--referrals <n>', 'how many synthetic referrals to file in all (default 300; 1000 with 76 countries, 2000 with 196)', int)
  .option('--data <dir>', 'where the nodes keep their data (default .firstlight-sim at the repository root)')
  .option(
    '--port-base <port>',
    'the liaison office listens here, the countries on the next ports (federation: 100 above, 200 with 196)',
    int,
    7700,
  )
  .option('--fresh', 'wipe the data directory and start over', false)
  .option('--no-console', 'do not serve the web console')
  .option('--exit-when-done', 'stop once every referral the simulation works is closed or declined', false)
  .option('--json', 'print the final figures and the correlation score as one JSON object on stdout (the rest goes to stderr)', false)
  .option('--seconds-per-day <s>', 'pace of the replay: real seconds per operation day (about 4 minutes for 2015)', decimal, 1)
  .option('--fast', "today's fastest pace: file every case at once and move statuses as fast as the machine goes", false)
  .option('--step-seconds <s>', 'with --fast: seconds between status rounds', decimal, 1)
  .option('--seed <n>', 'random seed: the same seed replays the same operation', int, 2015)
  .option('--concurrency <n>', 'with --fast: filers at work at once', int, 8)
  .showHelpAfterError()
  .exitOverride();

const line = (p: Progress) =>
  `${p.day ? `${p.day} · ` : ''}filed ${p.filed}/${p.planned}${p.filing > 0 ? ` (${p.filing} being filed)` : ''} · at the liaison office ${p.referrals} referrals, ${p.statuses} signed statuses, ${p.done} closed or declined · arrests ${p.arrests} · call centres dismantled ${p.callCentresDismantled}`;

/** A path as a person types it: relative to here when it is below here, else absolute. */
const shown = (path: string) => {
  const rel = relative(process.cwd(), path);
  return rel === '' ? '.' : rel.startsWith('..') ? path : rel;
};

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
  const size = scenarioSizeSchema.safeParse(o.countries);
  if (!size.success) {
    process.stderr.write(`error: --countries ${size.error.issues[0]?.message}\n`);
    process.exit(2);
  }
  const say = (text: string) => (o.json ? process.stderr : process.stdout).write(text);
  say(`firstlight simulation: Operation First Light with ${o.countries} countries (synthetic data)\n`);
  say('starting the liaison office and the national nodes…\n');

  // Ctrl-C is honoured from the first moment: during start-up it abandons the start and stops the nodes.
  let interrupted = false;
  let sim: Simulation | null = null;
  let closing = false;
  const shutdown = async () => {
    if (closing) return;
    closing = true;
    say('\nstopping every node…\n');
    const result = sim ? await sim.stop() : { stopped: 0, killed: [] as string[] };
    say(
      `stopped: ${result.stopped} node processes${result.killed.length > 0 ? ` (${result.killed.join(', ')} had to be killed)` : ''}. Run \`pnpm start\` again to resume from the data on disk.\n`,
    );
    process.exit(0);
  };
  process.on('SIGINT', () => {
    interrupted = true;
    if (sim) void shutdown();
  });
  process.on('SIGTERM', () => {
    interrupted = true;
    if (sim) void shutdown();
  });

  try {
    sim = await runSimulation({
      countries: size.data,
      ...(o.referrals !== undefined ? { referrals: o.referrals } : {}),
      ...(o.data ? { dataRoot: o.data } : {}),
      portBase: o.portBase,
      fresh: o.fresh,
      console: o.console,
      exitWhenDone: o.exitWhenDone,
      msPerDay: o.fast ? 0 : Math.round(o.secondsPerDay * 1000),
      leaveForPerson: true,
      stepSeconds: o.stepSeconds,
      concurrency: o.concurrency,
      seed: o.seed,
      aborted: () => interrupted,
    });
  } catch (error) {
    if (interrupted) {
      say(
        '\nstopping every node…\nstopped: every node process this run started. Run `pnpm start` again to resume from the data on disk.\n',
      );
      process.exit(0);
    }
    process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(error instanceof SimError || error instanceof LockError ? 2 : 1);
  }
  if (interrupted) return void shutdown();
  const running = sim;

  const tokens = running.tokens;
  const tokenList = shown(tokensFile(running.dataRoot));
  say(
    [
      '',
      `${running.resumed ? 'resumed' : 'federation ready'}: ${running.nodes.length} node processes in ${(running.readyMs / 1000).toFixed(1)} s`,
      running.consoleBuilt
        ? `console: ${running.consoleUrl}  (sign in with a token below)`
        : `liaison office API: ${running.consoleUrl}/trpc  (the web console is not built: pnpm --filter @firstlight/console build)`,
      `liaison analyst token: ${tokens.LIAISON?.analyst}`,
      `liaison admin token:   ${tokens.LIAISON?.admin}`,
      'national bureaus (officer tokens; each node serves its own console at its URL):',
      ...Object.entries(running.urls)
        .filter(([party]) => party !== 'LIAISON')
        .map(([party, url]) => `  ${party}  ${url}  ${tokens[party]?.officer}`),
      `auditor and admin tokens of every country, and these: ${tokenList}`,
      `  (or mint one: pnpm firstlight token create --data ${shown(running.dataRoot)}/<COUNTRY> --role auditor)`,
      o.fast
        ? 'pace: as fast as the machine goes (--fast)'
        : `pace: ${o.secondsPerDay} s per operation day; the simulation works only the referrals it filed, and leaves 2 in each receiving country's inbox for you`,
      '',
      'Ctrl-C stops every node.',
      '',
    ].join('\n'),
  );
  const tty = !o.json && process.stdout.isTTY;
  let last = '';
  let finished = false;
  const tick = () => {
    if (finished || closing) return;
    const text = line(running.progress());
    if (tty) process.stdout.write(`\r${text.padEnd(last.length)}`);
    else if (text !== last) say(`${text}\n`);
    last = text;
  };
  tick();
  const timer = setInterval(tick, 1000);
  const final = await running.done;
  finished = true;
  clearInterval(timer);
  // Stopped by a signal: `done` settles too, but the operation is not complete; shutdown() reports.
  if (closing) return;
  say(`${tty ? '\n' : ''}${line(final)}\noperation complete: every referral the simulation works is closed or declined.\n`);
  const report = await running.report();
  if (o.json) process.stdout.write(`${JSON.stringify(report)}\n`);
  else say(humanReport(report, running.scenario, o.seed));
  if (o.exitWhenDone) {
    closing = true;
    const result = await running.stop();
    say(`stopped: ${result.stopped} node processes.\n`);
    process.exit(0);
  }
  say(`still serving (console: ${running.consoleUrl}); Ctrl-C to stop.\n`);
}

await main();
