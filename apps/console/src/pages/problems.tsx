/**
 * Delivery problems: messages a peer refused with a signed receipt, and messages dead-lettered. Only a
 * token passing the server's bureau.admin rule may put one back in the queue (bureau.outbox.retry);
 * this page never edits a delivery itself.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Table } from '../components/Table';
import { codeWithMeaning } from '../lib/errors';
import { format, partyName } from '../lib/i18n';
import { ErrorNote, LIVE, useSession } from '../lib/session';
import type { PageDef } from './page';

function Problems() {
  const { client, t, me, f } = useSession();
  const qc = useQueryClient();
  const problems = useQuery({ queryKey: ['outbox-problems'], queryFn: () => client.bureau.outbox.problems.query({ limit: 500 }), ...LIVE });
  const retry = useMutation({
    mutationFn: (id: number) => client.bureau.outbox.retry.mutate({ id }),
    onSuccess: () => qc.invalidateQueries(),
  });
  const admin = me.access.includes('bureau.admin');
  const p = t.problems;
  return (
    <>
      <h1>{p.title}</h1>
      <p className="help">{p.help}</p>
      {admin ? null : <p>{p.adminOnly}</p>}
      <ErrorNote error={problems.error ?? retry.error} />
      {retry.isSuccess ? <p role="status">{format(p.retried, { id: retry.variables })}</p> : null}
      {problems.data?.length === 0 ? <p>{t.empty}</p> : null}
      <Table columns={[p.message, p.peer, p.state, p.attempts, p.problem, p.created, admin && { label: p.retry, screenReaderOnly: true }]}>
        {(problems.data ?? []).map((m) => {
          const code = m.receipt_code ?? '?';
          return (
            <tr key={m.id} data-outbox={m.id}>
              <td>
                {m.kind} <span className="mono">{m.message_id}</span>
              </td>
              <td>{partyName(m.peer, t, f)}</td>
              <td className="warn">{m.state === 'dead' ? p.dead : p.rejected}</td>
              <td>{f.number(Number(m.attempts))}</td>
              <td>
                {m.state === 'rejected' ? format(t.outbox.receiptRejected, { code: codeWithMeaning(code, t) }) : (m.last_error ?? '–')}
              </td>
              <td>{f.time(Number(m.created_at) / 1000)}</td>
              {admin ? (
                <td>
                  <button
                    type="button"
                    onClick={() => retry.mutate(Number(m.id))}
                    disabled={retry.isPending}
                    aria-label={`${p.retry} ${m.kind} → ${m.peer}`}
                  >
                    {p.retry}
                  </button>
                </td>
              ) : null}
            </tr>
          );
        })}
      </Table>
    </>
  );
}

export const problemsPage: PageDef = {
  id: 'problems',
  label: (t) => t.nav.problems,
  roles: ['bureau.audit'],
  nav: true,
  Component: Problems,
};
