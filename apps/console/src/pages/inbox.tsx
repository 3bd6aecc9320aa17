/**
 * The bureau's work queue: incoming referrals sorted by deadline, filtered by state, urgency, origin,
 * operation and overdue, with how many stand in each state. Every filter lives in the URL. A row opens
 * the referral's own page (#/received/ID), where the officer acts.
 */
import { useQuery } from '@tanstack/react-query';
import { CodeOptions } from '../components/options';
import { Table } from '../components/Table';
import { REFERRAL_IN_STATES, URGENCIES } from '../lib/constants';
import { format, word } from '../lib/i18n';
import { href, useUrlFilters } from '../lib/router';
import { ErrorNote, LIVE, useSession } from '../lib/session';
import { span, useNow } from '../lib/time';
import type { PageDef } from './page';

const PAGE_SIZE = 100;
const KEYS = ['state', 'urgency', 'from', 'operation', 'overdue', 'sort', 'offset'] as const;

function Inbox() {
  const { client, t, f } = useSession();
  const { filters, setFilter } = useUrlFilters(KEYS);
  const offset = Number(filters.offset) || 0;
  const input = {
    ...(filters.state ? { state: filters.state as (typeof REFERRAL_IN_STATES)[number] } : {}),
    ...(filters.urgency ? { urgency: filters.urgency as (typeof URGENCIES)[number] } : {}),
    ...(/^[A-Z]{2}$/.test(filters.from) ? { from: filters.from } : {}),
    ...(filters.operation ? { operation: filters.operation } : {}),
    ...(filters.overdue === '1' ? { overdue: true } : {}),
    sort: filters.sort === 'received' ? ('received' as const) : ('deadline' as const),
    offset,
    limit: PAGE_SIZE,
  };
  const queue = useQuery({ queryKey: ['inbox-queue', input], queryFn: () => client.bureau.inbox.queue.query(input), ...LIVE });
  const now = useNow();
  const counts = queue.data?.counts;
  const all = counts ? Object.values(counts).reduce((a, b) => a + b, 0) : null;
  const set = (k: (typeof KEYS)[number]) => (e: { target: { value: string } }) => {
    setFilter(k, e.target.value);
    if (k !== 'offset') setFilter('offset', '');
  };
  return (
    <>
      <h1>{t.inbox.title}</h1>
      <nav aria-label={t.inbox.byState} className="tabs">
        <ul>
          <li>
            <button type="button" aria-pressed={filters.state === ''} onClick={() => set('state')({ target: { value: '' } })}>
              {t.inbox.allStates} <span className="count">{f.number(all)}</span>
            </button>
          </li>
          {REFERRAL_IN_STATES.map((s) => (
            <li key={s}>
              <button
                type="button"
                aria-pressed={filters.state === s}
                onClick={() => set('state')({ target: { value: s } })}
                data-state-tab={s}
              >
                {t.states[s]} <span className="count">{f.number(counts?.[s] ?? null)}</span>
              </button>
            </li>
          ))}
        </ul>
      </nav>
      <form className="filters" onSubmit={(e) => e.preventDefault()}>
        <label>
          {t.referrals.columns.urgency}
          <select value={filters.urgency} onChange={set('urgency')}>
            <option value="">{t.referrals.any}</option>
            <CodeOptions codes={URGENCIES} words={t.urgencies} />
          </select>
        </label>
        <label>
          {t.inbox.origin}
          <input
            value={filters.from}
            onChange={(e) => set('from')({ target: { value: e.target.value.toUpperCase() } })}
            maxLength={2}
            size={3}
          />
        </label>
        <label>
          {t.referrals.operation}
          <input value={filters.operation} onChange={set('operation')} size={16} />
        </label>
        <label className="check">
          <input
            type="checkbox"
            checked={filters.overdue === '1'}
            onChange={(e) => set('overdue')({ target: { value: e.target.checked ? '1' : '' } })}
          />
          {t.inbox.overdueOnly}
        </label>
        <label>
          {t.inbox.sortBy}
          <select value={filters.sort || 'deadline'} onChange={set('sort')}>
            <option value="deadline">{t.inbox.sortDeadline}</option>
            <option value="received">{t.inbox.sortReceived}</option>
          </select>
        </label>
      </form>
      <ErrorNote error={queue.error} />
      <p aria-live="polite" data-total={queue.data?.total ?? ''}>
        {queue.data ? format(t.inbox.matching, { count: f.number(queue.data.total) }) : t.loading}
      </p>
      <Table
        columns={[
          t.inbox.deadline,
          t.referrals.columns.from,
          t.referrals.columns.ip,
          t.referrals.columns.action,
          t.referrals.columns.urgency,
          t.referrals.operation,
          t.referrals.columns.state,
        ]}
      >
        {(queue.data?.items ?? []).map((r) => {
          const left = r.deadlineAt - now;
          const settled = ['action_taken', 'declined', 'closed'].includes(r.state);
          return (
            <tr key={r.id} data-referral={r.id}>
              <td className={!settled && left < 0 ? 'warn' : ''}>
                <a href={href('received', r.id)}>
                  {settled
                    ? t.inbox.settled
                    : left < 0
                      ? format(t.inbox.overdue, { time: span(left, t.units) })
                      : format(t.inbox.dueIn, { time: span(left, t.units) })}
                </a>
              </td>
              <td>{f.country(r.from)}</td>
              <td className="mono">
                {r.ip}
                {r.port ? `:${r.port}` : ''}
              </td>
              <td>{word(t.actions, r.action)}</td>
              <td className={r.urgency === 'routine' ? '' : 'warn'}>{word(t.urgencies, r.urgency)}</td>
              <td>{r.operation}</td>
              <td>{word(t.states, r.state)}</td>
            </tr>
          );
        })}
      </Table>
      {queue.data && queue.data.items.length === 0 ? <p>{t.empty}</p> : null}
      <div className="buttons">
        {offset > 0 ? (
          <button type="button" onClick={() => setFilter('offset', String(Math.max(0, offset - PAGE_SIZE)))}>
            {t.paging.previous}
          </button>
        ) : null}
        {queue.data && offset + PAGE_SIZE < queue.data.total ? (
          <button type="button" onClick={() => setFilter('offset', String(offset + PAGE_SIZE))}>
            {t.paging.next}
          </button>
        ) : null}
      </div>
    </>
  );
}

export const inboxPage: PageDef = { id: 'inbox', label: (t) => t.nav.inbox, roles: ['bureau.read'], nav: true, Component: Inbox };
