import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Keystore } from './keystore.js';

describe('the keystore', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('writes private keys 0600 in a 0700 directory, and no private material in keys.json', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ks-'));
    dirs.push(dir);
    const ks = Keystore.open(dir);
    const meta = ks.create(1_800_000_000);
    expect(statSync(join(dir, 'keys')).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, 'keys', `${meta.kid}.pem`)).mode & 0o777).toBe(0o600);
    const listing = readFileSync(join(dir, 'keys', 'keys.json'), 'utf8');
    expect(listing).not.toMatch(/"d"|PRIVATE/);
    expect(readdirSync(join(dir, 'keys')).sort()).toEqual([`${meta.kid}.pem`, 'keys.json'].sort());
  });

  it('signs with the newest key the directory already lists, and keeps the old one until then', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ks-'));
    dirs.push(dir);
    const ks = Keystore.open(dir);
    const first = ks.create(1_800_000_000);
    const second = ks.create(1_800_000_100);
    expect(ks.signingKey(1_800_000_200, (kid) => kid === first.kid).kid).toBe(first.kid);
    expect(ks.signingKey(1_800_000_200, () => true).kid).toBe(second.kid);
    // Reopened from disk, the same keys are there.
    expect(Keystore.open(dir).signingKey(1_800_000_200).kid).toBe(second.kid);
  });
});
