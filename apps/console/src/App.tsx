import { QueryClient, QueryClientProvider, useQuery } from '@tanstack/react-query';
import { type ReactNode, useEffect, useMemo, useState } from 'react';
import { type Client, createClient, describeError, storedToken, storeToken, type Whoami } from './api';
import { format, LOCALES, type Locale, STRINGS, type Strings } from './i18n';
import { ClustersPage, DirectoryPage, HealthPage, OverviewPage } from './liaison';
import { AuditPage, InboxPage, IntakePage } from './national';
import { OutboxPage, ProblemsPage } from './outbox';
import { ReferralsPage } from './referrals';
import { type Session, SessionContext } from './session';

type Page = { id: string; label: (t: Strings) => string; render: () => ReactNode; show: (me: Whoami) => boolean };

const PAGES: Page[] = [
  { id: 'overview', label: (t) => t.nav.overview, render: () => <OverviewPage />, show: (me) => me.nodeRole === 'liaison' },
  { id: 'referrals', label: (t) => t.nav.referrals, render: () => <ReferralsPage />, show: (me) => me.nodeRole === 'liaison' },
  { id: 'clusters', label: (t) => t.nav.clusters, render: () => <ClustersPage />, show: (me) => me.nodeRole === 'liaison' },
  { id: 'health', label: (t) => t.nav.health, render: () => <HealthPage />, show: (me) => me.nodeRole === 'liaison' },
  {
    id: 'directory',
    label: (t) => t.nav.directory,
    render: () => <DirectoryPage />,
    show: (me) => me.nodeRole === 'liaison' && me.role === 'admin',
  },
  { id: 'inbox', label: (t) => t.nav.inbox, render: () => <InboxPage />, show: (me) => me.nodeRole === 'national' && me.role !== 'admin' },
  {
    id: 'outbox',
    label: (t) => t.nav.outbox,
    render: () => <OutboxPage />,
    show: (me) => me.nodeRole === 'national' && me.role !== 'admin',
  },
  {
    id: 'problems',
    label: (t) => t.nav.problems,
    render: () => <ProblemsPage />,
    show: (me) => me.nodeRole === 'national' && (me.role === 'admin' || me.role === 'auditor'),
  },
  {
    id: 'intake',
    label: (t) => t.nav.intake,
    render: () => <IntakePage />,
    show: (me) => me.nodeRole === 'national' && me.role === 'officer',
  },
  {
    id: 'audit',
    label: (t) => t.nav.audit,
    render: () => <AuditPage />,
    show: (me) => me.nodeRole === 'national' && me.role !== 'officer',
  },
];

function pageFromHash(): string {
  return window.location.hash.replace(/^#\/?/, '');
}

function Shell({
  session,
  locale,
  setLocale,
  signOut,
}: {
  session: Session;
  locale: Locale;
  setLocale: (l: Locale) => void;
  signOut: () => void;
}) {
  const { me, t } = session;
  const pages = PAGES.filter((p) => p.show(me));
  const [current, setCurrent] = useState(pageFromHash());
  useEffect(() => {
    const onHash = () => setCurrent(pageFromHash());
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  const page = pages.find((p) => p.id === current) ?? pages[0];
  return (
    <SessionContext.Provider value={session}>
      <header className="top">
        <span className="brand">{t.appName}</span>
        <nav aria-label={t.nav.label}>
          <ul>
            {pages.map((p) => (
              <li key={p.id}>
                <a href={`#/${p.id}`} aria-current={p === page ? 'page' : undefined}>
                  {p.label(t)}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <div className="who">
          <span>
            {format(t.signedInAs, { name: me.tokenName, role: t.roles[me.role as keyof typeof t.roles] ?? me.role, party: me.name })}
          </span>
          <LocalePicker locale={locale} setLocale={setLocale} t={t} />
          <button type="button" onClick={signOut}>
            {t.signOut}
          </button>
        </div>
      </header>
      <main id="main">{page ? page.render() : <p>{t.empty}</p>}</main>
    </SessionContext.Provider>
  );
}

function LocalePicker({ locale, setLocale, t }: { locale: Locale; setLocale: (l: Locale) => void; t: Strings }) {
  return (
    <label className="locale">
      {t.language}{' '}
      <select value={locale} onChange={(e) => setLocale(e.target.value as Locale)}>
        {LOCALES.map((l) => (
          <option key={l} value={l}>
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
  const [locale, setLocale] = useState<Locale>(() => (localStorage.getItem('firstlight.locale') as Locale) ?? 'en');
  const t = STRINGS[locale] ?? STRINGS.en;
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
  return <Shell session={{ client, me: me.data, t }} locale={locale} setLocale={setLocale} signOut={signOut} />;
}

const queryClient = new QueryClient({ defaultOptions: { queries: { retry: 1, refetchOnWindowFocus: true } } });

export function App() {
  return (
    <QueryClientProvider client={queryClient}>
      <Root />
    </QueryClientProvider>
  );
}
