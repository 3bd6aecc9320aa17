/**
 * GET /bureau/evidence?complaintId=…&digest=sha256:…&purpose=…: one evidence file of a complaint,
 * streamed, for an officer or auditor token. A read of personal data: refused without a purpose
 * (412 ERR_PURPOSE_REQUIRED), recorded in the privacy log before the first byte is sent.
 */
import { createReadStream } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { z } from 'zod';
import { authenticate } from '../auth/tokens.js';
import type { NodeContext } from '../context.js';
import { NodeError } from '../errors.js';
import { operatorOf } from '../privacy/purpose.js';
import { digestText, openEvidence } from '../privacy/reads.js';

const downloadQuery = z.strictObject({
  complaintId: z.uuid(),
  digest: digestText,
  purpose: z.string().max(200).optional(),
});

const STATUS: Partial<Record<string, number>> = {
  ERR_NOT_FOUND: 404,
  ERR_ERASED: 404,
  ERR_PURPOSE_REQUIRED: 412,
  ERR_INPUT: 400,
};

function fail(res: ServerResponse, status: number, code: string, message: string): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ error: { code, message } }));
}

export async function handleEvidenceDownload(node: NodeContext, bearer: string | undefined, res: ServerResponse, url: URL): Promise<void> {
  try {
    const principal = await authenticate(node.db, bearer);
    if (!principal) return fail(res, 401, 'ERR_UNAUTHORIZED', 'a valid operator token is required');
    if (node.config.role !== 'national' || (principal.role !== 'officer' && principal.role !== 'auditor'))
      return fail(res, 403, 'ERR_FORBIDDEN', 'evidence files are for officer or auditor tokens of a national node');
    const query = downloadQuery.safeParse(Object.fromEntries(url.searchParams));
    if (!query.success)
      return fail(res, 400, 'ERR_INPUT', 'give complaintId (a UUID), digest (sha256:…) and purpose (a case reference) as query parameters');
    const file = await openEvidence(
      { db: node.db, operator: operatorOf(principal), purpose: query.data.purpose, now: node.clock.now() },
      query.data.complaintId,
      query.data.digest,
    );
    const stream = createReadStream(file.path);
    stream.once('open', () => {
      res.writeHead(200, {
        'content-type': file.mediaType,
        'content-length': file.size,
        // The stored name is the officer's; only its characters safe in a header are kept.
        'content-disposition': `attachment; filename="${file.filename.replace(/[^\w.-]/g, '_')}"`,
        'cache-control': 'no-store',
      });
      stream.pipe(res);
    });
    stream.once('error', (error) => {
      node.logger.error({ err: error.message }, 'evidence file unreadable');
      if (!res.headersSent) fail(res, 500, 'ERR_INTERNAL', 'the evidence file could not be read: the node logged the details');
      else res.destroy();
    });
  } catch (error) {
    if (error instanceof NodeError && STATUS[error.code]) return fail(res, STATUS[error.code] as number, error.code, error.message);
    node.logger.error({ err: error instanceof Error ? error.message : String(error) }, 'evidence download failed');
    fail(res, 500, 'ERR_INTERNAL', 'internal error: the node logged the details');
  }
}
