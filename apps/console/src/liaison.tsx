/** The liaison office's pages: overview, clusters, health, directory management (referrals: referrals.tsx). */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { lazy, Suspense, useState } from 'react';
import { format } from './i18n';
import { History } from './referrals';
import { ErrorNote, LIVE, useSession } from './session';
import { utcMinute as date } from './time';

const WorldMap = lazy(() => import('./WorldMap'));

export function OverviewPage() {
  const { client, t } = useSession();
  const overview = useQuery({ queryKey: ['overview'], queryFn: () => client.liaison.overview.query({}), ...LIVE });
  const flows = useQuery({ queryKey: ['flows'], queryFn: () => client.liaison.flows.query({}), ...LIVE });
  const timeline = useQuery({ queryKey: ['timeline'], queryFn: () => client.liaison.timeline.query({ bucket: 'hour' }), ...LIVE });
  const h = overview.data?.headline;
  const figures: Array<[string, number | undefined]> = [
    [t.overview.countries, h?.countries],
    [t.overview.referrals, h?.referrals],
    [t.overview.suspects, h?.suspectsIdentified],
    [t.overview.arrests, h?.arrests],
    [t.overview.premises, h?.premisesSearched],
    [t.overview.callCentres, h?.callCentresDismantled],
  ];
  const maxTimeline = Math.max(1, ...(timeline.data ?? []).map((b) => b.referrals + b.statuses));
  return (
    <>
      <h1>
        {t.overview.title}
        {overview.data?.operation ? `: ${overview.data.operation.name}` : ''}
      </h1>
      <ErrorNote error={overview.error ?? flows.error} />
      <section aria-label={t.overview.figuresNote} className="figures">
        {figures.map(([label, value]) => (
          <div key={label} className="figure" data-figure={label}>
            <span className="value">{value ?? '–'}</span>
            <span className="label">{label}</span>
          </div>
        ))}
      </section>
      <p className="help">
        {t.overview.figuresNote} {t.refreshLive}.
      </p>
      <section aria-labelledby="map-title">
        <h2 id="map-title">{t.overview.map}</h2>
        <Suspense fallback={<p>{t.loading}</p>}>
          <WorldMap flows={flows.data ?? []} label={format(t.overview.mapLabel, { count: flows.data?.length ?? 0 })} />
        </Suspense>
      </section>
      <section aria-labelledby="timeline-title">
        <h2 id="timeline-title">{t.overview.timeline}</h2>
        <ol className="timeline">
          {(timeline.data ?? []).map((b) => (
            <li key={b.at}>
              <span className="when">{date(b.at)}</span>
              <span className="bar" style={{ width: `${(100 * (b.referrals + b.statuses)) / maxTimeline}%` }} />
              <span>
                {b.referrals} {t.overview.referrals.toLowerCase()}, {b.statuses} {t.overview.statuses.toLowerCase()}, {b.arrests}{' '}
                {t.overview.arrests.toLowerCase()}
              </span>
            </li>
          ))}
        </ol>
      </section>
      <section aria-labelledby="per-country">
        <h2 id="per-country">{t.overview.perCountry}</h2>
        <table>
          <thead>
            <tr>
              <th scope="col">{t.referrals.country}</th>
              <th scope="col">{t.overview.sent}</th>
              <th scope="col">{t.overview.received}</th>
            </tr>
          </thead>
          <tbody>
            {(overview.data?.perCountry ?? []).map((c) => (
              <tr key={c.country}>
                <th scope="row">{c.country}</th>
                <td>{c.sent}</td>
                <td>{c.received}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </>
  );
}

/** A value as a person can read it: a digest shortened to its algorithm and first hex digits. */
const shortValue = (key: string) => (key.startsWith('sha256:') ? `${key.slice(0, 19)}…` : key);

export function ClustersPage() {
  const { client, t } = useSession();
  const clusters = useQuery({ queryKey: ['clusters'], queryFn: () => client.liaison.clusters.query({}), ...LIVE });
  const [open, setOpen] = useState<string | null>(null);
  const [history, setHistory] = useState<string | null>(null);
  const list = clusters.data?.clusters ?? [];
  const flagged = clusters.data?.flagged ?? [];
  return (
    <>
      <h1>{t.clusters.title}</h1>
      <p className="help">{t.clusters.help}</p>
      <ErrorNote error={clusters.error} />
      {clusters.data ? <p>{format(t.clusters.summary, { count: clusters.data.total, threshold: clusters.data.threshold })}</p> : null}
      {list.length === 0 && !clusters.isLoading ? <p>{t.empty}</p> : null}
      <ol className="clusters">
        {list.map((c, i) => (
          <li key={c.id} data-cluster={c.id}>
            <h2>{format(t.clusters.name, { rank: i + 1 })}</h2>
            <p>
              {t.clusters.countries}: <strong>{c.countries.join(', ')}</strong> · {t.clusters.locatedIn}: {c.locatedIn.join(', ')} ·{' '}
              {format(t.clusters.referrals, { count: c.referrals })}
            </p>
            <p>{t.clusters.joinedBy}</p>
            <ul>
              {c.signals.map((s) => (
                <li key={`${s.kind}:${s.key}`} data-signal={s.kind}>
                  {t.clusters.kind[s.kind]}: <span className="mono">{shortValue(s.key)}</span> (
                  {format(t.clusters.links, { count: s.referrals })})
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
                    <button type="button" className="link mono" onClick={() => setHistory(id)}>
                      {id}
                    </button>
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
          <p className="help">{format(t.clusters.flaggedHelp, { threshold: clusters.data?.threshold ?? '' })}</p>
          <ul className="clusters">
            {flagged.map((v) => (
              <li key={`${v.kind}:${v.key}`} className="common" data-flagged={v.kind}>
                {t.clusters.kind[v.kind]}: <span className="mono">{shortValue(v.key)}</span> ·{' '}
                {format(t.clusters.referrals, { count: v.referrals })} · {t.clusters.countries}: {v.countries.join(', ')} ·{' '}
                {t.clusters.locatedIn}: {v.locatedIn.join(', ')}
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      {history ? <History id={history} onClose={() => setHistory(null)} /> : null}
    </>
  );
}

export function HealthPage() {
  const { client, t } = useSession();
  const health = useQuery({ queryKey: ['health'], queryFn: () => client.liaison.health.query(), ...LIVE });
  return (
    <>
      <h1>{t.health.title}</h1>
      <ErrorNote error={health.error} />
      {health.data ? <p>{format(t.health.serial, { serial: health.data.serial ?? '–' })}</p> : null}
      <div className="scroll-x">
        <table>
          <thead>
            <tr>
              <th scope="col">{t.health.member}</th>
              <th scope="col">{t.health.lastContact}</th>
              <th scope="col">{t.health.serialInUse}</th>
              <th scope="col">{t.health.queued}</th>
              <th scope="col">{t.health.keys}</th>
            </tr>
          </thead>
          <tbody>
            {(health.data?.members ?? []).map((m) => (
              <tr key={m.country}>
                <th scope="row">
                  {m.country} {m.name !== m.country ? m.name : ''}
                </th>
                <td>
                  {m.lastContact ? date(m.lastContact) : t.health.never}
                  {m.silent ? <span className="warn"> · {t.health.silent}</span> : null}
                </td>
                <td>{m.directorySerial ?? '–'}</td>
                <td>{m.queued}</td>
                <td>
                  {m.keys.map((k) => (
                    <div key={k.kid} className="mono">
                      {k.kid.slice(0, 10)}… {date(k.exp).slice(0, 10)}
                      {k.expiringSoon ? <span className="warn"> · {t.health.expiringSoon}</span> : null}
                      {k.revoked ? <span className="warn"> · {t.health.revoked}</span> : null}
                    </div>
                  ))}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}

export function DirectoryPage() {
  const { client, t } = useSession();
  const qc = useQueryClient();
  const draft = useQuery({ queryKey: ['directory'], queryFn: () => client.liaison.directory.get.query(), ...LIVE });
  const pending = useQuery({ queryKey: ['pending'], queryFn: () => client.liaison.directory.pendingKeys.query(), ...LIVE });
  const refresh = () => qc.invalidateQueries();
  const publish = useMutation({ mutationFn: () => client.liaison.directory.publish.mutate({}), onSuccess: refresh });
  const add = useMutation({
    mutationFn: (v: { country: string; name: string; endpoint: string; jwk: unknown }) => client.liaison.directory.addMember.mutate(v),
    onSuccess: refresh,
  });
  const revoke = useMutation({
    mutationFn: (v: { kid: string; reason: string }) => client.liaison.directory.revokeKey.mutate(v),
    onSuccess: refresh,
  });
  const approve = useMutation({ mutationFn: (kid: string) => client.liaison.directory.approveKey.mutate({ kid }), onSuccess: refresh });
  const [member, setMember] = useState({ country: '', name: '', endpoint: '', jwk: '' });
  const [rev, setRev] = useState({ kid: '', reason: '' });
  const [jwkError, setJwkError] = useState<string | null>(null);
  const parseJwk = (): unknown => {
    try {
      setJwkError(null);
      return JSON.parse(member.jwk);
    } catch {
      setJwkError(t.directory.keyInvalid);
      return null;
    }
  };
  return (
    <>
      <h1>{t.directory.title}</h1>
      <ErrorNote error={draft.error ?? publish.error ?? add.error ?? revoke.error ?? approve.error} />
      <section aria-labelledby="publish-title">
        <h2 id="publish-title">{t.directory.publish}</h2>
        <button type="button" onClick={() => publish.mutate()} disabled={publish.isPending}>
          {t.directory.publish}
        </button>
        {publish.data ? <p role="status">{format(t.directory.published, { serial: publish.data.serial })}</p> : null}
      </section>
      <section aria-labelledby="members-title">
        <h2 id="members-title">{t.directory.members}</h2>
        <ul>
          {(draft.data?.draft.members ?? []).map((m) => (
            <li key={m.country}>
              {m.country} · {m.name} · <span className="mono">{m.endpoint}</span> ·{' '}
              {m.keys.map((k) => `${k.kid.slice(0, 8)}… (${k.status})`).join(', ')}
            </li>
          ))}
        </ul>
      </section>
      <section aria-labelledby="pending-title">
        <h2 id="pending-title">{t.directory.pending}</h2>
        <ul>
          {(pending.data ?? []).map((k) => (
            <li key={k.kid}>
              {k.country} <span className="mono">{k.kid}</span>{' '}
              <button type="button" onClick={() => approve.mutate(k.kid)}>
                {t.directory.approve}
              </button>
            </li>
          ))}
        </ul>
      </section>
      <form
        aria-labelledby="add-title"
        onSubmit={(e) => {
          e.preventDefault();
          const jwk = parseJwk();
          if (jwk) add.mutate({ country: member.country.toUpperCase(), name: member.name, endpoint: member.endpoint, jwk });
        }}
      >
        <h2 id="add-title">{t.directory.addMember}</h2>
        <label>
          {t.directory.country}
          <input required maxLength={2} value={member.country} onChange={(e) => setMember({ ...member, country: e.target.value })} />
        </label>
        <label>
          {t.directory.name}
          <input required value={member.name} onChange={(e) => setMember({ ...member, name: e.target.value })} />
        </label>
        <label>
          {t.directory.endpoint}
          <input required type="url" value={member.endpoint} onChange={(e) => setMember({ ...member, endpoint: e.target.value })} />
        </label>
        <label>
          {t.directory.key}
          <textarea required value={member.jwk} onChange={(e) => setMember({ ...member, jwk: e.target.value })} />
        </label>
        {jwkError ? <p role="alert">{jwkError}</p> : null}
        <button type="submit">{t.directory.add}</button>
      </form>
      <form
        aria-labelledby="revoke-title"
        onSubmit={(e) => {
          e.preventDefault();
          revoke.mutate(rev);
        }}
      >
        <h2 id="revoke-title">{t.directory.revoke}</h2>
        <label>
          {t.directory.kid}
          <input required value={rev.kid} onChange={(e) => setRev({ ...rev, kid: e.target.value })} />
        </label>
        <label>
          {t.directory.reason}
          <input required value={rev.reason} onChange={(e) => setRev({ ...rev, reason: e.target.value })} />
        </label>
        <button type="submit">{t.directory.revokeButton}</button>
      </form>
    </>
  );
}
