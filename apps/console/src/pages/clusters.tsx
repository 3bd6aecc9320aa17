/**
 * Suspected call centres: referrals linked by the same IP, network or evidence file, each group with
 * the signals that join it and its referrals, each opening its signed history.
 */
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { format } from '../lib/i18n';
import { href } from '../lib/router';
import { ErrorNote, LIVE, useSession } from '../lib/session';
import type { PageDef } from './page';

/** A value as a person can read it: a digest shortened to its algorithm and first hex digits. */
const shortValue = (key: string) => (key.startsWith('sha256:') ? `${key.slice(0, 19)}…` : key);

function Clusters() {
  const { client, t, f } = useSession();
  const clusters = useQuery({ queryKey: ['clusters'], queryFn: () => client.liaison.clusters.query({}), ...LIVE });
  const [open, setOpen] = useState<string | null>(null);
  const list = clusters.data?.clusters ?? [];
  const flagged = clusters.data?.flagged ?? [];
  const names = (codes: string[]) => codes.map((c) => f.country(c)).join(', ');
  return (
    <>
      <h1>{t.clusters.title}</h1>
      <p className="help">{t.clusters.help}</p>
      <ErrorNote error={clusters.error} />
      {clusters.data ? (
        <p>{format(t.clusters.summary, { count: f.number(clusters.data.total), threshold: f.number(clusters.data.threshold) })}</p>
      ) : null}
      {list.length === 0 && !clusters.isLoading ? <p>{t.empty}</p> : null}
      <ol className="clusters">
        {list.map((c, i) => (
          <li key={c.id} data-cluster={c.id}>
            <h2>{format(t.clusters.name, { rank: i + 1 })}</h2>
            <p>
              {t.clusters.countries}: <strong>{names(c.countries)}</strong> · {t.clusters.locatedIn}: {names(c.locatedIn)} ·{' '}
              {format(t.clusters.referrals, { count: f.number(c.referrals) })}
            </p>
            <p>{t.clusters.joinedBy}</p>
            <ul>
              {c.signals.map((s) => (
                <li key={`${s.kind}:${s.key}`} data-signal={s.kind}>
                  {t.clusters.kind[s.kind]}: <span className="mono">{shortValue(s.key)}</span> (
                  {format(t.clusters.links, { count: f.number(s.referrals) })})
                </li>
              ))}
            </ul>
            <button type="button" aria-expanded={open === c.id} onClick={() => setOpen(open === c.id ? null : c.id)}>
              {t.clusters.drill}
            </button>
            {open === c.id ? (
              <ul>
                {c.referralIds.map((id) => (
                  <li key={id}>
                    <a className="mono" href={href('history', id)}>
                      {id}
                    </a>
                  </li>
                ))}
              </ul>
            ) : null}
          </li>
        ))}
      </ol>
      {flagged.length > 0 ? (
        <section aria-labelledby="flagged-values">
          <h2 id="flagged-values">{t.clusters.flaggedTitle}</h2>
          <p className="help">{format(t.clusters.flaggedHelp, { threshold: f.number(clusters.data?.threshold ?? 0) })}</p>
          <ul className="clusters">
            {flagged.map((v) => (
              <li key={`${v.kind}:${v.key}`} className="common" data-flagged={v.kind}>
                {t.clusters.kind[v.kind]}: <span className="mono">{shortValue(v.key)}</span> ·{' '}
                {format(t.clusters.referrals, { count: f.number(v.referrals) })} · {t.clusters.countries}: {names(v.countries)} ·{' '}
                {t.clusters.locatedIn}: {names(v.locatedIn)}
              </li>
            ))}
          </ul>
        </section>
      ) : null}
    </>
  );
}

export const clustersPage: PageDef = {
  id: 'clusters',
  label: (t) => t.nav.clusters,
  roles: ['liaison.read'],
  nav: true,
  Component: Clusters,
};
