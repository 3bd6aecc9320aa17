import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runSimulation } from '../src/sim.js';

const root = mkdtempSync(join(tmpdir(), 'firstlight-sim-'));
const options = {
  dataRoot: root,
  portBase: 18_700 + Math.floor(Math.random() * 500),
  only: ['CN', 'HK', 'KH', 'VN'],
  referrals: 8,
  stepSeconds: 0.05,
  console: false,
};

afterAll(() => rmSync(root, { recursive: true, force: true }));

const alive = (pid: number | undefined) => {
  if (pid === undefined) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('the simulation', () => {
  it('runs a small federation end to end, resumes from disk, and leaves no process behind', async () => {
    const sim = await runSimulation(options);
    expect(sim.resumed).toBe(false);
    expect(sim.nodes.map((n) => n.party).sort()).toEqual(['CN', 'HK', 'KH', 'LIAISON', 'VN']);
    const final = await sim.done;
    expect(final.filed).toBe(8);
    expect(final.referrals).toBeGreaterThan(0);
    expect(final.done).toBe(final.referrals);
    expect(final.statuses).toBeGreaterThanOrEqual(final.referrals);
    const pids = sim.nodes.map((n) => n.child.pid);
    await sim.stop();
    expect(pids.filter(alive)).toEqual([]);

    const again = await runSimulation(options);
    expect(again.resumed).toBe(true);
    const p = await again.progress();
    expect(p.filed).toBe(8);
    expect(p.referrals).toBe(final.referrals);
    expect(p.arrests).toBe(final.arrests);
    await again.stop();
    expect(again.nodes.map((n) => n.child.pid).filter(alive)).toEqual([]);
  });

  it('refuses bad flags with a clear message and exit code 2', () => {
    const run = (...args: string[]) =>
      spawnSync(process.execPath, ['--import', 'tsx', resolve(import.meta.dirname, '../src/main.ts'), ...args], { encoding: 'utf8' });
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
