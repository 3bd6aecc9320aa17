import { describe, expect, it } from 'vitest';
import { runBench, table } from '../src/bench.js';

// The quick mode runs in CI so the benchmark never rots. It checks that every figure is measured and
// well-formed; it asserts no speed target (targets are for the full run, read by a person).
describe('pnpm bench --quick', () => {
  it('measures every figure and reports ratios to the machine ceiling', async () => {
    const result = await runBench({ quick: true });
    expect(result.mode).toBe('quick');
    expect(result.machine.cores).toBeGreaterThan(0);
    const names = result.figures.map((f) => f.name).join('\n');
    for (const part of [
      'raw Ed25519 verify, node:crypto',
      'WebCrypto',
      'protocol verify()',
      'ingest',
      'routing lookups',
      'routing data set load',
      'idle node',
      'holding',
      'lone referral',
      'federation',
    ])
      expect(names).toContain(part);
    for (const f of result.figures) {
      expect(Number.isFinite(f.value), f.name).toBe(true);
      expect(f.value, f.name).toBeGreaterThan(0);
      if (f.ratio) expect(f.ratio.value).toBeGreaterThan(0);
    }
    expect(table(result)).toContain('protocol verify()');
  });
});
