/**
 * The replay's clock: operation days passing at a set pace of real time (by default one second per
 * day), continued across runs. Each run adds a segment to the liaison office's operation clock
 * (<LIAISON>/operation-clock.json, read by the office's timeline and history through the node's
 * operation-clock.ts), so the console shows the operation's own days, labelled as a replay. Signed
 * messages keep their real times; this clock only says which operation day a real moment was.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { OPERATION_CLOCK_FILE, type OperationClock, operationClockSchema } from '@firstlight/node';
import type { Scenario } from './scenario.js';
import { DAY_MS } from './truth.js';

export class ReplayClock {
  private readonly at = Date.now();

  constructor(
    liaisonDir: string,
    private readonly scenario: Scenario,
    private readonly startDay: number,
    private readonly msPerDay: number,
  ) {
    // At the fastest pace there is no pace to map: the office shows real times for that run.
    if (msPerDay > 0) this.publish(join(liaisonDir, OPERATION_CLOCK_FILE));
  }

  private publish(file: string) {
    let clock: OperationClock | null = null;
    try {
      const parsed = operationClockSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
      clock = parsed.success && parsed.data.operation === this.scenario.operation.id ? parsed.data : null;
    } catch {
      clock = null;
    }
    const segment = { at: this.at, day: this.startDay, msPerDay: this.msPerDay };
    const next: OperationClock = {
      operation: this.scenario.operation.id,
      calendarStart: this.scenario.operation.start,
      label: `replay of ${this.scenario.operation.name}: ${this.msPerDay / 1000} s of real time = 1 operation day (signatures keep real times)`,
      segments: [...(clock?.segments ?? []), segment].slice(-10_000),
    };
    writeFileSync(`${file}.tmp`, JSON.stringify(next, null, 1));
    renameSync(`${file}.tmp`, file);
  }

  /** Operation days since the operation's first day. */
  day(): number {
    if (this.msPerDay === 0) return this.startDay;
    return this.startDay + (Date.now() - this.at) / this.msPerDay;
  }

  /** Milliseconds of real time until operation day `day` (Infinity at the fastest pace or for day Infinity). */
  msUntil(day: number): number {
    if (this.msPerDay === 0 || !Number.isFinite(day)) return Number.POSITIVE_INFINITY;
    return (day - this.day()) * this.msPerDay;
  }

  /** "2015-06-14 (day 14 of the operation)". */
  label(): string {
    const d = Math.floor(this.day());
    const date = new Date(Date.parse(`${this.scenario.operation.start}T00:00:00Z`) + d * DAY_MS).toISOString().slice(0, 10);
    return `${date} (day ${d + 1} of the operation)`;
  }
}
