/**
 * Key rotation: a new key is created and submitted to the liaison office, signed with the current key
 * (proof of continuity). It is used for signing only once a directory lists it; the old key keeps
 * verifying what it signed until it expires. A TLS key rotation submits its pins the same way.
 */
import { LIAISON_PARTY, signKeySubmission, signTlsPinSubmission } from '@firstlight/protocol';
import { seconds } from '../clock.js';
import type { NodeContext } from '../context.js';
import { withSlash } from '../directory/directory-client.js';
import { publishedSigningKey } from './published-key.js';

export async function rotateKey(ctx: NodeContext): Promise<{ kid: string; submitted: boolean; message: string }> {
  const nowMs = ctx.clock.now();
  const now = seconds(nowMs);
  const current = publishedSigningKey(ctx, now);
  const meta = ctx.keys.create(now);
  const submission = signKeySubmission(
    { kid: meta.kid, jwk: meta.jwk, nbf: meta.nbf, exp: meta.exp },
    { party: ctx.config.party, nowMs, current },
  );
  // The liaison office signs the directory: its own new key joins the next serial it publishes.
  if (ctx.config.role === 'liaison')
    return {
      kid: meta.kid,
      submitted: true,
      message: 'the liaison office lists its own keys: publish the next directory to put it in use',
    };
  const sent = await postSubmission(ctx, submission);
  return {
    kid: meta.kid,
    submitted: sent.ok,
    message: sent.ok ? 'submitted to the liaison office; it will be used once a directory lists it' : sent.message,
  };
}

/**
 * Asks the liaison office to list exactly these TLS key pins for this node (a TLS key rotation,
 * PROTOCOL.md §3.2), signed with the key the directory lists for it now.
 */
export async function submitTlsPins(
  ctx: NodeContext,
  pins: string[],
): Promise<{ ok: true; status: string } | { ok: false; message: string }> {
  const nowMs = ctx.clock.now();
  const submission = signTlsPinSubmission(pins, { party: ctx.config.party, nowMs, current: publishedSigningKey(ctx, seconds(nowMs)) });
  const sent = await postSubmission(ctx, submission);
  if (!sent.ok) return sent;
  const status = (sent.answer as { status?: unknown } | undefined)?.status;
  return { ok: true, status: typeof status === 'string' ? status : 'unknown' };
}

/** POSTs a signed submission to the liaison office's federation.submitKey, through the pinned transport. */
async function postSubmission(ctx: NodeContext, jws: string): Promise<{ ok: true; answer: unknown } | { ok: false; message: string }> {
  const liaison = ctx.config.liaisonUrl;
  if (!liaison) return { ok: false, message: 'no liaison URL configured: give the liaison office this key by hand' };
  try {
    const response = await ctx.federation.request(LIAISON_PARTY, new URL('trpc/federation.submitKey', withSlash(liaison)), {
      method: 'POST',
      body: JSON.stringify({ jws }),
      timeoutMs: 10_000,
    });
    const body = (await response.json().catch(() => null)) as { error?: { message?: string }; result?: { data?: unknown } } | null;
    if (!response.ok) return { ok: false, message: `the liaison office refused it: ${body?.error?.message ?? `HTTP ${response.status}`}` };
    return { ok: true, answer: body?.result?.data };
  } catch (error) {
    return { ok: false, message: `could not reach the liaison office: ${error instanceof Error ? error.message : 'network error'}` };
  }
}
