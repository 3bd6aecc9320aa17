/** How the console writes countdowns (short spans in the reader's units) and a ticking now. Dates: format.ts. */
import { useEffect, useState } from 'react';

/** The unit letters of a span, from the locale ({ d: 'd', h: 'h', m: 'm', s: 's' } in English). */
export type SpanUnits = { d: string; h: string; m: string; s: string };
const LATIN: SpanUnits = { d: 'd', h: 'h', m: 'm', s: 's' };

/** A duration in milliseconds as "2d 4h" or "3h 05m 09s" (sign ignored; the caller words it). */
export function span(ms: number, u: SpanUnits = LATIN): string {
  const s = Math.floor(Math.abs(ms) / 1000);
  const d = Math.floor(s / 86_400);
  const h = Math.floor((s % 86_400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  return d > 0 ? `${d}${u.d} ${h}${u.h}` : `${h}${u.h} ${String(m).padStart(2, '0')}${u.m} ${String(s % 60).padStart(2, '0')}${u.s}`;
}

/** The current time in milliseconds, re-rendering every second (countdowns). */
export function useNow(): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const id = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(id);
  }, []);
  return now;
}
