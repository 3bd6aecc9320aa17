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
      "routing index read from the bundle's prebuilt file",
      'idle node',
      'holding',
      'lone referral',
      'federation',
      'lifecycle floor',
    ])
      expect(names).toContain(part);
    for (const f of result.figures) {
      expect(Number.isFinite(f.value), f.name).toBe(true);
      expect(f.value, f.name).toBeGreaterThan(0);
      if (f.ratio) expect(f.ratio.value).toBeGreaterThan(0);
    }
    expect(table(result)).toContain('protocol verify()');
    // Issue #22: the federation's CPU per referral, its floor measured in the same run, their ratio and target.
    const federation = result.figures.find((f) => f.name.startsWith('federation'));
    for (const field of ['cpuPerReferralMs', 'floorMs', 'ratioToFloor'] as const) {
      expect(Number.isFinite(federation?.[field]), field).toBe(true);
      expect(federation?.[field], field).toBeGreaterThan(0);
    }
    expect(federation?.cpuPerReferralTarget).toEqual({ op: '<=', value: 1.5, moonshot: 0.6, unit: 'ms' });
    const floor = result.figures.find((f) => f.name.startsWith('lifecycle floor'))?.floor;
    expect(floor?.us).toBeCloseTo((federation?.floorMs ?? 0) * 1000);
    expect(floor?.signatures).toBeGreaterThan(1 + (floor?.shape.statusesPerReferral ?? 0));
    expect(floor?.shape.national.deliveries).toBeGreaterThan(0);
    expect(table(result)).toMatch(
      /CPU per referral, all processes: [\d.]+ ms = [\d.]+ × lifecycle floor \([\d.]+ ms\) \(target ≤ 1\.5 ms: (met|MISSED); moonshot ≤ 0\.6 ms: (met|MISSED)\)/,
    );
  });
});
