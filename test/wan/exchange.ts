/**
 * The exchange `pnpm wan` drives through the bureaus' own API (on their LAN listeners): complaints
 * with an evidence file, referrals to another country, and the recipient's status back. Latency is
 * measured from the moment the origin's officer refers to the recipient's own record of arrival
 * (received_at, its clock; every host shares this machine's clock), not to when a poll noticed it.
 */
import { randomUUID } from 'node:crypto';
import { type IpIndex, sampleIpsFor } from '@firstlight/node';
import { OPERATION, until, type WanNode } from './nodes.js';

export interface Sent {
  id: string;
  from: string;
  to: string;
  ip: string;
  digest: string;
  referredAt: number;
  receivedAt?: number;
}

let seed = 20;
const random = () => {
  seed = (seed * 1103515245 + 12345) % 2 ** 31;
  return seed / 2 ** 31;
};

/** One referral from `from` to `to`: a complaint with its evidence, then the referral (one call each). */
export async function refer(from: WanNode, to: string, index: IpIndex): Promise<Sent> {
  const page = `warrant page ${randomUUID()}`;
  const { ids, evidence } = await from.client.bureau.complaints.createMany.mutate({
    requestId: randomUUID(),
    complaints: [
      {
        victimName: 'Wan Victim',
        victimContact: 'wan@example.org',
        amountLost: 1000,
        currency: 'THB',
        scamType: 'fake_police',
        narrative: 'a call from a fake police station',
        occurredAt: '2015-06-01',
        reportedAt: '2015-06-02',
        attachments: [{ filename: 'warrant.html', mediaType: 'text/html', base64: Buffer.from(page).toString('base64') }],
      },
    ],
  });
  const digest = evidence[0]?.[0] as string;
  for (let draw = 0; draw < 5; draw++) {
    const [ip] = sampleIpsFor(index, to, 1, random);
    if (!ip) break;
    const referredAt = Date.now();
    const [result] = await from.client.bureau.referrals.createMany.mutate({
      requestId: randomUUID(),
      referrals: [
        {
          complaintId: ids[0] as string,
          ip,
          seenAt: '2015-06-01T10:00:00Z',
          evidence: [digest],
          action: 'locate',
          urgency: 'urgent',
          operation: OPERATION,
        },
      ],
    });
    if (result?.ok && result.to === to) return { id: result.id, from: from.party, to, ip, digest, referredAt };
  }
  throw new Error(`no routable address of ${to} from ${from.party}`);
}

/** Waits until every referral is in its recipient's inbox and records when each arrived there. */
export async function awaitInboxes(nodes: WanNode[], sent: Sent[], timeoutMs: number): Promise<void> {
  for (const node of nodes) {
    const mine = sent.filter((s) => s.to === node.party);
    if (mine.length === 0) continue;
    const arrived = await until(
      `${mine.length} referrals in ${node.party}'s inbox`,
      async () => {
        const inbox = await node.client.bureau.inbox.list.query({ limit: 500 });
        const byId = new Map(inbox.map((r) => [r.id, r.receivedAt]));
        return mine.every((s) => byId.has(s.id)) ? byId : null;
      },
      timeoutMs,
    );
    for (const s of mine) s.receivedAt = arrived.get(s.id);
  }
}

/** Each recipient acknowledges what it received; waits until every origin holds the signed status. */
export async function statusesBack(nodes: WanNode[], sent: Sent[], timeoutMs: number): Promise<void> {
  const byParty = new Map(nodes.map((n) => [n.party, n]));
  for (const node of nodes) {
    const mine = sent.filter((s) => s.to === node.party);
    if (mine.length > 0)
      await node.client.bureau.inbox.updateStatuses.mutate({
        requestId: randomUUID(),
        updates: mine.map((s) => ({ referralId: s.id, state: 'acknowledged' as const })),
      });
  }
  await until(
    'every status back at its origin',
    async () => {
      for (const s of sent) {
        const r = await byParty.get(s.from)?.client.bureau.referrals.get.query({ id: s.id });
        if (!r || r.statuses.length === 0) return false;
      }
      return true;
    },
    timeoutMs,
    500,
  );
}

/** Every referral exactly once in its recipient's inbox, nothing else there. */
export async function exactlyOnce(nodes: WanNode[], sent: Sent[]): Promise<string[]> {
  const problems: string[] = [];
  for (const node of nodes) {
    const expected = new Set(sent.filter((s) => s.to === node.party).map((s) => s.id));
    if (expected.size === 0) continue;
    const inbox = await node.client.bureau.inbox.list.query({ limit: 500 });
    const ids = inbox.map((r) => r.id);
    if (new Set(ids).size !== ids.length) problems.push(`${node.party}: an inbox row listed twice`);
    for (const id of expected) if (ids.filter((x) => x === id).length !== 1) problems.push(`${node.party}: ${id} not there exactly once`);
    for (const id of ids) if (!expected.has(id)) problems.push(`${node.party}: ${id} was never sent to it`);
  }
  return problems;
}

export function percentile(values: number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

export function latencies(sent: Sent[]): number[] {
  return sent.flatMap((s) => (s.receivedAt === undefined ? [] : [s.receivedAt - s.referredAt]));
}
