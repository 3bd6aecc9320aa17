/** The node's tRPC API from the browser: same origin, bearer token from this tab's session. */
import type { AppRouter } from '@firstlight/node/api';
import { createTRPCClient, httpLink } from '@trpc/client';

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
/** One of the server's access rules (apps/node/src/api/access.ts), as whoami names them. */
export type Access = Whoami['access'][number];
