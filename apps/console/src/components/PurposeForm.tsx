/**
 * Asking once per case why its personal data is read (issue #21): a case reference, checked as it is
 * typed against the server's rule, remembered for this tab so the officer is not asked again.
 */
import { useState } from 'react';
import { PURPOSE } from '../lib/purpose';
import { useSession } from '../lib/session';
import { PanelForm } from './PanelForm';
import { TextField } from './TextField';

export function PurposeForm({ onPurpose }: { onPurpose: (purpose: string) => void }) {
  const { t } = useSession();
  const [value, setValue] = useState('');
  const [touched, setTouched] = useState(false);
  const problem = PURPOSE.test(value.trim()) ? null : t.purpose.shape;
  return (
    <PanelForm
      title={t.purpose.title}
      onSubmit={() => {
        setTouched(true);
        if (!problem) onPurpose(value.trim());
      }}
      noValidate
    >
      <p className="help">{t.purpose.help}</p>
      <TextField
        label={t.purpose.label}
        value={value}
        placeholder="TH-2015-0042"
        onChange={(v) => {
          setValue(v);
          setTouched(true);
        }}
        problem={touched ? problem : null}
      />
      <div className="buttons">
        <button type="submit">{t.purpose.open}</button>
      </div>
    </PanelForm>
  );
}
