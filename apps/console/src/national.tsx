/** A national bureau's pages: inbox with deadlines and actions, intake and refer, audit (outbox: outbox.tsx). */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { type ACTIONS, DECLINE_REASONS as REASONS, SCAM_TYPES as SCAMS, URGENCIES } from './constants';
import { format } from './i18n';
import { ActionOptions } from './options';
import { ErrorNote, LIVE, useSession } from './session';
import { span, useNow } from './time';

const NEXT: Record<string, Array<'acknowledged' | 'located' | 'action_taken' | 'closed' | 'declined'>> = {
  received: ['acknowledged', 'declined'],
  acknowledged: ['located', 'declined'],
  in_progress: ['located', 'declined'],
  located: ['action_taken', 'declined'],
  action_taken: ['closed'],
};

export function InboxPage() {
  const { client, t, me } = useSession();
  const inbox = useQuery({ queryKey: ['inbox'], queryFn: () => client.bureau.inbox.list.query({ limit: 500 }), ...LIVE });
  const now = useNow();
  const [acting, setActing] = useState<{ id: string; state: string } | null>(null);
  return (
    <>
      <h1>{t.inbox.title}</h1>
      <ErrorNote error={inbox.error} />
      {inbox.data?.length === 0 ? <p>{t.empty}</p> : null}
      <div className="scroll-x">
        <table>
          <thead>
            <tr>
              <th scope="col">{t.referrals.columns.from}</th>
              <th scope="col">{t.referrals.columns.ip}</th>
              <th scope="col">{t.referrals.columns.action}</th>
              <th scope="col">{t.referrals.columns.urgency}</th>
              <th scope="col">{t.inbox.deadline}</th>
              <th scope="col">{t.referrals.columns.state}</th>
              <th scope="col">
                <span className="sr-only">{t.referrals.columns.action}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {(inbox.data ?? []).map((r) => {
              const left = r.deadlineAt - now;
              const done = ['action_taken', 'declined', 'closed'].includes(r.state);
              return (
                <tr key={r.id} data-referral={r.id}>
                  <td>{r.from}</td>
                  <td className="mono">
                    {r.ip}
                    {r.port ? `:${r.port}` : ''}
                  </td>
                  <td>{t.actions[r.action as keyof typeof t.actions] ?? r.action}</td>
                  <td>{t.urgencies[r.urgency as keyof typeof t.urgencies] ?? r.urgency}</td>
                  <td className={!done && left < 0 ? 'warn' : ''}>
                    {done ? '–' : left < 0 ? format(t.inbox.overdue, { time: span(left) }) : format(t.inbox.dueIn, { time: span(left) })}
                  </td>
                  <td>{t.states[r.state as keyof typeof t.states] ?? r.state}</td>
                  <td>
                    {me.role === 'officer'
                      ? (NEXT[r.state] ?? []).map((s) => (
                          <button key={s} type="button" onClick={() => setActing({ id: r.id, state: s })}>
                            {s === 'acknowledged'
                              ? t.inbox.acknowledge
                              : s === 'located'
                                ? t.inbox.located
                                : s === 'action_taken'
                                  ? t.inbox.actionTaken
                                  : s === 'closed'
                                    ? t.inbox.close
                                    : t.inbox.decline}
                          </button>
                        ))
                      : null}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {acting ? <StatusForm referralId={acting.id} state={acting.state} onDone={() => setActing(null)} /> : null}
    </>
  );
}

function StatusForm({ referralId, state, onDone }: { referralId: string; state: string; onDone: () => void }) {
  const { client, t } = useSession();
  const qc = useQueryClient();
  const [outcome, setOutcome] = useState({ suspectsIdentified: 0, arrests: 0, premisesSearched: 0, callCentresDismantled: 0 });
  const [reason, setReason] = useState<(typeof REASONS)[number]>('insufficient_evidence');
  const send = useMutation({
    mutationFn: () =>
      client.bureau.inbox.updateStatus.mutate({
        referralId,
        state: state as 'located',
        ...(state === 'action_taken' || state === 'closed' ? { outcome } : {}),
        ...(state === 'declined' ? { reason } : {}),
      }),
    onSuccess: () => {
      qc.invalidateQueries();
      onDone();
    },
  });
  const needsCounts = state === 'action_taken' || state === 'closed';
  const num = (k: keyof typeof outcome, label: string) => (
    <label>
      {label}
      <input
        type="number"
        min={0}
        max={100000}
        value={outcome[k]}
        onChange={(e) => setOutcome({ ...outcome, [k]: Number(e.target.value) })}
      />
    </label>
  );
  return (
    <form
      className="drawer"
      aria-label={t.inbox.send}
      onSubmit={(e) => {
        e.preventDefault();
        send.mutate();
      }}
    >
      <h2>
        {t.states[state as keyof typeof t.states]} <span className="mono">{referralId}</span>
      </h2>
      {needsCounts ? (
        <fieldset>
          {num('suspectsIdentified', t.inbox.suspects)}
          {num('arrests', t.inbox.arrests)}
          {num('premisesSearched', t.inbox.premises)}
          {num('callCentresDismantled', t.inbox.callCentres)}
        </fieldset>
      ) : null}
      {state === 'declined' ? (
        <label>
          {t.inbox.reason}
          <select value={reason} onChange={(e) => setReason(e.target.value as typeof reason)}>
            {REASONS.map((r) => (
              <option key={r} value={r}>
                {t.reasons[r]}
              </option>
            ))}
          </select>
        </label>
      ) : null}
      <ErrorNote error={send.error} />
      <button type="submit" disabled={send.isPending}>
        {t.inbox.send}
      </button>
      <button type="button" onClick={onDone}>
        {t.referrals.close}
      </button>
    </form>
  );
}

export function IntakePage() {
  const { client, t } = useSession();
  const today = new Date().toISOString().slice(0, 10);
  const [c, setC] = useState({
    victimName: '',
    victimContact: '',
    amountLost: 0,
    currency: 'THB',
    scamType: 'fake_police' as (typeof SCAMS)[number],
    narrative: '',
    occurredAt: today,
    reportedAt: today,
  });
  const [file, setFile] = useState<File | null>(null);
  const [saved, setSaved] = useState<{ id: string; digest: string } | null>(null);
  const save = useMutation({
    mutationFn: async () => {
      const complaint = await client.bureau.complaints.create.mutate(c);
      let digest = '';
      if (file) {
        const res = await fetch(`/bureau/evidence?complaintId=${complaint.id}&filename=${encodeURIComponent(file.name)}`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${sessionStorage.getItem('firstlight.token') ?? ''}`,
            'content-type': file.type || 'application/octet-stream',
          },
          body: file,
        });
        const body = (await res.json()) as { digest?: string; error?: { message?: string } };
        if (!res.ok || !body.digest) throw new Error(body.error?.message ?? `the evidence upload failed (HTTP ${res.status})`);
        digest = body.digest;
      }
      return { id: complaint.id, digest };
    },
    onSuccess: setSaved,
  });
  const field = (k: keyof typeof c, label: string, type = 'text') => (
    <label>
      {label}
      <input
        required
        type={type}
        value={String(c[k])}
        onChange={(e) => setC({ ...c, [k]: type === 'number' ? Number(e.target.value) : e.target.value })}
        {...(k === 'victimName' ? { name: 'victimName' } : {})}
      />
    </label>
  );
  return (
    <>
      <h1>{t.intake.title}</h1>
      <p className="notice" role="note">
        {t.intake.notice}
      </p>
      <form
        aria-label={t.intake.title}
        onSubmit={(e) => {
          e.preventDefault();
          save.mutate();
        }}
      >
        {field('victimName', t.intake.victimName)}
        {field('victimContact', t.intake.victimContact)}
        {field('amountLost', t.intake.amount, 'number')}
        {field('currency', t.intake.currency)}
        <label>
          {t.intake.scamType}
          <select value={c.scamType} onChange={(e) => setC({ ...c, scamType: e.target.value as typeof c.scamType })}>
            {SCAMS.map((s) => (
              <option key={s} value={s}>
                {t.scams[s]}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t.intake.narrative}
          <textarea required value={c.narrative} onChange={(e) => setC({ ...c, narrative: e.target.value })} />
        </label>
        {field('occurredAt', t.intake.occurred, 'date')}
        {field('reportedAt', t.intake.reported, 'date')}
        <label>
          {t.intake.evidence}
          <input type="file" required onChange={(e) => setFile(e.target.files?.[0] ?? null)} />
        </label>
        <ErrorNote error={save.error} />
        <button type="submit" disabled={save.isPending}>
          {t.intake.save}
        </button>
      </form>
      {saved ? <ReferForm complaintId={saved.id} digest={saved.digest} /> : null}
    </>
  );
}

function ReferForm({ complaintId, digest }: { complaintId: string; digest: string }) {
  const { client, t } = useSession();
  const [ip, setIp] = useState('');
  const [seenAt, setSeenAt] = useState(new Date().toISOString().slice(0, 16));
  const [action, setAction] = useState<(typeof ACTIONS)[number]>('locate');
  const [urgency, setUrgency] = useState<(typeof URGENCIES)[number]>('urgent');
  const [operation, setOperation] = useState('');
  const ops = useQuery({ queryKey: ['whoami-ops'], queryFn: () => client.session.whoami.query() });
  const route = useQuery({
    queryKey: ['route', ip],
    queryFn: () => client.bureau.referrals.route.query({ ip }),
    enabled: ip.length >= 7,
    retry: false,
  });
  const send = useMutation({
    mutationFn: () =>
      client.bureau.referrals.create.mutate({
        complaintId,
        ip,
        seenAt: `${seenAt}:00Z`,
        evidence: [digest],
        action,
        urgency,
        operation: operation || 'first-light-2015',
      }),
  });
  const routed = route.data && 'country' in route.data ? (route.data as { country: string }).country : null;
  const routeError = route.data && 'message' in route.data ? (route.data as { message: string }).message : null;
  void ops;
  return (
    <form
      aria-label={t.intake.refer}
      onSubmit={(e) => {
        e.preventDefault();
        send.mutate();
      }}
    >
      <h2>{t.intake.refer}</h2>
      <p role="status">
        {t.intake.saved} <span className="mono">{complaintId}</span> {digest ? <span className="mono">{digest}</span> : null}
      </p>
      <label>
        {t.intake.ip}
        <input required value={ip} onChange={(e) => setIp(e.target.value.trim())} className="mono" />
      </label>
      {routed ? <p role="status">{format(t.intake.routesTo, { country: routed })}</p> : null}
      {routeError ? <p role="alert">{routeError}</p> : null}
      <ErrorNote error={route.error} />
      <label>
        {t.intake.seenAt}
        <input required type="datetime-local" value={seenAt} onChange={(e) => setSeenAt(e.target.value)} />
      </label>
      <label>
        {t.referrals.action}
        <select value={action} onChange={(e) => setAction(e.target.value as typeof action)}>
          <ActionOptions t={t} />
        </select>
      </label>
      <label>
        {t.referrals.columns.urgency}
        <select value={urgency} onChange={(e) => setUrgency(e.target.value as typeof urgency)}>
          {URGENCIES.map((u) => (
            <option key={u} value={u}>
              {t.urgencies[u]}
            </option>
          ))}
        </select>
      </label>
      <label>
        {t.referrals.operation}
        <input value={operation} onChange={(e) => setOperation(e.target.value)} placeholder="first-light-2015" />
      </label>
      <ErrorNote error={send.error} />
      {send.data ? <p role="status">{format(t.intake.sent, { country: send.data.to })}</p> : null}
      <button type="submit" disabled={send.isPending || !routed}>
        {t.intake.send}
      </button>
    </form>
  );
}

export function AuditPage() {
  const { client, t } = useSession();
  const verify = useMutation({ mutationFn: () => client.bureau.audit.verify.query() });
  const result = verify.data as { ok?: boolean; entries?: number; brokenAt?: number } | undefined;
  return (
    <>
      <h1>{t.audit.title}</h1>
      <button type="button" onClick={() => verify.mutate()}>
        {t.audit.verify}
      </button>
      <ErrorNote error={verify.error} />
      {result ? (
        <p role="status">
          {result.ok ? format(t.audit.intact, { count: result.entries ?? 0 }) : format(t.audit.broken, { seq: result.brokenAt ?? '?' })}
        </p>
      ) : null}
    </>
  );
}
