import { describe, expect, it } from 'vitest';
import { createMemberProbes, PROBE_INTERVAL_MS } from './member-probes.js';

const members = [
  { country: 'TH', endpoint: 'http://th.example' },
  { country: 'KH', endpoint: 'http://kh.example' },
];

function setup() {
  let now = 1_000_000;
  const calls: string[] = [];
  let release: () => void = () => {};
  let gate: Promise<void> | null = null;
  const probes = createMemberProbes(
    { now: () => now },
    {
      fetcher: async (endpoint) => {
        calls.push(endpoint);
        if (gate) await gate;
        return endpoint.includes('kh')
          ? { reachable: false, serial: null, queuedToLiaison: null }
          : { reachable: true, serial: 7, queuedToLiaison: 0 };
      },
    },
  );
  return {
    probes,
    calls,
    advance: (ms: number) => {
      now += ms;
    },
    hold: () => {
      gate = new Promise((r) => {
        release = r;
      });
    },
    release: () => {
      gate = null;
      release();
    },
  };
}

describe('the liaison office cache of member probes', () => {
  it('probes each member once per interval however many readers ask', async () => {
    const s = setup();
    const first = await s.probes.read(members);
    expect(first.get('TH')).toMatchObject({ reachable: true, serial: 7 });
    expect(first.get('KH')).toMatchObject({ reachable: false, serial: null });
    for (let i = 0; i < 10; i++) await s.probes.read(members);
    expect(s.calls).toHaveLength(2);
    s.advance(PROBE_INTERVAL_MS);
    await s.probes.read(members);
    expect(s.calls).toHaveLength(4);
  });

  it('lets concurrent readers share the probe in flight', async () => {
    const s = setup();
    s.hold();
    const readers = [s.probes.read(members), s.probes.read(members), s.probes.read(members)];
    await new Promise((r) => setTimeout(r, 10));
    s.release();
    const answers = await Promise.all(readers);
    expect(s.calls).toHaveLength(2);
    expect(answers.every((a) => a.get('TH')?.serial === 7)).toBe(true);
  });
});
