/** The node's tRPC API from the browser: same origin, bearer token from this tab's session. */
import type { AppRouter } from '@firstlight/node/api';
import { createTRPCClient, httpLink, TRPCClientError } from '@trpc/client';
import { format, type Strings } from './i18n';

export type Client = ReturnType<typeof createTRPCClient<AppRouter>>;

const TOKEN_KEY = 'firstlight.token';

export function storedToken(): string | null {
  return sessionStorage.getItem(TOKEN_KEY);
}
export function storeToken(token: string | null): void {
  if (token) sessionStorage.setItem(TOKEN_KEY, token);
  else sessionStorage.removeItem(TOKEN_KEY);
}

export function createClient(token: string, base = ''): Client {
  return createTRPCClient<AppRouter>({
    links: [httpLink({ url: `${base}/trpc`, headers: () => ({ authorization: `Bearer ${token}` }) })],
  });
}

export type Whoami = Awaited<ReturnType<Client['session']['whoami']['query']>>;

/** Words a person can act on, never raw JSON: the node's own message, or ours for known codes. */
export function describeError(error: unknown, t: Strings): string {
  if (error instanceof TRPCClientError) {
    const code = (error.data as { firstlightCode?: string } | undefined)?.firstlightCode;
    if (code === 'ERR_UNAUTHORIZED') return t.errors.ERR_UNAUTHORIZED;
    if (code === 'ERR_FORBIDDEN' || code === 'ERR_WRONG_ROLE') return `${t.errors.ERR_FORBIDDEN} ${error.message}`;
    if (code) return error.message;
    if (/fetch|network/i.test(error.message)) return t.errors.network;
    return format(t.errors.unknown, { message: error.message.slice(0, 200) });
  }
  if (error instanceof Error)
    return /fetch|network/i.test(error.message) ? t.errors.network : format(t.errors.unknown, { message: error.message.slice(0, 200) });
  return format(t.errors.unknown, { message: 'unexpected error' });
}
