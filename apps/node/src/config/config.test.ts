import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NodeError } from '../errors.js';
import { loadConfig } from './config.js';

function withConfig(content: string, check: (dir: string) => void) {
  const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
  try {
    writeFileSync(join(dir, 'config.json'), content);
    check(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('node configuration', () => {
  it('says what to run when there is no node', () => {
    expect(() => loadConfig('/nonexistent-firstlight')).toThrow(/firstlight init/);
  });

  it('refuses broken JSON and unknown fields with ERR_CONFIG', () => {
    withConfig('{', (dir) => expect(() => loadConfig(dir)).toThrow(NodeError));
    withConfig(
      JSON.stringify({
        party: 'TH',
        role: 'national',
        name: 'x',
        listen: { host: '127.0.0.1', port: 1 },
        publicUrl: 'http://x',
        liaisonUrl: null,
        anchor: null,
        surprise: 1,
      }),
      (dir) => {
        try {
          loadConfig(dir);
          expect.unreachable();
        } catch (error) {
          expect((error as NodeError).code).toBe('ERR_CONFIG');
        }
      },
    );
  });

  it('refuses a made-up country', () => {
    withConfig(
      JSON.stringify({
        party: 'XK',
        role: 'national',
        name: 'x',
        listen: { host: '127.0.0.1', port: 1 },
        publicUrl: 'http://x',
        liaisonUrl: null,
        anchor: null,
      }),
      (dir) => expect(() => loadConfig(dir)).toThrow(/party/),
    );
  });

  it('takes the database from FIRSTLIGHT_DATABASE_URL', () => {
    withConfig(
      JSON.stringify({
        party: 'TH',
        role: 'national',
        name: 'x',
        listen: { host: '127.0.0.1', port: 1 },
        publicUrl: 'http://x',
        liaisonUrl: null,
        anchor: null,
      }),
      (dir) => expect(loadConfig(dir, { FIRSTLIGHT_DATABASE_URL: 'postgres://db/x' }).database).toBe('postgres://db/x'),
    );
  });
});
