/**
 * The referrals table, virtualised: only the visible rows are in the DOM, so 100,000 rows scroll
 * smoothly. A virtual list cannot be a <table>, so it carries the ARIA table roles itself.
 * A row's date opens the referral's signed history (#/history/ID).
 * It tells its owner when the reader nears the last loaded row, so the owner can load the next page.
 */
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useRef } from 'react';
import { word } from '../lib/i18n';
import { href } from '../lib/router';
import { useSession } from '../lib/session';

export type Row = { id: string; from: string; to: string; ip: string; action: string; urgency: string; state: string; iat: number };

/** How many rows before the last loaded one the next page is asked for: a page arrives before the end does. */
const NEAR_END = 300;

export function ReferralTable({
  rows,
  total,
  onNearEnd,
}: {
  rows: Row[];
  /** All rows the filter matches, loaded or not (for assistive technology's row count). */
  total: number;
  onNearEnd: () => void;
}) {
  const { t, f } = useSession();
  const parent = useRef<HTMLDivElement>(null);
  const virtual = useVirtualizer({ count: rows.length, getScrollElement: () => parent.current, estimateSize: () => 36, overscan: 12 });
  const cols = t.referrals.columns;
  const lastVisible = virtual.getVirtualItems().at(-1)?.index ?? -1;
  useEffect(() => {
    if (rows.length > 0 && lastVisible >= rows.length - NEAR_END) onNearEnd();
  }, [lastVisible, rows.length, onNearEnd]);
  return (
    <div className="vtable" role="table" aria-label={t.referrals.title} aria-rowcount={Math.max(total, rows.length) + 1}>
      <div role="rowgroup">
        <div role="row" className="vrow head">
          {[cols.date, cols.from, cols.to, cols.ip, cols.action, cols.urgency, cols.state].map((c) => (
            <span role="columnheader" key={c}>
              {c}
            </span>
          ))}
        </div>
      </div>
      <div ref={parent} className="vbody" role="rowgroup" tabIndex={0} aria-label={t.referrals.title}>
        <div style={{ height: virtual.getTotalSize(), position: 'relative' }}>
          {virtual.getVirtualItems().map((item) => {
            const r = rows[item.index] as Row;
            return (
              <div
                role="row"
                aria-rowindex={item.index + 2}
                key={r.id}
                className="vrow"
                style={{ position: 'absolute', top: 0, left: 0, right: 0, transform: `translateY(${item.start}px)` }}
              >
                <span role="cell">
                  <a href={href('history', r.id)}>{f.time(r.iat)}</a>
                </span>
                <span role="cell" title={f.country(r.from)}>
                  {r.from}
                </span>
                <span role="cell" title={f.country(r.to)}>
                  {r.to}
                </span>
                <span role="cell" className="mono">
                  {r.ip}
                </span>
                <span role="cell">{word(t.actions, r.action)}</span>
                <span role="cell">{word(t.urgencies, r.urgency)}</span>
                <span role="cell">{word(t.states, r.state)}</span>
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}
