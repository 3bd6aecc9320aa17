/**
 * Personal data past its review date (#/review, issue #21): complaints and closed received referrals
 * whose review date has come, oldest first. Shown to tokens passing the server's bureau.privacy rule;
 * only bureau.review (the reviewer) may keep an item until a later date, with a reason, or erase it for
 * good after a confirmation. Lists identifiers and dates only: this page never shows personal data.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { Table } from '../components/Table';
import { format } from '../lib/i18n';
import { href } from '../lib/router';
import { ErrorNote, LIVE, useSession } from '../lib/session';
import type { PageDef } from './page';

type Item = { kind: 'complaint' | 'referral'; id: string };
type Acting = Item & { mode: 'keep' | 'erase' };

const today = () => new Date().toISOString().slice(0, 10);

function Review() {
  const { client, t, f, me } = useSession();
  const qc = useQueryClient();
  const uid = useId();
  const r = t.review;
  const reviewer = me.access.includes('bureau.review');
  const due = useQuery({ queryKey: ['privacy-due'], queryFn: () => client.bureau.privacy.due.query({ limit: 500 }), ...LIVE });
  const [acting, setActing] = useState<Acting | null>(null);
  const [until, setUntil] = useState('');
  const [reason, setReason] = useState('');
  const [touched, setTouched] = useState(false);
  const [done, setDone] = useState<string | null>(null);
  const finish = (message: string) => {
    setDone(message);
    setActing(null);
    setTouched(false);
    void qc.invalidateQueries({ queryKey: ['privacy-due'] });
  };
  const keep = useMutation({
    mutationFn: (a: Acting) => client.bureau.privacy.extend.mutate({ kind: a.kind, id: a.id, until, reason: reason.trim() }),
    onSuccess: (res) => finish(format(r.kept, { id: res.id, date: f.day(res.reviewAt / 1000) })),
  });
  const erase = useMutation({
    mutationFn: (a: Acting) => client.bureau.privacy.erase.mutate({ items: [{ kind: a.kind, id: a.id }], reason: reason.trim() }),
    onSuccess: (res) => {
      const e = res.erased[0];
      finish(format(r.erased, { id: e?.id ?? '', files: f.number(e?.filesRemoved ?? 0) }));
    },
  });
  const reasonProblem = reason.trim().length < 3 ? r.reasonShort : null;
  const dateProblem = acting?.mode === 'keep' && !(until > today()) ? r.dateFuture : null;
  const start = (a: Acting) => {
    setActing(a);
    setUntil('');
    setReason('');
    setTouched(false);
    setDone(null);
  };
  return (
    <>
      <h1>{r.title}</h1>
      <p className="help">{r.help}</p>
      {reviewer ? null : <p>{r.reviewerOnly}</p>}
      <ErrorNote error={due.error ?? keep.error ?? erase.error} />
      {done ? <p role="status">{done}</p> : null}
      {due.data?.length === 0 ? <p>{r.none}</p> : null}
      <Table columns={[r.kind, r.due, r.since, r.extended, reviewer && { label: r.actions, screenReaderOnly: true }]}>
        {(due.data ?? []).map((item) => {
          const open = acting?.id === item.id ? acting : null;
          return (
            <tr key={item.id} data-review={item.id}>
              <th scope="row">
                {item.kind === 'complaint' ? r.complaint : format(r.referral, { from: f.country(item.from ?? '') })}{' '}
                {item.kind === 'complaint' ? (
                  <a className="mono small" href={href('complaint', item.id)}>
                    {item.id}
                  </a>
                ) : (
                  <span className="mono small">{item.id}</span>
                )}
              </th>
              <td className="warn">{f.day(item.reviewAt / 1000)}</td>
              <td>{f.day(item.since / 1000)}</td>
              <td>{item.extended ? r.yes : '–'}</td>
              {reviewer ? (
                <td>
                  {open ? (
                    <form
                      className="inline"
                      aria-labelledby={`${uid}-${item.id}`}
                      noValidate
                      onSubmit={(e) => {
                        e.preventDefault();
                        setTouched(true);
                        if (reasonProblem || dateProblem) return;
                        if (open.mode === 'keep') keep.mutate(open);
                        else erase.mutate(open);
                      }}
                    >
                      <span id={`${uid}-${item.id}`} className="sr-only">
                        {open.mode === 'keep' ? r.keep : r.erase} {item.id}
                      </span>
                      {open.mode === 'keep' ? (
                        <label>
                          {r.keepUntil}
                          <input
                            type="date"
                            value={until}
                            min={today()}
                            onChange={(e) => setUntil(e.target.value)}
                            aria-invalid={touched && dateProblem ? true : undefined}
                          />
                        </label>
                      ) : null}
                      <label>
                        {r.reason}
                        <input
                          value={reason}
                          onChange={(e) => setReason(e.target.value)}
                          aria-invalid={touched && reasonProblem ? true : undefined}
                        />
                      </label>
                      {touched && (dateProblem ?? reasonProblem) ? (
                        <span className="field-error">{dateProblem ?? reasonProblem}</span>
                      ) : null}
                      <span className="buttons">
                        <button
                          type="submit"
                          className={open.mode === 'erase' ? 'danger' : undefined}
                          disabled={keep.isPending || erase.isPending}
                        >
                          {open.mode === 'keep' ? r.keepButton : format(r.eraseConfirm, { id: item.id.slice(0, 8) })}
                        </button>
                        <button type="button" onClick={() => setActing(null)}>
                          {t.case.cancel}
                        </button>
                      </span>
                    </form>
                  ) : (
                    <span className="buttons">
                      <button type="button" onClick={() => start({ kind: item.kind, id: item.id, mode: 'keep' })}>
                        {r.keep}
                      </button>
                      <button type="button" onClick={() => start({ kind: item.kind, id: item.id, mode: 'erase' })}>
                        {r.erase}
                      </button>
                    </span>
                  )}
                </td>
              ) : null}
            </tr>
          );
        })}
      </Table>
    </>
  );
}

export const reviewPage: PageDef = {
  id: 'review',
  label: (t) => t.nav.review,
  roles: ['bureau.privacy'],
  nav: true,
  Component: Review,
};
