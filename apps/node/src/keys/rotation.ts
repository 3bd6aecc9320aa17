/**
 * Key rotation: a new key is created and submitted to the liaison office, signed with the current key
 * (proof of continuity). It is used for signing only once a directory lists it; the old key keeps
 * verifying what it signed until it expires.
 */
import { LIAISON_PARTY, signKeySubmission } from '@firstlight/protocol';
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
  const liaison = ctx.config.liaisonUrl;
  if (!liaison) return { kid: meta.kid, submitted: false, message: 'no liaison URL configured: give the liaison office this key by hand' };
  try {
    const response = await ctx.federation.request(LIAISON_PARTY, new URL('trpc/federation.submitKey', withSlash(liaison)), {
      method: 'POST',
      body: JSON.stringify({ jws: submission }),
      timeoutMs: 10_000,
    });
    if (!response.ok) {
      const body = (await response.json().catch(() => null)) as { error?: { message?: string } } | null;
      return {
        kid: meta.kid,
        submitted: false,
        message: `the liaison office refused the key: ${body?.error?.message ?? `HTTP ${response.status}`}`,
      };
    }
    return { kid: meta.kid, submitted: true, message: 'submitted to the liaison office; it will be used once a directory lists it' };
  } catch (error) {
    return {
      kid: meta.kid,
      submitted: false,
      message: `could not reach the liaison office: ${error instanceof Error ? error.message : 'network error'}`,
    };
  }
}
