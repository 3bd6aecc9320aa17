/**
 * The operation over time: one bar per bucket (the server picks a bucket that fits the span, from a
 * minute to a week), empty buckets laid out too so time reads left to right at one scale, with a
 * labelled time axis and count axis. Bars stack referrals and signed statuses; each has a tooltip.
 */
export interface Bucket {
  at: number;
  size: number;
  referrals: number;
  statuses: number;
  arrests: number;
}

const W = 960;
const H = 220;
const PAD = { left: 48, right: 12, top: 12, bottom: 42 };
/** Drawn buckets at most (a span that would need more is cut at its newest end). */
const MAX_BARS = 400;

/** Every bucket from the first to the last, the missing ones empty. */
export function fillBuckets(buckets: Bucket[]): Bucket[] {
  const first = buckets[0];
  const last = buckets.at(-1);
  if (!first || !last) return [];
  const size = first.size;
  const byAt = new Map(buckets.map((b) => [b.at, b]));
  const out: Bucket[] = [];
  for (let at = Math.max(first.at, last.at - (MAX_BARS - 1) * size); at <= last.at; at += size)
    out.push(byAt.get(at) ?? { at, size, referrals: 0, statuses: 0, arrests: 0 });
  return out;
}

/** A round number of ticks for the count axis. */
function niceMax(n: number): number {
  if (n <= 5) return Math.max(1, n);
  const p = 10 ** Math.floor(Math.log10(n));
  const m = n / p;
  return (m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
}

export function Timeline({
  buckets,
  label,
  words,
  time,
  number,
}: {
  buckets: Bucket[];
  label: string;
  words: { referrals: string; statuses: string; arrests: string; bucket: string; count: string };
  /** Formats a bucket's start for the axis, given the bucket size (seconds). */
  time: (seconds: number, size: number) => string;
  number: (n: number) => string;
}) {
  const bars = fillBuckets(buckets);
  if (bars.length === 0) return null;
  const top = niceMax(Math.max(...bars.map((b) => b.referrals + b.statuses)));
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  // A few buckets would make wall-wide bars: cap their width and centre them.
  const bw = Math.min(plotW / bars.length, 48);
  const x0 = PAD.left + (plotW - bw * bars.length) / 2;
  const y = (n: number) => PAD.top + plotH - (plotH * n) / top;
  const tickEvery = Math.max(1, Math.ceil(bars.length / 8));
  return (
    <figure className="chart">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={label} className="timeline-chart">
        <title>{label}</title>
        {[0, top / 2, top].filter(Number.isInteger).map((v) => (
          <g key={v}>
            <line x1={PAD.left} x2={W - PAD.right} y1={y(v)} y2={y(v)} className="grid" />
            <text x={PAD.left - 6} y={y(v) + 4} textAnchor="end" className="axis">
              {number(v)}
            </text>
          </g>
        ))}
        {bars.map((b, i) => {
          const x = x0 + i * bw;
          const inner = Math.max(1, bw - 2);
          return (
            <g key={b.at} data-bucket={b.at}>
              <title>{`${time(b.at, b.size)} · ${words.referrals}: ${number(b.referrals)} · ${words.statuses}: ${number(b.statuses)} · ${words.arrests}: ${number(b.arrests)}`}</title>
              <rect x={x + 1} width={inner} y={y(b.referrals)} height={y(0) - y(b.referrals)} className="bar-referrals" />
              <rect
                x={x + 1}
                width={inner}
                y={y(b.referrals + b.statuses)}
                height={y(b.referrals) - y(b.referrals + b.statuses)}
                className="bar-statuses"
              />
              {i % tickEvery === 0 ? (
                <text x={x + bw / 2} y={H - PAD.bottom + 16} textAnchor="middle" className="axis">
                  {time(b.at, b.size)}
                </text>
              ) : null}
            </g>
          );
        })}
        <line x1={PAD.left} x2={W - PAD.right} y1={y(0)} y2={y(0)} className="axis-line" />
        <text x={PAD.left + plotW / 2} y={H - 6} textAnchor="middle" className="axis-title">
          {words.bucket}
        </text>
        <text x={12} y={PAD.top + plotH / 2} textAnchor="middle" className="axis-title" transform={`rotate(-90 12 ${PAD.top + plotH / 2})`}>
          {words.count}
        </text>
      </svg>
      <figcaption className="legend">
        <span>
          <span className="swatch bar-referrals" /> {words.referrals}
        </span>
        <span>
          <span className="swatch bar-statuses" /> {words.statuses}
        </span>
      </figcaption>
    </figure>
  );
}
