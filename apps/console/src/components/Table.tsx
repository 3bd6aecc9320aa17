/**
 * The console's plain data table: a row of column headers (scope="col", so a screen reader names each
 * cell by its column) over the rows its page renders, in a box that scrolls sideways on a narrow
 * screen instead of widening the page. It holds no data and never fetches; the page owns the rows.
 * Sortable headers (overview's per-country table) are their own thing and do not use it.
 */
import type { ReactNode } from 'react';

/** A header: its words, or the words with a class ('num' right-aligns figures) or read only by a screen reader. */
export type Column = string | { label: string; className?: string; screenReaderOnly?: boolean };

export function Table({ columns, children }: { columns: ReadonlyArray<Column | null | false>; children: ReactNode }) {
  return (
    <div className="scroll-x">
      <table>
        <thead>
          <tr>
            {columns.map((c) => {
              if (!c) return null;
              const col = typeof c === 'string' ? { label: c } : c;
              // A table's headers differ from each other, so the words are the key.
              return (
                <th key={col.label} scope="col" className={col.className}>
                  {col.screenReaderOnly ? <span className="sr-only">{col.label}</span> : col.label}
                </th>
              );
            })}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}
