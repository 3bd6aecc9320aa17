/**
 * Evidence files: streamed to <data>/evidence/, hashed while streaming, size-limited. Only the
 * SHA-256 digest ever leaves this node (in a referral's evidence list); the file never does.
 */
import { createHash, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { sha256Digest } from '@firstlight/protocol';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { NodeError } from '../errors.js';

export async function storeEvidence(
  db: Kysely<Database>,
  input: { dataDir: string; complaintId: string; filename: string; mediaType: string; body: Readable; maxBytes: number; now: number },
): Promise<{ digest: string; size: number }> {
  const complaint = await db.selectFrom('complaints').select(['id', 'erased_at']).where('id', '=', input.complaintId).executeTakeFirst();
  if (!complaint) throw new NodeError('ERR_NOT_FOUND', `no complaint ${input.complaintId}`);
  if (complaint.erased_at !== null)
    throw new NodeError('ERR_ERASED', `complaint ${input.complaintId} was erased: it takes no more evidence`);
  const { dir, tmp } = uploadSlot(input.dataDir);
  const hash = createHash('sha256');
  let size = 0;
  const out = createWriteStream(tmp, { mode: 0o600 });
  // The file opens asynchronously: an upload refused early must wait for it to close before removing
  // it (or the open would recreate it), and a write error must reach the catch, never crash the node.
  const closed = new Promise<void>((resolve) => out.once('close', () => resolve()));
  let writeError: Error | null = null;
  out.on('error', (error) => {
    writeError ??= error;
  });
  try {
    // Stopping early must not destroy the request: its socket still has to carry the 413 answer.
    for await (const chunk of input.body.iterator({ destroyOnReturn: false })) {
      const bytes = chunk as Buffer;
      size += bytes.length;
      if (size > input.maxBytes) throw new NodeError('ERR_TOO_LARGE', `evidence files are limited to ${input.maxBytes} bytes`);
      if (writeError) throw writeError;
      hash.update(bytes);
      if (!out.write(bytes)) await once(out, 'drain');
    }
    await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
  } catch (error) {
    out.destroy();
    await closed;
    rmSync(tmp, { force: true });
    throw error;
  }
  if (size === 0) {
    rmSync(tmp, { force: true });
    throw new NodeError('ERR_INPUT', 'the evidence file is empty');
  }
  const digest = `sha256:${hash.digest('hex')}`;
  const path = keepAs(dir, tmp, digest);
  await db
    .insertInto('evidence')
    .values({
      digest,
      complaint_id: input.complaintId,
      filename: input.filename.slice(0, 255),
      media_type: input.mediaType.slice(0, 100),
      size,
      path,
      created_at: input.now,
    })
    .onConflict((oc) => oc.columns(['complaint_id', 'digest']).doNothing())
    .execute();
  return { digest, size };
}

/**
 * Writes a file already in memory (an attachment of an import) where an upload would go: its digest and
 * path. Bytes already kept (the same file attached to several complaints) are not written again: a
 * rewrite renamed a new file over the old one, deleting an inode each time, and on ext4 every recent
 * delete slows the next file creations. What is kept is compared byte for byte, so a file that is not
 * what its name says (cut short, or zeroed by a purge stopped before its unlink) is written afresh.
 */
export function writeEvidenceFile(dataDir: string, bytes: Buffer): { digest: string; path: string } {
  const { dir, tmp } = uploadSlot(dataDir);
  const digest = sha256Digest(bytes);
  const kept = keptPath(dir, digest);
  if (holds(kept, bytes)) return { digest, path: kept };
  writeFileSync(tmp, bytes, { mode: 0o600 });
  return { digest, path: keepAs(dir, tmp, digest) };
}

/** Whether the file at `path` holds exactly these bytes. */
function holds(path: string, bytes: Buffer): boolean {
  try {
    return statSync(path, { throwIfNoEntry: false })?.size === bytes.length && readFileSync(path).equals(bytes);
  } catch {
    return false;
  }
}

/** A fresh temporary name in the evidence folder (created 0700) for a file being written. */
function uploadSlot(dataDir: string): { dir: string; tmp: string } {
  const dir = join(dataDir, 'evidence');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return { dir, tmp: join(dir, `.upload-${randomUUID()}`) };
}

/** Where the file with this digest is kept: its hex digits, in the evidence folder. */
function keptPath(dir: string, digest: string): string {
  return join(dir, digest.slice(7));
}

/** The written file kept under its digest (content-addressed, so the same bytes are one file): its path. */
function keepAs(dir: string, tmp: string, digest: string): string {
  const path = keptPath(dir, digest);
  renameSync(tmp, path);
  return path;
}
