/** Time as a dependency: domain code asks the clock, tests move it. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A clock shifted by a fixed offset (simulating a skewed machine in tests). */
export function offsetClock(offsetMs: number, base: Clock = systemClock): Clock {
  return { now: () => base.now() + offsetMs };
}

export const seconds = (ms: number): number => Math.floor(ms / 1000);
