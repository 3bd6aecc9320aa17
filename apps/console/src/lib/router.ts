/**
 * Hash routes: `#/page`, `#/page/arg` (a case's id) and `?key=value` filters, so every view (a filtered
 * work queue, one referral, a map filtered by a country) has a URL a person can bookmark or send. It
 * never stores state of its own: the URL is the state, read on every hash change.
 */
import { useCallback, useEffect, useState } from 'react';

export interface Route {
  page: string;
  arg: string | null;
  params: URLSearchParams;
}

export function parseHash(hash: string): Route {
  const body = hash.replace(/^#\/?/, '');
  const q = body.indexOf('?');
  const path = q < 0 ? body : body.slice(0, q);
  const [page = '', ...rest] = path.split('/').map((p) => decodeURIComponent(p));
  return {
    page,
    arg: rest.length > 0 && rest.join('/') !== '' ? rest.join('/') : null,
    params: new URLSearchParams(q < 0 ? '' : body.slice(q + 1)),
  };
}

/** The URL of a page, its case id and its filters (empty values left out). */
export function href(page: string, arg?: string | null, params?: Record<string, string | null | undefined>): string {
  const query = new URLSearchParams();
  for (const [k, v] of Object.entries(params ?? {})) if (v) query.set(k, v);
  const q = query.toString();
  return `#/${page}${arg ? `/${encodeURIComponent(arg)}` : ''}${q ? `?${q}` : ''}`;
}

export function navigate(to: string, options: { replace?: boolean } = {}): void {
  if (options.replace) window.history.replaceState(null, '', to);
  else window.history.pushState(null, '', to);
  // pushState and replaceState do not fire hashchange: tell the app ourselves.
  window.dispatchEvent(new HashChangeEvent('hashchange'));
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseHash(window.location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseHash(window.location.hash));
    window.addEventListener('hashchange', onChange);
    window.addEventListener('popstate', onChange);
    return () => {
      window.removeEventListener('hashchange', onChange);
      window.removeEventListener('popstate', onChange);
    };
  }, []);
  return route;
}

/**
 * A page's filters, kept in the URL: `filters` reads them (with defaults for the missing ones) and
 * `setFilter` writes one, replacing the history entry so typing in a filter does not fill Back.
 */
export function useUrlFilters<K extends string>(
  keys: readonly K[],
): {
  filters: Record<K, string>;
  setFilter: (key: K, value: string) => void;
} {
  const route = useRoute();
  const filters = Object.fromEntries(keys.map((k) => [k, route.params.get(k) ?? ''])) as Record<K, string>;
  const setFilter = useCallback((key: K, value: string) => {
    const now = parseHash(window.location.hash);
    const next: Record<string, string> = Object.fromEntries(now.params.entries());
    next[key] = value;
    navigate(href(now.page, now.arg, next), { replace: true });
  }, []);
  return { filters, setFilter };
}
