/**
 * The liaison office's operation at a glance: the headline figures, the map of flows (click a country
 * to filter the page by it), the timeline in buckets that fit the operation's span, and the countries
 * sortable by what they sent, received and achieved. The operation and the country are URL filters.
 */
import { useQuery } from '@tanstack/react-query';
import { lazy, Suspense, useState } from 'react';
import { Table } from '../components/Table';
import { Timeline } from '../components/Timeline';
import { format } from '../lib/i18n';
import { href, useUrlFilters } from '../lib/router';
import { ErrorNote, LIVE, useSession } from '../lib/session';
import type { PageDef } from './page';

const WorldMap = lazy(() => import('../components/WorldMap'));

type SortKey = 'country' | 'sent' | 'received' | 'arrests' | 'callCentresDismantled';

function Overview() {
  const { client, t, f, locale } = useSession();
  const { filters, setFilter } = useUrlFilters(['operation', 'country'] as const);
  const op = /^[a-z0-9][a-z0-9-]{0,63}$/.test(filters.operation) ? { operation: filters.operation } : {};
  const selected = /^[A-Z]{2}$/.test(filters.country) ? filters.country : null;
  const overview = useQuery({ queryKey: ['overview', op], queryFn: () => client.liaison.overview.query(op), ...LIVE });
  const flows = useQuery({ queryKey: ['flows', op], queryFn: () => client.liaison.flows.query(op), ...LIVE });
  const timeline = useQuery({
    queryKey: ['timeline', op],
    queryFn: () => client.liaison.timeline.query({ ...op, bucket: 'auto' }),
    ...LIVE,
  });
  const [sort, setSort] = useState<{ key: SortKey; desc: boolean }>({ key: 'sent', desc: true });
  const h = overview.data?.headline;
  const figures: Array<[string, string, number | undefined]> = [
    ['countries', t.overview.countries, h?.countries],
    ['referrals', t.overview.referrals, h?.referrals],
    ['suspects', t.overview.suspects, h?.suspectsIdentified],
    ['arrests', t.overview.arrests, h?.arrests],
    ['premises', t.overview.premises, h?.premisesSearched],
    ['callCentres', t.overview.callCentres, h?.callCentresDismantled],
  ];
  const allFlows = flows.data ?? [];
  const partners = selected
    ? new Set(allFlows.filter((x) => x.from === selected || x.to === selected).flatMap((x) => [x.from, x.to]))
    : null;
  const countries = [...(overview.data?.perCountry ?? [])]
    .filter((c) => !partners || partners.has(c.country) || c.country === selected)
    .sort((a, b) => {
      const d = sort.key === 'country' ? f.country(a.country).localeCompare(f.country(b.country), locale) : a[sort.key] - b[sort.key];
      return sort.desc ? -d : d;
    });
  const timeLabel = (s: number, size: number) =>
    new Intl.DateTimeFormat(
      locale === 'th' ? 'th-TH-u-nu-latn' : 'en-GB',
      size >= 86_400
        ? { day: 'numeric', month: 'short' }
        : size >= 3600
          ? { day: 'numeric', hour: '2-digit', minute: '2-digit' }
          : { hour: '2-digit', minute: '2-digit' },
    ).format(new Date(s * 1000));
  const size = timeline.data?.[0]?.size;
  const header = (key: SortKey, label: string) => (
    <th
      scope="col"
      className={key === 'country' ? undefined : 'num'}
      aria-sort={sort.key === key ? (sort.desc ? 'descending' : 'ascending') : undefined}
    >
      <button type="button" className="link" onClick={() => setSort({ key, desc: sort.key === key ? !sort.desc : key !== 'country' })}>
        {label}
        {sort.key === key ? (sort.desc ? ' ▼' : ' ▲') : ''}
      </button>
    </th>
  );
  return (
    <>
      <h1>
        {t.overview.title}
        {overview.data?.operation ? `: ${overview.data.operation.name}` : ''}
      </h1>
      <form className="filters" onSubmit={(e) => e.preventDefault()}>
        <label>
          {t.referrals.operation}
          <input
            value={filters.operation}
            onChange={(e) => setFilter('operation', e.target.value)}
            size={18}
            placeholder={t.overview.allOperations}
          />
        </label>
      </form>
      <ErrorNote error={overview.error ?? flows.error ?? timeline.error} />
      <section aria-label={t.overview.figuresNote} className="figures">
        {figures.map(([key, label, value]) => (
          <div key={key} className="figure" data-figure={key}>
            <span className="value">{value === undefined ? '–' : f.number(value)}</span>
            <span className="label">{label}</span>
          </div>
        ))}
      </section>
      <p className="help">
        {t.overview.figuresNote} {t.refreshLive}.
      </p>
      {selected ? (
        <p className="filter-note" role="status">
          {format(t.overview.filteredTo, { country: f.country(selected) })}{' '}
          <a href={href('referrals', null, { country: selected, ...op })}>
            {format(t.overview.openReferrals, { country: f.country(selected) })}
          </a>{' '}
          <button type="button" onClick={() => setFilter('country', '')}>
            {t.overview.clearFilter}
          </button>
        </p>
      ) : null}
      <section aria-labelledby="map-title">
        <h2 id="map-title">{t.overview.map}</h2>
        <p className="help">{t.overview.mapHelp}</p>
        <Suspense fallback={<p>{t.loading}</p>}>
          <WorldMap
            flows={allFlows}
            selected={selected}
            onSelect={(c) => setFilter('country', c ?? '')}
            linkFor={(c) => href('overview', null, { ...op, country: c })}
            name={f.country}
            words={{
              label: format(t.overview.mapLabel, { count: f.number(allFlows.length) }),
              legendTitle: t.overview.legend,
              legendArrow: t.overview.legendArrow,
              legendCount: (n) => format(t.overview.legendCount, { count: f.number(n) }),
              shown: allFlows.length > 150 ? format(t.overview.largestShown, { shown: 150, count: f.number(allFlows.length) }) : null,
              zoomIn: t.overview.zoomIn,
              zoomOut: t.overview.zoomOut,
              fit: t.overview.fit,
            }}
          />
        </Suspense>
      </section>
      {selected ? (
        <section aria-labelledby="flows-title">
          <h2 id="flows-title">{format(t.overview.flowsOf, { country: f.country(selected) })}</h2>
          <Table columns={[t.referrals.columns.from, t.referrals.columns.to, { label: t.overview.referrals, className: 'num' }]}>
            {allFlows
              .filter((x) => x.from === selected || x.to === selected)
              .map((x) => (
                <tr key={`${x.from}-${x.to}`} data-flow-row={`${x.from}-${x.to}`}>
                  <td>{f.country(x.from)}</td>
                  <td>{f.country(x.to)}</td>
                  <td className="num">{f.number(x.count)}</td>
                </tr>
              ))}
          </Table>
        </section>
      ) : null}
      <section aria-labelledby="timeline-title">
        <h2 id="timeline-title">{t.overview.timeline}</h2>
        {size ? <p className="help">{format(t.overview.bucketIs, { size: t.overview.sizes[bucketName(size)] })}</p> : null}
        <Timeline
          buckets={timeline.data ?? []}
          label={t.overview.timeline}
          time={timeLabel}
          number={f.number}
          words={{
            referrals: t.overview.referrals,
            statuses: t.overview.statuses,
            arrests: t.overview.arrests,
            bucket: t.overview.timeAxis,
            count: t.overview.countAxis,
          }}
        />
        {timeline.data?.length === 0 ? <p>{t.empty}</p> : null}
      </section>
      <section aria-labelledby="per-country">
        <h2 id="per-country">{t.overview.perCountry}</h2>
        <div className="scroll-x">
          <table>
            <thead>
              <tr>
                {header('country', t.referrals.country)}
                {header('sent', t.overview.sent)}
                {header('received', t.overview.received)}
                {header('arrests', t.overview.arrests)}
                {header('callCentresDismantled', t.overview.callCentres)}
              </tr>
            </thead>
            <tbody>
              {countries.map((c) => (
                <tr key={c.country} data-country-row={c.country} className={c.country === selected ? 'selected' : ''}>
                  <th scope="row">
                    <button
                      type="button"
                      className="link"
                      onClick={() => setFilter('country', c.country === selected ? '' : c.country)}
                      aria-pressed={c.country === selected}
                    >
                      {f.country(c.country)}
                    </button>{' '}
                    <span className="help">{c.country}</span>
                  </th>
                  <td className="num">{f.number(c.sent)}</td>
                  <td className="num">{f.number(c.received)}</td>
                  <td className="num">{f.number(c.arrests)}</td>
                  <td className="num">{f.number(c.callCentresDismantled)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
    </>
  );
}

/** The name of a bucket size the server chose (60 s … 7 days). */
function bucketName(size: number): 'minute' | 'fiveMinutes' | 'quarterHour' | 'hour' | 'sixHours' | 'day' | 'week' {
  return size <= 60
    ? 'minute'
    : size <= 300
      ? 'fiveMinutes'
      : size <= 900
        ? 'quarterHour'
        : size <= 3600
          ? 'hour'
          : size <= 21_600
            ? 'sixHours'
            : size <= 86_400
              ? 'day'
              : 'week';
}

export const overviewPage: PageDef = {
  id: 'overview',
  label: (t) => t.nav.overview,
  roles: ['liaison.read'],
  nav: true,
  Component: Overview,
};
