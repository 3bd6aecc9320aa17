/**
 * Referring one suspect IP of a complaint abroad: the IP is checked as it is typed (its shape here,
 * then where routing sends it, on the node), the evidence digests to cite are picked from the
 * complaint's files, and an officer may send elsewhere than routing says with a reason (OPERATIONS.md §4).
 * Every problem is said next to its field; Send stays enabled only when the node could accept it.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { ACTIONS, URGENCIES } from '../lib/constants';
import { describeCode } from '../lib/errors';
import { format } from '../lib/i18n';
import { href } from '../lib/router';
import { ErrorNote, useSession } from '../lib/session';
import { CodeOptions } from './options';
import { PanelForm } from './PanelForm';

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
/** A loose IPv6 shape: hex groups and colons (the node has the last word). */
const IPV6 = /^[0-9a-fA-F:.]{2,45}$/;

export function ipShapeOk(ip: string): boolean {
  return IPV4.test(ip) || (ip.includes(':') && IPV6.test(ip));
}

function Problem({ id, text }: { id: string; text: string | null }) {
  return text ? (
    <span id={id} className="field-error">
      {text}
    </span>
  ) : null;
}

export function ReferForm({ complaintId, evidence }: { complaintId: string; evidence: string[] }) {
  const { client, t, f } = useSession();
  const qc = useQueryClient();
  const uid = useId();
  const [ip, setIp] = useState('');
  const [seenAt, setSeenAt] = useState(new Date().toISOString().slice(0, 16));
  const [action, setAction] = useState<(typeof ACTIONS)[number]>('locate');
  const [urgency, setUrgency] = useState<(typeof URGENCIES)[number]>('urgent');
  const [operation, setOperation] = useState('first-light-2015');
  const [cited, setCited] = useState<string[]>(evidence);
  const [override, setOverride] = useState(false);
  const [overrideCountry, setOverrideCountry] = useState('');
  const [overrideReason, setOverrideReason] = useState('');
  const shapeOk = ipShapeOk(ip);
  const route = useQuery({
    queryKey: ['route', ip],
    queryFn: () => client.bureau.referrals.route.query({ ip }),
    enabled: shapeOk,
    retry: false,
  });
  const send = useMutation({
    mutationFn: () =>
      client.bureau.referrals.create.mutate({
        complaintId,
        ip,
        seenAt: `${seenAt}:00Z`,
        evidence: cited,
        action,
        urgency,
        operation,
        ...(override ? { overrideCountry, overrideReason: overrideReason.trim() } : {}),
      }),
    onSuccess: () => void qc.invalidateQueries(),
  });
  const routed = route.data?.ok ? route.data.country : null;
  const routeProblem = route.data && !route.data.ok ? (describeCode(route.data.code, t) ?? route.data.message) : null;
  const ipProblem = ip === '' ? null : !shapeOk ? t.refer.ipShape : routeProblem;
  const countryProblem = override && !/^[A-Z]{2}$/.test(overrideCountry) ? t.refer.countryCode : null;
  const reasonProblem = override && overrideReason.trim().length < 5 ? t.refer.reasonShort : null;
  const seenProblem = seenAt === '' || Number.isNaN(Date.parse(`${seenAt}:00Z`)) ? t.forms.required : null;
  const operationProblem = /^[a-z0-9][a-z0-9-]{0,63}$/.test(operation) ? null : t.refer.operationShape;
  const evidenceProblem = cited.length === 0 ? t.refer.evidenceNeeded : null;
  const ready =
    shapeOk &&
    (routed !== null ||
      (override && route.data?.ok === false && route.data.code !== 'ERR_IP_INVALID' && route.data.code !== 'ERR_IP_UNROUTABLE')) &&
    !countryProblem &&
    !reasonProblem &&
    !seenProblem &&
    !operationProblem &&
    !evidenceProblem;
  return (
    <PanelForm
      title={t.intake.refer}
      onSubmit={() => {
        if (ready) send.mutate();
      }}
    >
      <label>
        {t.intake.ip}
        <input
          value={ip}
          onChange={(e) => setIp(e.target.value.trim())}
          className="mono"
          aria-invalid={ipProblem ? true : undefined}
          aria-describedby={`${uid}-ip`}
        />
      </label>
      <Problem id={`${uid}-ip`} text={ipProblem} />
      {routed ? <p role="status">{format(t.intake.routesTo, { country: `${f.country(routed)} (${routed})` })}</p> : null}
      <ErrorNote error={route.error} />
      <label>
        {t.intake.seenAt}
        <input type="datetime-local" value={seenAt} onChange={(e) => setSeenAt(e.target.value)} aria-describedby={`${uid}-seen`} />
      </label>
      <Problem id={`${uid}-seen`} text={seenProblem} />
      <fieldset>
        <legend>{t.refer.evidence}</legend>
        {evidence.map((d) => (
          <label key={d} className="check">
            <input
              type="checkbox"
              checked={cited.includes(d)}
              onChange={(e) => setCited(e.target.checked ? [...cited, d] : cited.filter((c) => c !== d))}
            />
            <span className="mono small">{d}</span>
          </label>
        ))}
        <Problem id={`${uid}-evidence`} text={evidenceProblem} />
      </fieldset>
      <label>
        {t.referrals.action}
        <select value={action} onChange={(e) => setAction(e.target.value as typeof action)}>
          <CodeOptions codes={ACTIONS} words={t.actions} />
        </select>
      </label>
      <label>
        {t.referrals.columns.urgency}
        <select value={urgency} onChange={(e) => setUrgency(e.target.value as typeof urgency)}>
          <CodeOptions codes={URGENCIES} words={t.urgencies} />
        </select>
      </label>
      <label>
        {t.referrals.operation}
        <input value={operation} onChange={(e) => setOperation(e.target.value)} aria-describedby={`${uid}-op`} />
      </label>
      <Problem id={`${uid}-op`} text={operationProblem} />
      <label className="check">
        <input type="checkbox" checked={override} onChange={(e) => setOverride(e.target.checked)} />
        {t.refer.override}
      </label>
      {override ? (
        <div className="override">
          <p className="help">{t.refer.overrideHelp}</p>
          <label>
            {t.refer.overrideCountry}
            <input
              value={overrideCountry}
              maxLength={2}
              size={3}
              onChange={(e) => setOverrideCountry(e.target.value.toUpperCase())}
              aria-describedby={`${uid}-oc`}
            />
          </label>
          {/^[A-Z]{2}$/.test(overrideCountry) ? <p className="help">{f.country(overrideCountry)}</p> : null}
          <Problem id={`${uid}-oc`} text={countryProblem} />
          <label>
            {t.refer.overrideReason}
            <textarea value={overrideReason} onChange={(e) => setOverrideReason(e.target.value)} aria-describedby={`${uid}-or`} />
          </label>
          <Problem id={`${uid}-or`} text={reasonProblem} />
        </div>
      ) : null}
      <ErrorNote error={send.error} />
      {send.data ? (
        <p role="status">
          {format(t.intake.sent, { country: f.country(send.data.to) })} <a href={href('sent', send.data.id)}>{t.refer.openSent}</a>
        </p>
      ) : null}
      <button type="submit" disabled={send.isPending || !ready}>
        {t.intake.send}
      </button>
    </PanelForm>
  );
}
