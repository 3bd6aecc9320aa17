/**
 * The HTTP side of delivery, exactly as docs/PROTOCOL.md writes it: POST <endpoint>/trpc/federation.deliver
 * with {"envelopes": [...], "answer": "batch", "seal": "<JWS>"}, answer {"result":{"data":{"receiptBatch":"<JWS>"}}} (or,
 * asked for "each", {"receipts":[...]}). Plain fetch, no tRPC client, so what we send is what any
 * implementation in any language would send.
 */
import { withSlash } from '../directory/directory-client.js';
import type { FederationAnswer, FederationTransport } from '../tls/federation-transport.js';

export type DeliverResponse =
  | { ok: true; receipts: unknown[] }
  | { ok: true; receiptBatch: unknown }
  | { ok: false; error: string; status?: number };

export async function postEnvelopes(
  transport: FederationTransport,
  peer: string,
  endpoint: string,
  envelopes: string[],
  options: { answer?: 'each' | 'batch'; seal?: string; timeoutMs?: number } = {},
): Promise<DeliverResponse> {
  const { answer = 'batch', seal, timeoutMs = 30_000 } = options;
  let response: FederationAnswer;
  try {
    response = await transport.request(peer, new URL('trpc/federation.deliver', withSlash(endpoint)), {
      method: 'POST',
      body: JSON.stringify(seal === undefined ? { envelopes, answer } : { envelopes, answer, seal }),
      timeoutMs,
    });
  } catch (error) {
    const cause = error instanceof Error && 'cause' in error && error.cause instanceof Error ? error.cause.message : '';
    return { ok: false, error: `unreachable: ${error instanceof Error ? error.message : 'network error'}${cause ? ` (${cause})` : ''}` };
  }
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    return { ok: false, status: response.status, error: `HTTP ${response.status} with a body that is not JSON` };
  }
  const data = (body as { result?: { data?: { receipts?: unknown; receiptBatch?: unknown } } })?.result?.data;
  const answered = answer === 'batch' ? data?.receiptBatch !== undefined : Array.isArray(data?.receipts);
  if (!response.ok || !answered) {
    const message = (body as { error?: { message?: unknown } })?.error?.message;
    return {
      ok: false,
      status: response.status,
      error: `HTTP ${response.status}${typeof message === 'string' ? `: ${message.slice(0, 200)}` : ''}`,
    };
  }
  return answer === 'batch' ? { ok: true, receiptBatch: data?.receiptBatch } : { ok: true, receipts: data?.receipts as unknown[] };
}

/**
 * One light request to a peer that was down: GET federation.health. True only when it answers as
 * `peer` itself (another process on that address does not count as the peer being back).
 */
export async function probePeer(transport: FederationTransport, endpoint: string, peer: string, timeoutMs: number): Promise<boolean> {
  try {
    // Through the pinned transport: a host at that address without the peer's TLS key is not the peer.
    const response = await transport.request(peer, new URL('trpc/federation.health', withSlash(endpoint)), { timeoutMs });
    if (!response.ok) return false;
    const body = (await response.json()) as { result?: { data?: { country?: unknown } } };
    return body?.result?.data?.country === peer;
  } catch {
    return false;
  }
}
