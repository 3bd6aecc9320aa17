import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { verifyDirectory } from './directory.js';
import { type ErrorCode, errorCodes } from './errors.js';
import { createTrustStore } from './trust-store.js';
import {
  buildVectors,
  type DirectoryVector,
  type MessageVector,
  runDirectoryVector,
  runMessageVector,
  type VectorFile,
} from './vectors.js';

const file = JSON.parse(readFileSync(resolve(import.meta.dirname, '../vectors/firstlight-v1.json'), 'utf8')) as VectorFile;
const messages = file.vectors.filter((v): v is MessageVector => v.kind !== 'directory');
const directories = file.vectors.filter((v): v is DirectoryVector => v.kind === 'directory');

describe('protocol test vectors', () => {
  it('has at least 40 invalid cases and one for every code verify can produce', () => {
    const invalid = file.vectors.filter((v) => !v.expect.ok);
    expect(invalid.length).toBeGreaterThanOrEqual(40);
    const codes = new Set(invalid.map((v) => (v.expect.ok ? '' : v.expect.code)));
    // Every code but those verify and verifyDirectory never produce: a new code fails here until a vector shows it.
    // ERR_STATUS_ORDER is judged against the statuses a party holds (vectors/status-order.json).
    const notFromVerify: ErrorCode[] = ['ERR_KEY_INVALID', 'ERR_SEAL_MISMATCH', 'ERR_SEAL_STALE', 'ERR_STATUS_ORDER'];
    for (const code of errorCodes.filter((c) => !notFromVerify.includes(c))) expect(codes, code).toContain(code);
  });

  it.each(directories.map((v) => [v.name, v] as const))('directory vector %s', async (_name, v) => {
    const r = await runDirectoryVector(v);
    if (v.expect.ok) {
      expect(r.ok).toBe(true);
      if (r.ok) expect({ serial: r.directory.serial, stale: r.stale }).toEqual({ serial: v.expect.serial, stale: v.expect.stale });
    } else {
      expect(r.ok ? 'OK' : r.error.code).toBe(v.expect.code);
    }
  });

  it.each(messages.map((v) => [v.name, v] as const))('message vector %s', async (_name, v) => {
    const held = file.directories[v.context.directory];
    if (!held) throw new Error(`no directory ${v.context.directory}`);
    const dir = await verifyDirectory(held.jws, { anchor: held.anchor, now: v.context.now });
    if (!dir.ok) throw new Error(dir.error.message);
    const r = await runMessageVector(v, createTrustStore(dir.directory));
    if (v.expect.ok) {
      expect(r.ok ? r.message : r.error.code).toEqual(v.expect.message);
    } else {
      expect(r.ok ? 'OK' : r.error.code).toBe(v.expect.code);
      if (!r.ok) expect(r.error.message.length).toBeGreaterThan(10);
    }
  });

  it('are exactly what the generator produces (run `pnpm --filter @firstlight/protocol vectors` after a change)', async () => {
    expect(JSON.parse(JSON.stringify(await buildVectors()))).toEqual(file);
  });
});
