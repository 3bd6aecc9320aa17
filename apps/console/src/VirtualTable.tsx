/**
 * The referrals table, virtualised: only the visible rows are in the DOM, so 100,000 rows scroll
 * smoothly. A virtual list cannot be a <table>, so it carries the ARIA table roles itself.
 */
import { useVirtualizer } from '@tanstack/react-virtual';
import { useRef } from 'react';
import { useSession } from './session';

const date = (s: number) => new Date(s * 1000).toISOString().replace('T', ' ').slice(0, 16);

type Row = { id: string; from: string; to: string; ip: string; action: string; urgency: string; state: string; iat: number };

export function ReferralTable({ rows, onOpen }: { rows: Row[]; onOpen: (id: string) => void }) {
  const { t } = useSession();
  const parent = useRef<HTMLDivElement>(null);
  const virtual = useVirtualizer({ count: rows.length, getScrollElement: () => parent.current, estimateSize: () => 36, overscan: 12 });
  const cols = t.referrals.columns;
  return (
    <div className="vtable" role="table" aria-label={t.referrals.title} aria-rowcount={rows.length + 1}>
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
                  <button type="button" className="link" onClick={() => onOpen(r.id)}>
                    {date(r.iat)}
                  </button>
                </span>
                <span role="cell">{r.from}</span>
                <span role="cell">{r.to}</span>
                <span role="cell" className="mono">
                  {r.ip}
                </span>
                <span role="cell">{t.actions[r.action as keyof typeof t.actions] ?? r.action}</span>
                <span role="cell">{r.urgency}</span>
                <span role="cell">{t.states[r.state as keyof typeof t.states] ?? r.state}</span>
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}
