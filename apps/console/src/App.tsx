/**
 * The console's shell: sign-in, the navigation built from the pages the token may open (whoami's access
 * rules against each page's), the language, and the route. A page the token may not open says why and
 * who may, instead of silently showing another.
 */
import { QueryClient, QueryClientProvider, useQuery } from '@tanstack/react-query';
import { useEffect, useMemo, useState } from 'react';
import { type Client, createClient, storedToken, storeToken } from './lib/api';
import { describeError } from './lib/errors';
import { useFormatter } from './lib/format';
import { format, LOCALES, type Locale, STRINGS, type Strings } from './lib/i18n';
import { href, useRoute } from './lib/router';
import { type Session, SessionContext } from './lib/session';
import { PAGES } from './pages';
import type { PageDef } from './pages/page';

function Denied({ page, session }: { page: PageDef; session: Session }) {
  const { me, t } = session;
  const roles = [...new Set(page.roles.flatMap((a) => [...(me.rules[a] ?? [])]))];
  return (
    <>
      <h1>{page.label(t)}</h1>
      <p role="alert" className="error">
        {roles.length > 0
          ? format(t.denied.needsRole, { page: page.label(t), role: t.roles[me.role], roles: roles.map((r) => t.roles[r]).join(', ') })
          : format(t.denied.otherNode, { page: page.label(t), node: t.denied.nodes[me.nodeRole] })}
      </p>
    </>
  );
}

function Shell({ session, setLocale, signOut }: { session: Session; setLocale: (l: Locale) => void; signOut: () => void }) {
  const { me, t } = session;
  const allowed = PAGES.filter((p) => p.roles.some((a) => me.access.includes(a)));
  const route = useRoute();
  const named = PAGES.find((p) => p.id === route.page);
  const page = named ?? allowed.find((p) => p.nav);
  const mayOpen = page ? allowed.includes(page) : false;
  const current = page?.parent ? PAGES.find((p) => p.id === page.parent) : page;
  useEffect(() => {
    document.title = page ? `${page.label(t)} · ${t.appName}` : t.appName;
  }, [page, t]);
  return (
    <SessionContext.Provider value={session}>
      <header className="top">
        <span className="brand">{t.appName}</span>
        <nav aria-label={t.nav.label}>
          <ul>
            {allowed
              .filter((p) => p.nav)
              .map((p) => (
                <li key={p.id}>
                  <a href={href(p.id)} aria-current={p === current ? 'page' : undefined}>
                    {p.label(t)}
                  </a>
                </li>
              ))}
          </ul>
        </nav>
        <div className="who">
          <span>
            {format(t.signedInAs, {
              name: me.tokenName,
              role: t.roles[me.role] ?? me.role,
              party: me.nodeRole === 'national' ? session.f.country(me.party) : t.outbox.liaison,
            })}
          </span>
          <LocalePicker locale={session.locale} setLocale={setLocale} t={t} />
          <button type="button" onClick={signOut}>
            {t.signOut}
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {route.page !== '' && !named ? (
          <p role="alert" className="error">
            {format(t.denied.noSuchPage, { page: route.page })}
          </p>
        ) : null}
        {page ? (
          mayOpen ? (
            <page.Component key={`${page.id}/${route.arg ?? ''}`} arg={route.arg} />
          ) : (
            <Denied page={page} session={session} />
          )
        ) : (
          <p>{t.empty}</p>
        )}
      </main>
    </SessionContext.Provider>
  );
}

function LocalePicker({ locale, setLocale, t }: { locale: Locale; setLocale: (l: Locale) => void; t: Strings }) {
  return (
    <label className="locale">
      {t.language}{' '}
      <select value={locale} onChange={(e) => setLocale(e.target.value as Locale)}>
        {LOCALES.map((l) => (
          <option key={l} value={l} lang={l}>
            {l === 'en' ? 'English' : 'ไทย'}
          </option>
        ))}
      </select>
    </label>
  );
}

export function SignIn({ onToken, t, error }: { onToken: (token: string) => void; t: Strings; error: unknown }) {
  const [token, setToken] = useState('');
  return (
    <main id="main" className="signin">
      <h1>{t.appName}</h1>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (token.trim()) onToken(token.trim());
        }}
      >
        <label htmlFor="token">{t.tokenLabel}</label>
        <input
          id="token"
          name="token"
          type="password"
          autoComplete="off"
          value={token}
          onChange={(e) => setToken(e.target.value)}
          aria-describedby="token-help"
        />
        <p id="token-help" className="help">
          {t.tokenHelp}
        </p>
        {error ? (
          <p role="alert" className="error">
            {describeError(error, t)}
          </p>
        ) : null}
        <button type="submit">{t.signIn}</button>
      </form>
    </main>
  );
}

function Root() {
  const [locale, setLocale] = useState<Locale>(() => {
    const stored = localStorage.getItem('firstlight.locale');
    return (LOCALES as readonly string[]).includes(stored ?? '') ? (stored as Locale) : 'en';
  });
  const t = STRINGS[locale] ?? STRINGS.en;
  const f = useFormatter(locale);
  const [token, setToken] = useState<string | null>(storedToken());
  const client = useMemo(() => (token ? createClient(token) : null), [token]);
  const me = useQuery({
    queryKey: ['whoami', token],
    queryFn: () => (client as Client).session.whoami.query(),
    enabled: client !== null,
    retry: false,
  });
  useEffect(() => {
    localStorage.setItem('firstlight.locale', locale);
    document.documentElement.lang = locale;
  }, [locale]);
  const signOut = () => {
    storeToken(null);
    setToken(null);
    queryClient.clear();
  };
  if (!client || me.isError) {
    return (
      <SignIn
        t={t}
        error={me.isError ? me.error : null}
        onToken={(value) => {
          storeToken(value);
          setToken(value);
        }}
      />
    );
  }
  if (!me.data) return <p className="loading">{t.loading}</p>;
  return <Shell session={{ client, me: me.data, t, locale, f }} setLocale={setLocale} signOut={signOut} />;
}

const queryClient = new QueryClient({ defaultOptions: { queries: { retry: 1, refetchOnWindowFocus: true } } });

export function App() {
  return (
    <QueryClientProvider client={queryClient}>
      <Root />
    </QueryClientProvider>
  );
}
