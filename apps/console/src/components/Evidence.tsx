/**
 * A complaint's evidence files: each with its size, type and digest, a download (a read of personal
 * data, recorded with the case's purpose), and, for an officer, adding another file to the case.
 */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { downloadEvidence, uploadEvidence } from '../lib/evidence';
import { format } from '../lib/i18n';
import { ErrorNote, useSession } from '../lib/session';

interface File1 {
  digest: string;
  filename: string;
  media_type: string;
  size: number;
}

export function Evidence({ complaintId, files, purpose }: { complaintId: string; files: File1[]; purpose: string }) {
  const { t, f, me } = useSession();
  const qc = useQueryClient();
  const uid = useId();
  const [file, setFile] = useState<File | null>(null);
  const download = useMutation({ mutationFn: (e: File1) => downloadEvidence(complaintId, e.digest, e.filename, purpose) });
  const upload = useMutation({
    mutationFn: (chosen: File) => uploadEvidence(complaintId, chosen),
    onSuccess: () => {
      setFile(null);
      void qc.invalidateQueries({ queryKey: ['complaint', complaintId] });
    },
  });
  return (
    <section aria-labelledby={`${uid}-title`}>
      <h2 id={`${uid}-title`}>{t.case.evidence}</h2>
      {files.length === 0 ? <p>{t.complaints.noEvidence}</p> : null}
      <ul className="plain">
        {files.map((e) => (
          <li key={e.digest} data-evidence={e.digest}>
            {e.filename} · {e.media_type} · {f.bytes(e.size)} · <span className="mono small">{e.digest}</span>{' '}
            <button type="button" onClick={() => download.mutate(e)} aria-label={format(t.complaints.download, { name: e.filename })}>
              {t.complaints.downloadShort}
            </button>
          </li>
        ))}
      </ul>
      <ErrorNote error={download.error} />
      {me.access.includes('bureau.act') ? (
        <form
          className="inline"
          onSubmit={(e) => {
            e.preventDefault();
            if (file) upload.mutate(file);
          }}
        >
          <label>
            {t.complaints.addEvidence}
            <input type="file" onChange={(e) => setFile(e.target.files?.[0] ?? null)} />
          </label>
          <button type="submit" disabled={!file || upload.isPending}>
            {t.complaints.upload}
          </button>
          <ErrorNote error={upload.error} />
        </form>
      ) : null}
    </section>
  );
}
