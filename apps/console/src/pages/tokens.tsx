/**
 * Operator tokens of this node: mint one for a colleague (shown once, then only its hash is kept),
 * list them, revoke one after a confirmation. The same page on a national node and the liaison office;
 * the roles offered are the ones whoami says this node's rules admit.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { CodeOptions } from '../components/options';
import { PanelForm } from '../components/PanelForm';
import { Table } from '../components/Table';
import { TextField } from '../components/TextField';
import { format, word } from '../lib/i18n';
import { ErrorNote, useSession } from '../lib/session';
import type { PageDef } from './page';

type Role = 'officer' | 'admin' | 'auditor' | 'analyst';

function Tokens() {
  const { client, t, f, me } = useSession();
  const qc = useQueryClient();
  const uid = useId();
  const api = me.nodeRole === 'liaison' ? client.liaison.tokens : client.bureau.tokens;
  const roles = [...new Set(Object.values(me.rules).flatMap((r) => [...(r ?? [])]))] as Role[];
  const list = useQuery({ queryKey: ['tokens'], queryFn: () => api.list.query() });
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>(roles[0] ?? 'officer');
  const [touched, setTouched] = useState(false);
  const [confirming, setConfirming] = useState<string | null>(null);
  const create = useMutation({
    mutationFn: () => api.create.mutate({ name: name.trim(), role }),
    onSuccess: () => {
      setName('');
      setTouched(false);
      void qc.invalidateQueries({ queryKey: ['tokens'] });
    },
  });
  const revoke = useMutation({
    mutationFn: (id: string) => api.revoke.mutate({ id }),
    onSuccess: () => {
      setConfirming(null);
      void qc.invalidateQueries({ queryKey: ['tokens'] });
    },
  });
  const nameProblem = name.trim() === '' ? t.forms.required : name.trim().length > 100 ? format(t.forms.tooLong, { max: 100 }) : null;
  return (
    <>
      <h1>{t.tokens.title}</h1>
      <p className="help">{t.tokens.help}</p>
      <PanelForm
        title={t.tokens.mint}
        onSubmit={() => {
          setTouched(true);
          if (!nameProblem) create.mutate();
        }}
        noValidate
      >
        <TextField
          label={t.tokens.name}
          value={name}
          onChange={(v) => {
            setName(v);
            setTouched(true);
          }}
          problem={touched ? nameProblem : null}
        />
        <label>
          {t.tokens.role}
          <select value={role} onChange={(e) => setRole(e.target.value as Role)}>
            <CodeOptions codes={roles} words={t.roles} />
          </select>
        </label>
        <ErrorNote error={create.error} />
        <button type="submit" disabled={create.isPending}>
          {t.tokens.mintButton}
        </button>
        {create.data ? (
          <div role="status" className="minted">
            <p>{format(t.tokens.minted, { name: create.data.name, role: t.roles[create.data.role] })}</p>
            <p className="mono wrap" data-minted-token>
              {create.data.token}
            </p>
            <p className="help">{t.tokens.shownOnce}</p>
          </div>
        ) : null}
      </PanelForm>
      <section aria-labelledby={`${uid}-list`}>
        <h2 id={`${uid}-list`}>{t.tokens.list}</h2>
        <ErrorNote error={list.error ?? revoke.error} />
        <Table
          columns={[t.tokens.name, t.tokens.role, t.tokens.created, t.tokens.state, { label: t.tokens.revoke, screenReaderOnly: true }]}
        >
          {(list.data ?? []).map((k) => (
            <tr key={k.id} data-token={k.name}>
              <th scope="row">
                {k.name}
                {k.current ? <span className="help"> ({t.tokens.yours})</span> : null}
              </th>
              <td>{word(t.roles, k.role)}</td>
              <td>{f.time(k.createdAt / 1000)}</td>
              <td className={k.revokedAt ? 'warn' : ''}>
                {k.revokedAt ? format(t.tokens.revokedAt, { time: f.time(k.revokedAt / 1000) }) : t.tokens.active}
              </td>
              <td>
                {k.revokedAt ? null : confirming === k.id ? (
                  <span className="buttons">
                    <button type="button" className="danger" onClick={() => revoke.mutate(k.id)} disabled={revoke.isPending}>
                      {format(t.tokens.confirmRevoke, { name: k.name })}
                    </button>
                    <button type="button" onClick={() => setConfirming(null)}>
                      {t.case.cancel}
                    </button>
                  </span>
                ) : (
                  <button type="button" onClick={() => setConfirming(k.id)} aria-label={`${t.tokens.revoke}: ${k.name}`}>
                    {t.tokens.revoke}
                  </button>
                )}
              </td>
            </tr>
          ))}
        </Table>
      </section>
    </>
  );
}

export const tokensPage: PageDef = {
  id: 'tokens',
  label: (t) => t.nav.tokens,
  roles: ['bureau.admin', 'liaison.admin'],
  nav: true,
  Component: Tokens,
};
