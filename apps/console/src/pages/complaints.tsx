/**
 * The bureau's complaints, newest first, to find a case again: when it was filed, by whom, the scam and
 * the loss (no personal data: the list is not a read of it). A row opens the complaint's page, which asks
 * for the purpose of the read.
 */
import { useQuery } from '@tanstack/react-query';
import { Table } from '../components/Table';
import { format, word } from '../lib/i18n';
import { href, useUrlFilters } from '../lib/router';
import { ErrorNote, LIVE, useSession } from '../lib/session';
import type { PageDef } from './page';

function Complaints() {
  const { client, t, f } = useSession();
  const { filters, setFilter } = useUrlFilters(['q'] as const);
  const list = useQuery({ queryKey: ['complaints'], queryFn: () => client.bureau.complaints.list.query({ limit: 500 }), ...LIVE });
  const q = filters.q.trim().toLowerCase();
  // Summaries carry no personal data (issue #21): a case is found by its id, officer, scam or date.
  const rows = (list.data ?? []).filter(
    (c) =>
      q === '' ||
      c.id.startsWith(q) ||
      c.createdBy.toLowerCase().includes(q) ||
      word(t.scams, c.scamType).toLowerCase().includes(q) ||
      c.occurredAt.includes(q),
  );
  return (
    <>
      <h1>{t.complaints.title}</h1>
      <form className="filters" onSubmit={(e) => e.preventDefault()}>
        <label>
          {t.complaints.search}
          <input value={filters.q} onChange={(e) => setFilter('q', e.target.value)} />
        </label>
      </form>
      <ErrorNote error={list.error} />
      {list.data && rows.length === 0 ? <p>{t.empty}</p> : null}
      <Table
        columns={[t.complaints.filed, t.intake.scamType, t.intake.amount, t.intake.occurred, t.case.createdBy, t.complaints.personalData]}
      >
        {rows.map((c) => (
          <tr key={c.id} data-complaint={c.id}>
            <td>
              <a href={href('complaint', c.id)}>{f.time(c.createdAt / 1000)}</a>
            </td>
            <td>{word(t.scams, c.scamType)}</td>
            <td className="num">{f.money(c.amountLost, c.currency)}</td>
            <td>{f.day(Date.parse(c.occurredAt) / 1000)}</td>
            <td>{c.createdBy}</td>
            <td>{c.erasedAt ? <span className="warn">{format(t.complaints.erased, { time: f.time(c.erasedAt / 1000) })}</span> : null}</td>
          </tr>
        ))}
      </Table>
    </>
  );
}

export const complaintsPage: PageDef = {
  id: 'complaints',
  label: (t) => t.nav.complaints,
  roles: ['bureau.read'],
  nav: true,
  Component: Complaints,
};
