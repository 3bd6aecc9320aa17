/**
 * The audit log: browse its entries a page at a time, newest first, by kind and time window (filters
 * in the URL), and verify the whole hash chain. Read only.
 */
import { useMutation, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Table } from '../components/Table';
import { format } from '../lib/i18n';
import { useUrlFilters } from '../lib/router';
import { ErrorNote, useSession } from '../lib/session';
import type { PageDef } from './page';

// privacy: reads of personal data, review extensions and erasures (the node's privacy log, issue #21).
const KINDS = ['sent', 'received', 'receipt', 'received.rejected', 'privacy', 'privacy.read', 'privacy.erase'] as const;
const PAGE = 50;

/** A datetime-local value ("2026-12-05T10:00", the reader's time) as ms since the epoch, or undefined. */
const localMs = (v: string): number | undefined => (v && !Number.isNaN(new Date(v).getTime()) ? new Date(v).getTime() : undefined);

function Audit() {
  const { client, t, f } = useSession();
  const { filters, setFilter } = useUrlFilters(['kind', 'from', 'to'] as const);
  // The cursor stack: the first entry of each page already seen, so Previous goes back exactly.
  const [cursors, setCursors] = useState<number[]>([]);
  const before = cursors.at(-1);
  const kindOk = filters.kind === '' || /^[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)*$/.test(filters.kind);
  const input = {
    limit: PAGE,
    ...(filters.kind && kindOk ? { kind: filters.kind } : {}),
    ...(localMs(filters.from) !== undefined ? { from: localMs(filters.from) } : {}),
    ...(localMs(filters.to) !== undefined ? { to: localMs(filters.to) } : {}),
    ...(before !== undefined ? { before } : {}),
  };
  const page = useQuery({ queryKey: ['audit', input], queryFn: () => client.bureau.audit.list.query(input) });
  const verify = useMutation({ mutationFn: () => client.bureau.audit.verify.query() });
  const result = verify.data as { ok?: boolean; entries?: number; brokenAt?: number } | undefined;
  const set = (k: 'kind' | 'from' | 'to') => (e: { target: { value: string } }) => {
    setCursors([]);
    setFilter(k, e.target.value);
  };
  return (
    <>
      <h1>{t.audit.title}</h1>
      <section aria-labelledby="verify-title">
        <h2 id="verify-title">{t.audit.chain}</h2>
        <p className="help">{t.audit.chainHelp}</p>
        <button type="button" onClick={() => verify.mutate()}>
          {t.audit.verify}
        </button>
        <ErrorNote error={verify.error} />
        {result ? (
          <p role="status" className={result.ok ? '' : 'warn'}>
            {result.ok
              ? format(t.audit.intact, { count: f.number(result.entries ?? 0) })
              : format(t.audit.broken, { seq: result.brokenAt ?? '?' })}
          </p>
        ) : null}
      </section>
      <section aria-labelledby="entries-title">
        <h2 id="entries-title">{t.audit.entries}</h2>
        <form className="filters" onSubmit={(e) => e.preventDefault()}>
          <label>
            {t.audit.kind}
            <input
              list="audit-kinds"
              value={filters.kind}
              onChange={set('kind')}
              aria-invalid={kindOk ? undefined : true}
              aria-describedby={kindOk ? undefined : 'audit-kind-problem'}
            />
            <datalist id="audit-kinds">
              {KINDS.map((k) => (
                <option key={k} value={k} />
              ))}
            </datalist>
          </label>
          {kindOk ? null : (
            <span id="audit-kind-problem" className="field-error">
              {t.audit.kindShape}
            </span>
          )}
          <label>
            {t.audit.from}
            <input type="datetime-local" value={filters.from} onChange={set('from')} />
          </label>
          <label>
            {t.audit.to}
            <input type="datetime-local" value={filters.to} onChange={set('to')} />
          </label>
        </form>
        <ErrorNote error={page.error} />
        {page.data?.entries.length === 0 ? <p>{t.empty}</p> : null}
        <Table columns={[{ label: t.audit.seq, className: 'num' }, t.audit.at, t.audit.kind, t.audit.ref, t.audit.digest]}>
          {(page.data?.entries ?? []).map((e) => (
            <tr key={e.seq} data-seq={e.seq}>
              <td className="num">{f.number(e.seq)}</td>
              <td>{f.time(e.at / 1000)}</td>
              <td className="mono">{e.kind}</td>
              <td className="mono small">{e.ref}</td>
              <td className="mono small" title={e.digest}>
                {e.digest.slice(0, 19)}…
              </td>
            </tr>
          ))}
        </Table>
        <div className="buttons">
          {cursors.length > 0 ? (
            <button type="button" onClick={() => setCursors(cursors.slice(0, -1))}>
              {t.paging.newer}
            </button>
          ) : null}
          {page.data?.next ? (
            <button type="button" onClick={() => setCursors([...cursors, page.data?.next as number])}>
              {t.paging.older}
            </button>
          ) : null}
        </div>
      </section>
    </>
  );
}

export const auditPage: PageDef = { id: 'audit', label: (t) => t.nav.audit, roles: ['bureau.audit'], nav: true, Component: Audit };
