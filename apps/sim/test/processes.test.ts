import { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { causeFromLog, type NodeProcess } from '../src/processes.js';

const dir = mkdtempSync(join(tmpdir(), 'firstlight-sim-log-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const node = (text: string, logStart = 0): NodeProcess => {
  const log = join(dir, `${Math.random()}.log`);
  writeFileSync(log, text);
  return { party: 'KH', url: 'http://127.0.0.1:1', child: new ChildProcess(), log, logStart, exited: Promise.resolve(1) };
};

describe('why a node died, from its log', () => {
  it('names the last error line of this run (pino JSON), not an older run’s', () => {
    const old = `${JSON.stringify({ level: 50, msg: 'an old failure' })}\n`;
    const now = `${JSON.stringify({ level: 30, msg: 'starting' })}\n${JSON.stringify({ level: 60, msg: 'cannot listen', err: { message: 'listen EADDRINUSE: address already in use 127.0.0.1:9501' } })}\n`;
    expect(causeFromLog(node(old + now, Buffer.byteLength(old)))).toBe(
      'cannot listen: listen EADDRINUSE: address already in use 127.0.0.1:9501',
    );
  });

  it('falls back to a plain-text error line (an uncaught exception printed by Node)', () => {
    const text =
      'node:events:497\n      throw er;\nError: listen EADDRINUSE: address already in use 127.0.0.1:9502\n    at Server.setupListenHandle\n';
    expect(causeFromLog(node(text))).toContain('EADDRINUSE');
  });
});
