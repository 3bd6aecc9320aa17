/**
 * The suite speaking the wire protocol itself: it signs messages with a member's own key (read from
 * that member's data directory, as the member would) at any time it likes, delivers them to real
 * nodes over mutual TLS (as the member, with its TLS key) and checks each signed receipt against the directory the liaison office publishes.
 * It never writes to a node's data directory.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Keystore } from '@firstlight/node/keystore';
import {
  createTrustStore,
  JWS_TYP,
  type Receipt,
  type Referral,
  type SigningKey,
  sha256Digest,
  signBytesSync,
  type TrustStore,
  uuidv7,
  verify,
  verifyDirectory,
} from '@firstlight/protocol';
import { Agent, fetch as undiciFetch } from 'undici';
import { z } from 'zod';

const deliverAnswer = z.object({ result: z.object({ data: z.object({ receipts: z.array(z.string()) }) }) });
const directoryAnswer = z.object({ result: z.object({ data: z.object({ jws: z.string() }) }) });

export const nowSeconds = (): number => Math.floor(Date.now() / 1000);

/** The directory the liaison office serves, verified against the anchor `party` pinned at init. */
export async function trustedDirectory(dataRoot: string, party: string, liaisonUrl: string): Promise<TrustStore> {
  const { anchor } = z.object({ anchor: z.string() }).parse(JSON.parse(readFileSync(join(dataRoot, party, 'config.json'), 'utf8')));
  const body = directoryAnswer.parse(await (await fetch(`${liaisonUrl}/trpc/federation.directory`)).json());
  const checked = await verifyDirectory(body.result.data.jws, { anchor, now: nowSeconds() });
  if (!checked.ok) throw new Error(`the liaison office's directory does not verify: ${checked.error.code}`);
  return createTrustStore(checked.directory);
}

/** The key a member signs with now, as its own node would pick it (read from its data directory). */
export function memberKey(dataRoot: string, party: string): SigningKey {
  return Keystore.open(join(dataRoot, party)).signingKey(nowSeconds());
}

/**
 * A referral with these fields over a valid base, signed with `key` (by default the key `from` signs
 * with now). The payload is signed as given, without the schema check signMessage makes, so a
 * referral the schema refuses can be sent too.
 */
export function signedReferral(
  dataRoot: string,
  fields: Pick<Referral, 'from' | 'to' | 'ip'> & Partial<Referral>,
  key: SigningKey = memberKey(dataRoot, fields.from),
): { jws: string; message: Referral } {
  const iat = nowSeconds();
  const message: Referral = {
    v: 1,
    id: uuidv7(),
    iat,
    exp: iat + 30 * 86_400,
    seenAt: '2015-06-01T10:00:00Z',
    evidence: [sha256Digest(`suite evidence ${Math.random()}`)],
    action: 'locate',
    urgency: 'urgent',
    operation: 'first-light-2015',
    ...fields,
  };
  return { jws: signBytesSync(JWS_TYP.referral, new TextEncoder().encode(JSON.stringify(message)), key), message };
}

/**
 * POSTs to `to`'s federation API (its published URL, mutual TLS) as member `as`: with `as`'s own TLS key
 * and certificate, read from its data directory, as its node would present them.
 */
export async function federationPost(dataRoot: string, as: string, to: string, procedure: string, body: unknown): Promise<Response> {
  const { publicUrl } = z.object({ publicUrl: z.string() }).parse(JSON.parse(readFileSync(join(dataRoot, to, 'config.json'), 'utf8')));
  const tls = join(dataRoot, as, 'tls');
  const dispatcher = new Agent({
    connect: { key: readFileSync(join(tls, 'key.pem')), cert: readFileSync(join(tls, 'cert.pem')), rejectUnauthorized: false },
  });
  try {
    const res = await undiciFetch(`${publicUrl}/trpc/federation.${procedure}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      dispatcher,
    });
    return new Response(await res.arrayBuffer(), { status: res.status, headers: { 'content-type': 'application/json' } });
  } finally {
    await dispatcher.close();
  }
}

/** POSTs envelopes to `to`'s federation.deliver as member `as`; one receipt per envelope, in order. */
export async function deliver(dataRoot: string, as: string, to: string, envelopes: string[]): Promise<string[]> {
  const url = to;
  const res = await federationPost(dataRoot, as, to, 'deliver', { envelopes });
  if (!res.ok) throw new Error(`${url} answered HTTP ${res.status} to federation.deliver`);
  const { receipts } = deliverAnswer.parse(await res.json()).result.data;
  if (receipts.length !== envelopes.length) throw new Error(`${url} answered ${receipts.length} receipts for ${envelopes.length}`);
  return receipts;
}

/**
 * A receipt as the sender must check it: signed under the directory key of `receiver`, addressed to
 * `sender`, for exactly the bytes sent. Throws when it is not; returns the receipt's content.
 */
export async function checkedReceipt(
  receiptJws: string,
  expected: { trust: TrustStore; receiver: string; sender: string; jws: string },
): Promise<Receipt> {
  const checked = await verify(receiptJws, {
    type: 'receipt',
    keys: expected.trust,
    recipient: expected.sender,
    recipientRole: 'national',
    now: nowSeconds(),
  });
  if (!checked.ok) throw new Error(`the receipt from ${expected.receiver} does not verify: ${checked.error.code} ${checked.error.message}`);
  const receipt = checked.message;
  if (receipt.from !== expected.receiver) throw new Error(`the receipt is signed by ${receipt.from}, not ${expected.receiver}`);
  if (receipt.ref.digest !== sha256Digest(expected.jws)) throw new Error(`the receipt from ${expected.receiver} is for other bytes`);
  return receipt;
}
