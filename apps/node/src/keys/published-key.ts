/**
 * The key this node signs with now: the newest valid key that the directory it holds lists (so peers
 * can verify it), else the newest valid key (a freshly rotated key is not used before it is published).
 */
import type { SigningKey } from '@firstlight/protocol';
import type { NodeContext } from '../context.js';

export function publishedSigningKey(ctx: Pick<NodeContext, 'keys' | 'directory'>, nowSeconds: number): SigningKey {
  const held = ctx.directory.current();
  return ctx.keys.signingKey(nowSeconds, (kid) => held?.trust.find(kid) !== undefined);
}
