/**
 * Filing a new complaint with its evidence file. The victim's personal data stays in this country;
 * once saved, the complaint's own page opens, where its suspect IPs are referred abroad. The case
 * reference given here is the purpose of that page's read (issue #21), so the officer is not asked twice.
 */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { CodeOptions } from '../components/options';
import { SCAM_TYPES as SCAMS } from '../lib/constants';
import { uploadEvidence } from '../lib/evidence';
import { PURPOSE, rememberPurpose } from '../lib/purpose';
import { href, navigate } from '../lib/router';
import { ErrorNote, useSession } from '../lib/session';
import type { PageDef } from './page';

type Draft = {
  victimName: string;
  victimContact: string;
  amountLost: string;
  currency: string;
  scamType: (typeof SCAMS)[number];
  narrative: string;
  occurredAt: string;
  reportedAt: string;
  purpose: string;
};

function Intake() {
  const { client, t } = useSession();
  const qc = useQueryClient();
  const uid = useId();
  const today = new Date().toISOString().slice(0, 10);
  const [c, setC] = useState<Draft>({
    victimName: '',
    victimContact: '',
    amountLost: '0',
    currency: 'THB',
    scamType: 'fake_police',
    narrative: '',
    occurredAt: today,
    reportedAt: today,
    purpose: '',
  });
  const [touched, setTouched] = useState<Partial<Record<keyof Draft | 'file', boolean>>>({});
  const [file, setFile] = useState<File | null>(null);
  const problems: Partial<Record<keyof Draft | 'file', string>> = {};
  if (!c.victimName.trim()) problems.victimName = t.forms.required;
  if (!c.victimContact.trim()) problems.victimContact = t.forms.required;
  if (!/^\d+(\.\d{1,2})?$/.test(c.amountLost.trim())) problems.amountLost = t.forms.amount;
  if (!/^[A-Z]{3}$/.test(c.currency)) problems.currency = t.forms.currency;
  if (!c.narrative.trim()) problems.narrative = t.forms.required;
  if (!c.occurredAt) problems.occurredAt = t.forms.required;
  if (!c.reportedAt) problems.reportedAt = t.forms.required;
  else if (c.occurredAt && c.reportedAt < c.occurredAt) problems.reportedAt = t.forms.reportedBeforeFraud;
  if (!file) problems.file = t.forms.fileNeeded;
  if (!PURPOSE.test(c.purpose.trim())) problems.purpose = t.purpose.shape;
  const save = useMutation({
    mutationFn: async () => {
      const { purpose, ...fields } = c;
      const complaint = await client.bureau.complaints.create.mutate({ ...fields, amountLost: Number(c.amountLost) });
      rememberPurpose(complaint.id, purpose.trim());
      if (file) await uploadEvidence(complaint.id, file);
      return complaint.id;
    },
    onSuccess: (id) => {
      void qc.invalidateQueries();
      navigate(href('complaint', id));
    },
  });
  const show = (k: keyof Draft | 'file') => (touched[k] ? (problems[k] ?? null) : null);
  const field = (k: keyof Draft, label: string, type = 'text') => (
    <label>
      {label}
      <input
        type={type}
        value={c[k]}
        name={k}
        onChange={(e) => {
          setC({ ...c, [k]: k === 'currency' ? e.target.value.toUpperCase() : e.target.value });
          setTouched({ ...touched, [k]: true });
        }}
        onBlur={() => setTouched({ ...touched, [k]: true })}
        aria-invalid={show(k) ? true : undefined}
        aria-describedby={show(k) ? `${uid}-${k}` : undefined}
        {...(type === 'text' && k === 'amountLost' ? { inputMode: 'decimal' as const } : {})}
      />
    </label>
  );
  // A field's problem follows its label (inside, it would become part of the input's name).
  const note = (k: keyof Draft | 'file') =>
    show(k) ? (
      <span id={`${uid}-${k}`} className="field-error">
        {show(k)}
      </span>
    ) : null;
  const invalid = Object.keys(problems).length > 0;
  return (
    <>
      <h1>{t.intake.title}</h1>
      <p className="notice" role="note">
        {t.intake.notice}
      </p>
      <form
        aria-label={t.intake.title}
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          setTouched({
            victimName: true,
            victimContact: true,
            amountLost: true,
            currency: true,
            narrative: true,
            occurredAt: true,
            reportedAt: true,
            file: true,
            purpose: true,
          });
          if (!invalid) save.mutate();
        }}
      >
        {field('purpose', t.purpose.label)}
        {note('purpose')}
        {field('victimName', t.intake.victimName)}
        {note('victimName')}
        {field('victimContact', t.intake.victimContact)}
        {note('victimContact')}
        {field('amountLost', t.intake.amount)}
        {note('amountLost')}
        {field('currency', t.intake.currency)}
        {note('currency')}
        <label>
          {t.intake.scamType}
          <select value={c.scamType} onChange={(e) => setC({ ...c, scamType: e.target.value as Draft['scamType'] })}>
            <CodeOptions codes={SCAMS} words={t.scams} />
          </select>
        </label>
        <label>
          {t.intake.narrative}
          <textarea
            value={c.narrative}
            onChange={(e) => {
              setC({ ...c, narrative: e.target.value });
              setTouched({ ...touched, narrative: true });
            }}
            aria-invalid={show('narrative') ? true : undefined}
            aria-describedby={show('narrative') ? `${uid}-narrative` : undefined}
          />
        </label>
        {note('narrative')}
        {field('occurredAt', t.intake.occurred, 'date')}
        {note('occurredAt')}
        {field('reportedAt', t.intake.reported, 'date')}
        {note('reportedAt')}
        <label>
          {t.intake.evidence}
          <input
            type="file"
            onChange={(e) => {
              setFile(e.target.files?.[0] ?? null);
              setTouched({ ...touched, file: true });
            }}
            aria-describedby={show('file') ? `${uid}-file` : undefined}
          />
        </label>
        {note('file')}
        <ErrorNote error={save.error} />
        <button type="submit" disabled={save.isPending}>
          {t.intake.save}
        </button>
      </form>
    </>
  );
}

export const intakePage: PageDef = { id: 'intake', label: (t) => t.nav.intake, roles: ['bureau.act'], nav: true, Component: Intake };
