/**
 * Key rotation at the liaison office: a member submits its new public key signed with its current key
 * (proof of continuity). The signature is checked against the directory the liaison office holds, like
 * any federation message; the key then waits for an admin (policy `approve`) or joins the draft at
 * once (policy `auto`). Either way it takes effect with the next published serial.
 */
import { createPublicKey, verify as verifySignature } from 'node:crypto';
import { decodeBase64url, importPublicJwk, isCountryCode, numericDate, parseStrictJson } from '@firstlight/protocol';
import { z } from 'zod';
import { seconds } from '../clock.js';
import type { NodeContext } from '../context.js';
import { NodeError } from '../errors.js';
import { KEY_SUBMISSION_TYP } from '../keys/rotation.js';

const MAX_SUBMISSION_BYTES = 4096;

const submissionSchema = z.strictObject({
  v: z.literal(1),
  party: z.string().refine(isCountryCode, { error: 'must be a member country code' }),
  iat: numericDate,
  key: z.strictObject({ kid: z.string(), jwk: z.unknown(), nbf: numericDate, exp: numericDate }),
});

export interface KeySubmissionResult {
  kid: string;
  status: 'pending' | 'active';
}

function refuse(message: string): never {
  throw new NodeError('ERR_INPUT', message);
}

export async function submitKey(ctx: NodeContext, jws: string): Promise<KeySubmissionResult> {
  if (ctx.config.role !== 'liaison') throw new NodeError('ERR_FORBIDDEN', 'only the liaison office accepts key submissions');
  if (jws.length > MAX_SUBMISSION_BYTES) refuse(`a key submission is at most ${MAX_SUBMISSION_BYTES} bytes`);
  const parts = jws.split('.');
  if (parts.length !== 3) refuse('the submission is not a compact JWS');
  const [headerB64, payloadB64, signatureB64] = parts as [string, string, string];
  const headerBytes = decodeBase64url(headerB64);
  const payloadBytes = decodeBase64url(payloadB64);
  const signature = decodeBase64url(signatureB64);
  if (!headerBytes || !payloadBytes || !signature) refuse('the submission is not strict base64url');
  const header = parseStrictJson(new TextDecoder().decode(headerBytes)) as Record<string, unknown> | null;
  if (!header || typeof header !== 'object') refuse('the submission header is not JSON');
  const allowed = new Set(['alg', 'kid', 'typ']);
  if (Object.keys(header).some((k) => !allowed.has(k))) refuse('the submission header may carry only alg, kid and typ');
  if (header.alg !== 'EdDSA') refuse('the submission must be signed with EdDSA');
  if (header.typ !== KEY_SUBMISSION_TYP) refuse(`the submission typ must be ${KEY_SUBMISSION_TYP}`);
  if (typeof header.kid !== 'string') refuse('the submission header has no kid');

  const held = ctx.directory.current();
  if (!held) throw new NodeError('ERR_NO_DIRECTORY', 'the liaison office has not published a directory yet');
  const signer = held.trust.find(header.kid);
  if (!signer) refuse(`key ${header.kid} is not in directory serial ${held.directory.serial}: sign with your current key`);
  if (held.trust.revocation(header.kid)) refuse(`key ${header.kid} is revoked: ask the liaison office to enrol a new key by hand`);
  const signingInput = new TextEncoder().encode(`${headerB64}.${payloadB64}`);
  const publicKey = createPublicKey({ key: signer.jwk, format: 'jwk' });
  if (!verifySignature(null, signingInput, publicKey, signature)) refuse('the submission signature does not verify');

  const payload = parseStrictJson(new TextDecoder().decode(payloadBytes));
  const parsed = submissionSchema.safeParse(payload);
  if (!parsed.success) refuse(`the submission does not match its schema: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  const submission = parsed.data;
  if (submission.party !== signer.country) refuse(`key ${header.kid} belongs to ${signer.country}, not ${submission.party}`);
  const now = seconds(ctx.clock.now());
  if (Math.abs(submission.iat - now) > ctx.config.skewSeconds) refuse('the submission iat is outside the clock-skew allowance');
  if (submission.key.exp <= submission.key.nbf) refuse('the new key must expire after its not-before time');
  let imported: ReturnType<typeof importPublicJwk>;
  try {
    imported = importPublicJwk(submission.key.jwk);
  } catch {
    refuse('the new key is not an Ed25519 public JWK');
  }
  if (imported.kid !== submission.key.kid) refuse('the new key kid is not its RFC 7638 thumbprint');
  const revoked = await ctx.db.selectFrom('dir_revocations').select('kid').where('kid', '=', imported.kid).executeTakeFirst();
  if (revoked) refuse(`key ${imported.kid} was revoked and cannot be enrolled again`);

  const status = ctx.config.keyPolicy === 'auto' ? 'active' : 'pending';
  const existing = await ctx.db.selectFrom('dir_keys').select(['status', 'country']).where('kid', '=', imported.kid).executeTakeFirst();
  if (existing) {
    if (existing.country !== signer.country) refuse('that key is enrolled for another member');
    return { kid: imported.kid, status: existing.status === 'active' ? 'active' : 'pending' };
  }
  await ctx.db
    .insertInto('dir_keys')
    .values({
      kid: imported.kid,
      country: signer.country,
      jwk: JSON.stringify(imported.jwk),
      nbf: submission.key.nbf,
      exp: submission.key.exp,
      status,
      added_at: ctx.clock.now(),
    })
    .execute();
  ctx.logger.info({ country: signer.country, kid: imported.kid, status }, 'key submitted');
  return { kid: imported.kid, status };
}

export async function pendingKeys(ctx: NodeContext) {
  const rows = await ctx.db.selectFrom('dir_keys').selectAll().where('status', '=', 'pending').orderBy('added_at').execute();
  return rows.map((r) => ({ kid: r.kid, country: r.country, nbf: Number(r.nbf), exp: Number(r.exp), submittedAt: Number(r.added_at) }));
}

export async function approveKey(ctx: NodeContext, kid: string): Promise<{ kid: string; country: string }> {
  const row = await ctx.db.selectFrom('dir_keys').select(['country', 'status']).where('kid', '=', kid).executeTakeFirst();
  if (!row) throw new NodeError('ERR_NOT_FOUND', `no submitted key ${kid}`);
  if (row.status !== 'pending') throw new NodeError('ERR_CONFLICT', `key ${kid} is ${row.status}, not pending`);
  await ctx.db.updateTable('dir_keys').set({ status: 'active' }).where('kid', '=', kid).execute();
  return { kid, country: row.country };
}
