/**
 * The systemd unit in deploy/ (OPERATIONS.md §10): systemd itself accepts it, and the command it runs is
 * one the `firstlight` CLI has, with the options it passes.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BIN } from './harness.js';

const UNIT = fileURLToPath(new URL('../../deploy/systemd/firstlight@.service', import.meta.url));
const hasSystemd = spawnSync('systemd-analyze', ['--version']).status === 0;

describe('deploy/systemd/firstlight@.service', () => {
  it.skipIf(!hasSystemd)('passes systemd-analyze verify', () => {
    const result = spawnSync('systemd-analyze', ['verify', UNIT], { encoding: 'utf8' });
    expect(result.stderr.trim()).toBe('');
    expect(result.status).toBe(0);
  });

  it('runs `firstlight start --data` for its instance, which the CLI documents', () => {
    const exec = /^ExecStart=(.*)$/m.exec(readFileSync(UNIT, 'utf8'))?.[1] ?? '';
    expect(exec).toMatch(/apps\/node\/bin\/firstlight\.mjs start --data \/srv\/firstlight\/%i$/);
    const help = execFileSync(process.execPath, [BIN, 'start', '--help'], { encoding: 'utf8' });
    expect(help).toContain('--data <dir>');
  });
});
