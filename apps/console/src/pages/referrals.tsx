/**
 * The liaison office's referrals table. It pages through the API's cursor as the reader scrolls, so it
 * can hold every referral of an operation (100,000 and more) while only the visible rows are in the
 * DOM. It never asks for more than the API's page limit. Filters live in the URL.
 */
import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { useCallback, useMemo } from 'react';
import { CodeOptions } from '../components/options';
import { ReferralTable, type Row } from '../components/VirtualTable';
import { ACTIONS, REFERRAL_STATES as STATES } from '../lib/constants';
import { format } from '../lib/i18n';
import { useUrlFilters } from '../lib/router';
import { ErrorNote, LIVE, useSession } from '../lib/session';
import type { PageDef } from './page';

/** The API's maximum page (liaison.referrals limit). */
const PAGE = 1000;
/** The newest rows, polled live; older pages are fetched once as the reader scrolls to them. */
const HEAD = 200;
const KEYS = ['ip', 'country', 'action', 'state', 'operation'] as const;

function toFilter(f: Record<(typeof KEYS)[number], string>) {
  return {
    ...(f.ip.length >= 2 ? { ip: f.ip } : {}),
    ...(f.country.length >= 2 ? { country: f.country.toUpperCase() } : {}),
    ...(f.action ? { action: f.action as (typeof ACTIONS)[number] } : {}),
    ...(f.state ? { state: f.state as (typeof STATES)[number] } : {}),
    ...(f.operation ? { operation: f.operation } : {}),
  };
}

/** Newest first, each referral once: the live head wins, since its state is the freshest. */
export function mergeRows(head: Row[], pages: Row[][]): Row[] {
  const seen = new Set<string>();
  const out: Row[] = [];
  for (const list of [head, ...pages])
    for (const r of list) {
      if (seen.has(r.id)) continue;
      seen.add(r.id);
      out.push(r);
    }
  return out;
}

function Referrals() {
  const { client, t, f } = useSession();
  const { filters, setFilter } = useUrlFilters(KEYS);
  const filter = toFilter(filters);
  // Polling every page of a 100,000-row list every 2 s would be 100 requests; the head alone is live.
  const head = useQuery({
    queryKey: ['referrals-head', filter],
    queryFn: () => client.liaison.referrals.query({ ...filter, limit: HEAD }),
    ...LIVE,
  });
  const older = useInfiniteQuery({
    queryKey: ['referrals', filter],
    queryFn: ({ pageParam }) => client.liaison.referrals.query({ ...filter, limit: PAGE, ...(pageParam ? { cursor: pageParam } : {}) }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
    staleTime: 60_000,
  });
  const rows = useMemo(
    () =>
      mergeRows(
        head.data?.items ?? [],
        (older.data?.pages ?? []).map((p) => p.items),
      ),
    [head.data, older.data],
  );
  const total = head.data?.total ?? older.data?.pages[0]?.total ?? 0;
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = older;
  const onNearEnd = useCallback(() => {
    if (hasNextPage && !isFetchingNextPage) void fetchNextPage();
  }, [hasNextPage, isFetchingNextPage, fetchNextPage]);
  const set = (k: (typeof KEYS)[number]) => (e: { target: { value: string } }) => setFilter(k, e.target.value);
  return (
    <>
      <h1>{t.referrals.title}</h1>
      <form className="filters" onSubmit={(e) => e.preventDefault()}>
        <label>
          {t.referrals.searchIp}
          <input value={filters.ip} onChange={set('ip')} placeholder="203.0.113.7" />
        </label>
        <label>
          {t.referrals.country}
          <input value={filters.country} onChange={set('country')} maxLength={7} size={4} />
          {/^[A-Za-z]{2}$/.test(filters.country) ? <span className="help">{f.country(filters.country.toUpperCase())}</span> : null}
        </label>
        <label>
          {t.referrals.action}
          <select value={filters.action} onChange={set('action')}>
            <option value="">{t.referrals.any}</option>
            <CodeOptions codes={ACTIONS} words={t.actions} />
          </select>
        </label>
        <label>
          {t.referrals.state}
          <select value={filters.state} onChange={set('state')}>
            <option value="">{t.referrals.any}</option>
            <CodeOptions codes={STATES} words={t.states} />
          </select>
        </label>
        <label>
          {t.referrals.operation}
          <input value={filters.operation} onChange={set('operation')} size={16} />
        </label>
      </form>
      <ErrorNote error={head.error ?? older.error} />
      <p aria-live="polite" data-loaded={rows.length} data-total={total}>
        {format(t.referrals.total, { count: f.number(total) })} ·{' '}
        {format(t.referrals.loaded, { loaded: f.number(Math.min(rows.length, total)), count: f.number(total) })}
        {isFetchingNextPage ? ` · ${t.referrals.loadingMore}` : hasNextPage ? ` · ${t.referrals.scrollForMore}` : ''}
      </p>
      <ReferralTable rows={rows} total={total} onNearEnd={onNearEnd} />
    </>
  );
}

export const referralsPage: PageDef = {
  id: 'referrals',
  label: (t) => t.nav.referrals,
  roles: ['liaison.read'],
  nav: true,
  Component: Referrals,
};
