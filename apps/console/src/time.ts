/** How the console writes times: UTC minutes for events, short spans for countdowns, a ticking now. */
import { useEffect, useState } from 'react';

/** Seconds since the epoch as "YYYY-MM-DD HH:MM" (UTC): every party reads the same time. */
export function utcMinute(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace('T', ' ').slice(0, 16);
}

/** A duration in milliseconds as "2d 4h" or "3h 05m 09s" (sign ignored; the caller words it). */
export function span(ms: number): string {
  const s = Math.floor(Math.abs(ms) / 1000);
  const d = Math.floor(s / 86_400);
  const h = Math.floor((s % 86_400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  return d > 0 ? `${d}d ${h}h` : `${h}h ${String(m).padStart(2, '0')}m ${String(s % 60).padStart(2, '0')}s`;
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
