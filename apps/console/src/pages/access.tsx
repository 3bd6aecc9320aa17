/**
 * The access log of one complaint or received referral (#/access/ID, issue #21), for a
 * data-protection officer: who read its personal data, kept it past its review date or erased it,
 * when and why, each record checked against the audit chain. Looking here reads no personal data, so
 * it asks for no purpose. Shown to tokens passing the server's bureau.privacy rule. Read only.
 */
import { useQuery } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { Table } from '../components/Table';
import { TextField } from '../components/TextField';
import { word } from '../lib/i18n';
import { href, navigate } from '../lib/router';
import { ErrorNote, useSession } from '../lib/session';
import type { PageDef } from './page';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function Access({ arg }: { arg: string | null }) {
  const { client, t, f } = useSession();
  const uid = useId();
  const a = t.access;
  const id = arg && UUID.test(arg) ? arg : null;
  const [value, setValue] = useState(arg ?? '');
  const [touched, setTouched] = useState(false);
  const log = useQuery({
    queryKey: ['privacy-access', id],
    queryFn: () => client.bureau.privacy.access.query({ id: id ?? '' }),
    enabled: id !== null,
  });
  const problem = UUID.test(value.trim()) ? null : a.idShape;
  const what = (action: string, item: string) =>
    action === 'read'
      ? item.startsWith('evidence:')
        ? a.readEvidence
        : item === 'export'
          ? a.readExport
          : a.readComplaint
      : action === 'extend'
        ? a.extend
        : action === 'erase'
          ? a.erase
          : action;
  return (
    <>
      <h1>{a.title}</h1>
      <p className="help">{a.help}</p>
      <form
        className="inline"
        aria-labelledby={`${uid}-find`}
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          setTouched(true);
          if (!problem) navigate(href('access', value.trim().toLowerCase()));
        }}
      >
        <span id={`${uid}-find`} className="sr-only">
          {a.find}
        </span>
        <TextField label={a.id} value={value} className="mono" onChange={setValue} problem={touched ? problem : null} />
        <button type="submit">{a.find}</button>
      </form>
      <ErrorNote error={log.error} />
      {log.data?.length === 0 ? <p>{a.none}</p> : null}
      {log.data && log.data.length > 0 ? (
        <Table columns={[t.audit.at, t.purpose.who, t.purpose.action, a.why, t.purpose.intact]}>
          {log.data.map((e) => (
            <tr key={e.seq} data-access={e.action}>
              <td>{f.time(e.at / 1000)}</td>
              <td>{e.operator.id ? `${e.operator.name} (${word(t.roles, e.operator.role)})` : '–'}</td>
              <td>
                {what(e.action, e.item)}
                {e.item.startsWith('evidence:') ? <span className="mono small"> {e.item.slice('evidence:'.length, 22)}…</span> : null}
              </td>
              <td className="mono">{e.purpose || e.reason}</td>
              <td className={e.intact ? '' : 'warn'}>{e.intact ? t.purpose.yes : t.purpose.no}</td>
            </tr>
          ))}
        </Table>
      ) : null}
    </>
  );
}

export const accessPage: PageDef = {
  id: 'access',
  label: (t) => t.nav.access,
  roles: ['bureau.privacy'],
  nav: true,
  Component: Access,
};
