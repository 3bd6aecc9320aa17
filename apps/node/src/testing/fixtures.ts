/** Canary values and helpers for tests: if one of these strings appears in a sent byte, personal data leaked. */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { peekJws, type Referral, type SigningKey, signMessage, uuidv7 } from '@firstlight/protocol';
import type { NodeContext } from '../context.js';
import { createComplaint } from '../intake/complaints.js';
import { storeEvidence } from '../intake/evidence.js';
import type { RunningNode } from '../node.js';
import type { TestFederation } from './federation.js';
import { OPERATION } from './federation.js';

export const CANARY = {
  name: 'CANARY-VICTIM-NAME-7f3a',
  contact: '+66-CANARY-PHONE-91e2',
  narrative: 'CANARY-NARRATIVE-c0ffee the caller said he was police',
};

/** A routable IPv4 address in `country`, from the real data set. */
export function ipIn(f: TestFederation, country: string, offset = 0): string {
  const ranges = f.nodes[Object.keys(f.nodes)[0] as string]?.services.routing().v4RangesOf(country) ?? [];
  const big = ranges.find(([s, e]) => e - s > 1000) ?? ranges[0];
  if (!big) throw new Error(`no range for ${country}`);
  const x = big[0] + 10 + offset;
  return `${(x >>> 24) & 255}.${(x >>> 16) & 255}.${(x >>> 8) & 255}.${x & 255}`;
}

/**
 * A referral signed straight with a node's key, past the node's intake: for tests that deliver, tamper
 * with or seal signed bytes themselves. Unless `fields` says otherwise: a fresh id, a routine 'locate'
 * in OPERATION of an IP seen on 1 June 2015, one evidence digest, valid a day from iat.
 */
export function signReferral(key: SigningKey, fields: Pick<Referral, 'from' | 'to' | 'ip' | 'iat'> & Partial<Referral>): Promise<string> {
  return signMessage(
    'referral',
    {
      v: 1,
      id: uuidv7(),
      exp: fields.iat + 86_400,
      seenAt: '2015-06-01T10:00:00Z',
      evidence: [`sha256:${'cd'.repeat(32)}`],
      action: 'locate',
      urgency: 'routine',
      operation: OPERATION,
      ...fields,
    },
    key,
  );
}

/** Files a complaint with canary personal data and one evidence file; returns ids. */
export async function fileComplaint(f: TestFederation, node: RunningNode, token: string, evidenceText = 'fake warrant page') {
  const client = f.client(node, token);
  const complaint = await client.bureau.complaints.create.mutate({
    victimName: CANARY.name,
    victimContact: CANARY.contact,
    amountLost: 250000,
    currency: 'THB',
    scamType: 'fake_police',
    narrative: CANARY.narrative,
    occurredAt: '2015-06-01',
    reportedAt: '2015-06-02',
  });
  const response = await fetch(`${node.url}/bureau/evidence?complaintId=${complaint.id}&filename=page.html`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'text/html' },
    body: evidenceText,
  });
  const evidence = (await response.json()) as { digest: string };
  if (evidence.digest !== `sha256:${createHash('sha256').update(evidenceText).digest('hex')}`) throw new Error('evidence digest mismatch');
  return { complaintId: complaint.id, digest: evidence.digest };
}

export async function refer(
  f: TestFederation,
  node: RunningNode,
  token: string,
  to: string,
  extra: { offset?: number; evidenceText?: string } = {},
) {
  const { complaintId, digest } = await fileComplaint(f, node, token, extra.evidenceText);
  return f.client(node, token).bureau.referrals.create.mutate({
    complaintId,
    ip: ipIn(f, to, extra.offset ?? 0),
    seenAt: '2015-06-01T10:00:00Z',
    evidence: [digest],
    action: 'locate',
    urgency: 'urgent',
    operation: OPERATION,
  });
}

/** A complaint stored straight through the domain by a test that needs one to hang rows on. */
const testComplaint = (victimName: string, narrative: string) => ({
  victimName,
  victimContact: 'n/a',
  amountLost: 1,
  currency: 'THB',
  scamType: 'fake_police' as const,
  narrative,
  occurredAt: '2015-06-01',
  reportedAt: '2015-06-02',
});

/**
 * A complaint and one evidence file stored straight through the domain (no HTTP, no running server),
 * and the input of a referral about `ip` citing that evidence: for tests that queue many referrals.
 */
export async function seedCase(opened: { ctx: NodeContext }, dataDir: string) {
  const complaint = await createComplaint(opened.ctx.db, testComplaint('Seeded Case', 'seeded by a test'), 'test', Date.now());
  const { digest } = await storeEvidence(opened.ctx.db, {
    dataDir,
    complaintId: complaint.id,
    filename: 'page.html',
    mediaType: 'text/html',
    body: Readable.from([Buffer.from('warrant page')]),
    maxBytes: 1024,
    now: Date.now(),
  });
  return {
    referral: (ip: string) => ({
      complaintId: complaint.id,
      ip,
      seenAt: '2015-06-01T10:00:00Z',
      evidence: [digest],
      action: 'locate' as const,
      urgency: 'routine' as const,
      operation: OPERATION,
    }),
  };
}

/**
 * A referral signed outside the bureau API (a test's own, even a forged one) kept in referrals_out as if
 * this node had filed it, under a complaint of its own: an outbox row names its message there, so a
 * test that queues a message itself (outbox.enqueue) keeps it first.
 */
export async function keepAsSent(ctx: NodeContext, jws: string): Promise<Referral> {
  const claims = peekJws(jws)?.payload as Referral;
  const complaint = await createComplaint(ctx.db, testComplaint('Kept Case', 'kept by a test'), 'test', Date.now());
  await ctx.db
    .insertInto('referrals_out')
    .values({
      id: claims.id,
      complaint_id: complaint.id,
      to_country: claims.to,
      routed_country: null,
      override_reason: null,
      ip: claims.ip,
      port: claims.port ?? null,
      seen_at: claims.seenAt,
      action: claims.action,
      urgency: claims.urgency,
      operation: claims.operation,
      evidence: JSON.stringify(claims.evidence),
      iat: claims.iat,
      exp: claims.exp,
      jws,
      created_at: Date.now(),
      created_by: 'test',
      state: null,
      outcome: null,
      reason: null,
      updated_at: Date.now(),
    })
    .execute();
  return claims;
}
