/**
 * Evidence files over the node's plain HTTP routes (they stream bytes, so they are not tRPC):
 * POST /bureau/evidence to add a file to a complaint, GET /bureau/evidence to fetch one with the
 * purpose of the read (issue #21). Errors come back as the node's { error: { code, message } }.
 */
import { storedToken } from './api';

/** A failed evidence request: the node's stable code and its message. */
export class EvidenceError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

async function failure(res: Response): Promise<EvidenceError> {
  const body = (await res.json().catch(() => ({}))) as { error?: { code?: string; message?: string } };
  return new EvidenceError(body.error?.code ?? 'ERR_INTERNAL', body.error?.message ?? `HTTP ${res.status}`);
}

const auth = () => ({ authorization: `Bearer ${storedToken() ?? ''}` });

export async function uploadEvidence(complaintId: string, file: File): Promise<string> {
  const res = await fetch(`/bureau/evidence?complaintId=${encodeURIComponent(complaintId)}&filename=${encodeURIComponent(file.name)}`, {
    method: 'POST',
    headers: { ...auth(), 'content-type': file.type || 'application/octet-stream' },
    body: file,
  });
  if (!res.ok) throw await failure(res);
  const body = (await res.json()) as { digest?: string };
  if (!body.digest) throw new EvidenceError('ERR_INTERNAL', 'the node answered without a digest');
  return body.digest;
}

/** Fetches one file (the read is recorded with `purpose`) and hands it to the browser as a download. */
export async function downloadEvidence(complaintId: string, digest: string, filename: string, purpose: string): Promise<void> {
  const query = new URLSearchParams({ complaintId, digest, purpose });
  const res = await fetch(`/bureau/evidence?${query}`, { headers: auth() });
  if (!res.ok) throw await failure(res);
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
