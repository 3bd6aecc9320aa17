/**
 * An operation's own calendar, for a replay: when an exercise or a simulation compresses months of an
 * operation into minutes, the liaison office's views (timeline, history) may show the operation's days
 * instead of today's. The replay writes <data>/operation-clock.json; this module reads and checks it,
 * and maps a real time to the operation's time. It never changes a stored time: signatures keep theirs.
 * A real operation has no such file, and every view shows real times.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

export const OPERATION_CLOCK_FILE = 'operation-clock.json';

export const operationClockSchema = z.strictObject({
  operation: z.string().min(1).max(64),
  /** The operation's first day (YYYY-MM-DD, UTC): operation day 0. */
  calendarStart: z.iso.date(),
  /** Shown beside every mapped time, e.g. "replay: 1 s = 1 day of First Light 2015". */
  label: z.string().min(1).max(200),
  /** From `at` (real ms since epoch) on, operation day = `day` + (t − at) / msPerDay. Ascending by `at`. */
  segments: z
    .array(z.strictObject({ at: z.int().min(0), day: z.number().min(0), msPerDay: z.number().positive() }))
    .min(1)
    .max(10_000),
});

export type OperationClock = z.infer<typeof operationClockSchema>;

/** The clock the replay left in the data folder, or null (none, or not one this module accepts). */
export function readOperationClock(dataDir: string): OperationClock | null {
  const file = join(dataDir, OPERATION_CLOCK_FILE);
  if (!existsSync(file)) return null;
  try {
    const parsed = operationClockSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** The operation's time (ms since epoch, on its own calendar) for a real time in ms. */
export function toOperationTime(clock: OperationClock, realMs: number): number {
  let seg = clock.segments[0] as OperationClock['segments'][number];
  for (const s of clock.segments) if (s.at <= realMs) seg = s;
  const day = seg.day + (realMs - seg.at) / seg.msPerDay;
  return Date.parse(`${clock.calendarStart}T00:00:00Z`) + Math.round(day * 86_400_000);
}
