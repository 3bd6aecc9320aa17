import { spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { sampleIpsFor } from '@firstlight/node';
import { afterAll, describe, expect, it } from 'vitest';
import { clientFor } from '../src/filing.js';
import { prng } from '../src/scenario.js';
import { runSimulation, type Simulation } from '../src/sim.js';
import { loadIndex } from '../src/truth.js';

const root = mkdtempSync(join(tmpdir(), 'firstlight-sim-'));
const other = mkdtempSync(join(tmpdir(), 'firstlight-sim-other-'));
const portBase = 18_700 + Math.floor(Math.random() * 500);
const options = {
  dataRoot: root,
  portBase,
  only: ['CN', 'HK', 'KH', 'VN', 'TH', 'MY'],
  referrals: 60,
  msPerDay: 0,
  leaveForPerson: true,
  stepSeconds: 0.05,
  console: false,
};
const MAIN = resolve(import.meta.dirname, '../src/main.ts');

/** Every simulation a test started is stopped, even when the test fails half-way (no orphan nodes). */
const running: Simulation[] = [];
afterAll(async () => {
  await Promise.all(running.map((s) => s.stop()));
  rmSync(root, { recursive: true, force: true });
  rmSync(other, { recursive: true, force: true });
});

const alive = (pid: number | undefined) => {
  if (pid === undefined) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** `pnpm start` with these flags, as a person runs it; resolves with its exit code and output. */
function start(...args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((res) => {
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += String(d);
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      res({ code, stderr });
    });
  });
}

describe('the simulation', () => {
  it('runs a small federation end to end, refuses a second instance, leaves a person their referrals, and resumes', async () => {
    const sim = await runSimulation(options);
    running.push(sim);
    expect(sim.resumed).toBe(false);
    expect(sim.nodes.map((n) => n.party).sort()).toEqual(['CN', 'HK', 'KH', 'LIAISON', 'MY', 'TH', 'VN']);

    // Each node's health answer names it: its own process and the key it signs with.
    const health = (await (await fetch(`${sim.urls.KH}/trpc/federation.health`)).json()) as {
      result: { data: { pid: number; kid: string } };
    };
    expect(health.result.data.pid).toBe(sim.nodes.find((n) => n.party === 'KH')?.child.pid);
    expect(health.result.data.kid).toMatch(/^[A-Za-z0-9_-]{43}$/);

    // A second `pnpm start` on the same folder, and one on another folder with the same ports: both
    // refused at once, naming the port and the other instance, before any node of theirs starts.
    const [again, ports] = await Promise.all([
      start('--data', root, '--port-base', String(portBase), '--no-console'),
      start('--data', other, '--port-base', String(portBase), '--no-console'),
    ]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(new RegExp(`another instance of the simulation \\(pid ${process.pid}.*port ${portBase}`));
    expect(ports.code).toBe(2);
    expect(ports.stderr).toContain(`port ${portBase} is already in use, held by another instance's node LIAISON`);
    // Refused before anything was set up: no node was initialised in the other folder, and its lock is gone.
    expect(readdirSync(other)).toEqual([]);

    // A referral a person files by hand is theirs to answer: the simulation never moves it.
    const cn = clientFor(sim.urls.CN as string, sim.tokens.CN?.officer as string);
    const { ids, evidence } = await cn.bureau.complaints.createMany.mutate({
      requestId: randomUUID(),
      complaints: [
        {
          victimName: 'Synthetic Person-Filed Victim',
          victimContact: 'person@example.invalid',
          amountLost: 1000,
          currency: 'CNY',
          scamType: 'fake_police',
          narrative: 'Filed by hand in the console.',
          occurredAt: '2015-06-02',
          reportedAt: '2015-06-03',
          attachments: [{ filename: 'note.txt', mediaType: 'text/plain', base64: Buffer.from('typed by hand').toString('base64') }],
        },
      ],
    });
    const [ip] = sampleIpsFor(loadIndex(), 'KH', 1, prng(7));
    const [byHand] = await cn.bureau.referrals.createMany.mutate({
      requestId: randomUUID(),
      referrals: [
        {
          complaintId: ids[0] as string,
          ip: ip as string,
          seenAt: '2015-06-02T10:00:00Z',
          evidence: evidence[0] ?? [],
          action: 'locate',
          urgency: 'routine',
          operation: sim.scenario.operation.id,
        },
      ],
    });
    expect(byHand?.ok).toBe(true);

    const final = await sim.done;
    expect(final.filed).toBe(60);
    // The referrals left for a person stay open: the simulation finished without them.
    expect(final.done).toBeGreaterThan(0);
    expect(final.done).toBeLessThan(60);
    const report = await sim.report();
    expect(report.referrals).toBe(60);
    expect(report.countries).toBe(6);
    // The small replay's correlation, pinned: a change that hurts the office's rule fails here.
    expect(report.correlation.precision).toBeGreaterThanOrEqual(0.95);
    expect(report.correlation.recall).toBeGreaterThanOrEqual(0.9);
    expect(report.callCentresIdentified).toBeGreaterThanOrEqual(report.correlation.truth - 1);
    const kh = clientFor(sim.urls.KH as string, sim.tokens.KH?.officer as string);
    const mine = await kh.bureau.inbox.get.query({ id: byHand?.ok ? byHand.id : '' });
    expect(mine.state).toBe('received');
    const pids = sim.nodes.map((n) => n.child.pid);
    await sim.stop();
    expect(pids.filter(alive)).toEqual([]);

    const resumed = await runSimulation(options);
    running.push(resumed);
    expect(resumed.resumed).toBe(true);
    expect(resumed.progress().filed).toBe(60);
    await resumed.stop();
    expect(resumed.nodes.map((n) => n.child.pid).filter(alive)).toEqual([]);
  });

  it('refuses bad flags with a clear message and exit code 2', () => {
    const run = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', MAIN, ...args], { encoding: 'utf8' });
    const wrongSize = run('--countries', '12');
    expect(wrongSize.status).toBe(2);
    expect(wrongSize.stderr).toContain('--countries must be 23');
    const notANumber = run('--referrals', 'many');
    expect(notANumber.status).toBe(2);
    expect(notANumber.stderr).toContain('must be a whole number');
    const unknown = run('--bogus');
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain("unknown option '--bogus'");
  });
});
