/**
 * Directory management (liaison administrator): the draft next to what is published, each member's
 * keys with a revoke action on the key's own row (with a reason), keys awaiting approval (only when
 * there are any), enrolling a member, and publishing the next directory after a confirmation.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Table } from '../components/Table';
import { format, word } from '../lib/i18n';
import { ErrorNote, LIVE, useSession } from '../lib/session';
import type { PageDef } from './page';

function RevokeKey({ kid, onDone }: { kid: string; onDone: () => void }) {
  const { client, t } = useSession();
  const qc = useQueryClient();
  const [reason, setReason] = useState('');
  const revoke = useMutation({
    mutationFn: () => client.liaison.directory.revokeKey.mutate({ kid, reason: reason.trim() }),
    onSuccess: () => {
      void qc.invalidateQueries();
      onDone();
    },
  });
  const problem = reason.trim() === '' ? t.forms.required : null;
  return (
    <form
      className="inline"
      aria-label={format(t.directory.revokeKid, { kid: `${kid.slice(0, 10)}…` })}
      onSubmit={(e) => {
        e.preventDefault();
        if (!problem) revoke.mutate();
      }}
    >
      <label>
        {t.directory.reason}
        <input value={reason} onChange={(e) => setReason(e.target.value)} aria-invalid={problem ? true : undefined} />
      </label>
      <ErrorNote error={revoke.error} />
      <button type="submit" className="danger" disabled={!!problem || revoke.isPending}>
        {t.directory.revokeButton}
      </button>
      <button type="button" onClick={onDone}>
        {t.case.cancel}
      </button>
    </form>
  );
}

function Directory() {
  const { client, t, f } = useSession();
  const qc = useQueryClient();
  const draft = useQuery({ queryKey: ['directory'], queryFn: () => client.liaison.directory.get.query(), ...LIVE });
  const pending = useQuery({ queryKey: ['pending'], queryFn: () => client.liaison.directory.pendingKeys.query(), ...LIVE });
  const refresh = () => qc.invalidateQueries();
  const publish = useMutation({ mutationFn: () => client.liaison.directory.publish.mutate({}), onSuccess: refresh });
  const add = useMutation({
    mutationFn: (v: { country: string; name: string; endpoint: string; jwk: unknown }) => client.liaison.directory.addMember.mutate(v),
    onSuccess: refresh,
  });
  const approve = useMutation({ mutationFn: (kid: string) => client.liaison.directory.approveKey.mutate({ kid }), onSuccess: refresh });
  const [member, setMember] = useState({ country: '', name: '', endpoint: '', jwk: '' });
  const [revoking, setRevoking] = useState<string | null>(null);
  const [confirmPublish, setConfirmPublish] = useState(false);
  let jwkProblem: string | null = null;
  if (member.jwk.trim() !== '') {
    try {
      JSON.parse(member.jwk);
    } catch {
      jwkProblem = t.directory.keyInvalid;
    }
  }
  const published = draft.data?.published ?? null;
  const publishedKids = new Set(published?.directory.members.flatMap((m) => m.keys.map((k) => k.kid)) ?? []);
  const publishedCountries = new Set(published?.directory.members.map((m) => m.country) ?? []);
  const revokedKids = new Set((draft.data?.draft.revoked ?? []).map((r) => r.kid));
  return (
    <>
      <h1>{t.directory.title}</h1>
      <ErrorNote error={draft.error ?? publish.error ?? add.error ?? approve.error} />
      <section aria-labelledby="publish-title">
        <h2 id="publish-title">{t.directory.publish}</h2>
        <p>
          {published
            ? format(t.directory.publishedNow, {
                serial: published.serial,
                issued: f.time(published.issuedAt),
                expires: f.time(published.expiresAt),
              })
            : t.directory.nothingPublished}
        </p>
        <p className="help">{t.directory.draftHelp}</p>
        {confirmPublish ? (
          <fieldset className="confirm">
            <legend>{t.directory.confirmTitle}</legend>
            <p>{t.directory.confirmText}</p>
            <button
              type="button"
              onClick={() => {
                setConfirmPublish(false);
                publish.mutate();
              }}
            >
              {t.directory.confirmPublish}
            </button>
            <button type="button" onClick={() => setConfirmPublish(false)}>
              {t.case.cancel}
            </button>
          </fieldset>
        ) : (
          <button type="button" onClick={() => setConfirmPublish(true)} disabled={publish.isPending}>
            {t.directory.publish}
          </button>
        )}
        {publish.data ? <p role="status">{format(t.directory.published, { serial: publish.data.serial })}</p> : null}
      </section>
      <section aria-labelledby="members-title">
        <h2 id="members-title">{t.directory.members}</h2>
        <Table columns={[t.health.member, t.directory.endpoint, t.directory.inPublished, t.health.keys]}>
          {(draft.data?.draft.members ?? []).map((m) => (
            <tr key={m.country} data-member={m.country}>
              <th scope="row">
                {f.country(m.country)}{' '}
                <span className="help">
                  {m.country}
                  {m.name !== m.country && m.name !== f.country(m.country) ? ` · ${m.name}` : ''}
                </span>
              </th>
              <td className="mono small">{m.endpoint}</td>
              <td>{publishedCountries.has(m.country) ? t.directory.published1 : <span className="warn">{t.directory.draftOnly}</span>}</td>
              <td>
                {m.keys.map((k) => (
                  <div key={k.kid} data-kid={k.kid}>
                    <span className="mono">{k.kid.slice(0, 10)}…</span> {word(t.directory.keyStatus, k.status)}
                    {revokedKids.has(k.kid) ? <span className="warn"> · {t.health.revoked}</span> : null}
                    {!publishedKids.has(k.kid) && k.status === 'active' ? <span className="help"> · {t.directory.draftOnly}</span> : null}
                    {k.status === 'active' && !revokedKids.has(k.kid) ? (
                      revoking === k.kid ? (
                        <RevokeKey kid={k.kid} onDone={() => setRevoking(null)} />
                      ) : (
                        <button
                          type="button"
                          onClick={() => setRevoking(k.kid)}
                          aria-label={format(t.directory.revokeKid, { kid: `${m.country} ${k.kid.slice(0, 10)}…` })}
                        >
                          {t.directory.revokeButton}
                        </button>
                      )
                    ) : null}
                  </div>
                ))}
              </td>
            </tr>
          ))}
        </Table>
      </section>
      {(pending.data ?? []).length > 0 ? (
        <section aria-labelledby="pending-title">
          <h2 id="pending-title">{t.directory.pending}</h2>
          <ul>
            {(pending.data ?? []).map((k) => (
              <li key={k.kid}>
                {f.country(k.country)} <span className="mono">{k.kid}</span>{' '}
                <button type="button" onClick={() => approve.mutate(k.kid)}>
                  {t.directory.approve}
                </button>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      <form
        aria-labelledby="add-title"
        onSubmit={(e) => {
          e.preventDefault();
          if (jwkProblem) return;
          add.mutate({ country: member.country.toUpperCase(), name: member.name, endpoint: member.endpoint, jwk: JSON.parse(member.jwk) });
        }}
      >
        <h2 id="add-title">{t.directory.addMember}</h2>
        <label>
          {t.directory.country}
          <input
            required
            maxLength={2}
            value={member.country}
            onChange={(e) => setMember({ ...member, country: e.target.value.toUpperCase() })}
          />
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
          <textarea
            required
            value={member.jwk}
            onChange={(e) => setMember({ ...member, jwk: e.target.value })}
            aria-invalid={jwkProblem ? true : undefined}
          />
        </label>
        {jwkProblem ? <span className="field-error">{jwkProblem}</span> : null}
        <button type="submit">{t.directory.add}</button>
      </form>
    </>
  );
}

export const directoryPage: PageDef = {
  id: 'directory',
  label: (t) => t.nav.directory,
  roles: ['liaison.admin'],
  nav: true,
  Component: Directory,
};
