/** The signed-in session every page reads: the tRPC client, who I am, the strings and the formatter. */
import { createContext, useContext } from 'react';
import type { Client, Whoami } from './api';
import { describeError } from './errors';
import type { Formatter } from './format';
import { type Locale, STRINGS, type Strings } from './i18n';

export interface Session {
  client: Client;
  me: Whoami;
  t: Strings;
  locale: Locale;
  f: Formatter;
}

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside a session');
  return s;
}

/** Data refreshes live: every query polls every 2 s. */
export const LIVE = { refetchInterval: 2000 } as const;

export function ErrorNote({ error }: { error: unknown }) {
  const t = useContext(SessionContext)?.t ?? STRINGS.en;
  if (!error) return null;
  return (
    <p role="alert" className="error">
      {describeError(error, t)}
    </p>
  );
}
