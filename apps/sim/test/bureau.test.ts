/**
 * The simulation's bureau, against an inbox kept in memory that answers `bureau.inbox.since`,
 * `updateStatuses` and `get` as a node does: it learns of each referral once, from where it stopped,
 * moves what it owns a step a round, takes up a referral that came before the filing call's answer made
 * it the simulation's own, leaves what a person works, and takes the node's state when an update is refused.
 */
import { describe, expect, it, vi } from 'vitest';
import { Bureau, type Owned } from '../src/bureau.js';
import type { Fate } from '../src/fates.js';
import type { Client } from '../src/filing.js';

const id = (n: number) => `00000000-0000-7000-8000-${String(n).padStart(12, '0')}`;
const ORDER = ['received', 'acknowledged', 'in_progress', 'located', 'action_taken', 'closed'];

function fakeInbox() {
  const rows: Array<{ id: string; receivedAt: number; state: string }> = [];
  const calls = { since: 0, listed: 0, waits: [] as number[] };
  const client = {
    bureau: {
      inbox: {
        since: {
          async query({ after, limit, waitMs }: { after?: { receivedAt: number; id: string }; limit: number; waitMs?: number }) {
            calls.since++;
            calls.waits.push(waitMs ?? 0);
            const items = rows
              .filter((r) => !after || r.receivedAt > after.receivedAt || (r.receivedAt === after.receivedAt && r.id > after.id))
              .sort((a, b) => a.receivedAt - b.receivedAt || (a.id < b.id ? -1 : 1))
              .slice(0, limit)
              .map((r) => ({ ...r }));
            calls.listed += items.length;
            const last = items.at(-1);
            return { items, next: last ? { receivedAt: last.receivedAt, id: last.id } : (after ?? null) };
          },
        },
        updateStatuses: {
          async mutate({ updates }: { updates: Array<{ referralId: string; state: string }> }) {
            return updates.map((u) => {
              const row = rows.find((r) => r.id === u.referralId);
              if (!row) return { ok: false, code: 'ERR_NOT_FOUND', message: 'no such referral' };
              const forward =
                u.state === 'declined' ? row.state === 'acknowledged' : ORDER.indexOf(u.state) === ORDER.indexOf(row.state) + 1;
              if (!forward) return { ok: false, code: 'ERR_STATUS_ORDER', message: `${u.state} cannot follow ${row.state}` };
              row.state = u.state;
              return { ok: true, id: `status-${u.referralId}-${u.state}` };
            });
          },
        },
        get: {
          async query({ id: wanted }: { id: string }) {
            const row = rows.find((r) => r.id === wanted);
            if (!row) throw new Error('not found');
            return { ...row };
          },
        },
      },
    },
  };
  return { rows, calls, client: client as unknown as Client };
}

const closed: Fate = {
  kind: 'closed',
  outcome: { suspectsIdentified: 1, arrests: 1, premisesSearched: 1, callCentresDismantled: 0 },
  locatedAfter: 3,
  actionAfter: 4,
};

describe("the simulation's bureau", () => {
  it('moves what it owns to its fate, learning of each referral once, including one that came before it was known as its own', async () => {
    const inbox = fakeInbox();
    const fates = new Map<string, { fate: Fate; filedDay: number }>();
    const owned: Owned = { get: (x) => fates.get(x) };
    const bureau = new Bureau(inbox.client);
    // Three referrals in one delivery (same received_at), one later; a fifth a person filed.
    for (const [n, at] of [
      [1, 10],
      [2, 10],
      [3, 10],
      [4, 11],
      [5, 11],
    ] as const)
      inbox.rows.push({ id: id(n), receivedAt: at, state: 'received' });
    fates.set(id(1), { fate: closed, filedDay: 0 });
    fates.set(id(2), { fate: { kind: 'declined', reason: 'ip_not_traceable' }, filedDay: 0 });
    fates.set(id(3), { fate: { kind: 'left' }, filedDay: 0 });
    // id(4) arrives before the filing call's answer: not yet the simulation's.

    const round = () => bureau.respond(owned, Number.POSITIVE_INFINITY, () => false);
    expect(await round()).toEqual({ moved: 2, open: 2, nextDue: Number.POSITIVE_INFINITY, failed: false });
    expect(inbox.rows.map((r) => r.state)).toEqual(['acknowledged', 'acknowledged', 'received', 'received', 'received']);

    fates.set(id(4), { fate: closed, filedDay: 0 });
    for (let i = 0; i < 8; i++) await round();
    expect(inbox.rows.map((r) => r.state)).toEqual(['closed', 'declined', 'received', 'closed', 'received']);
    expect(await round()).toEqual({ moved: 0, open: 0, nextDue: Number.POSITIVE_INFINITY, failed: false });
    // Each referral was given once: five rows listed over every round.
    expect(inbox.calls.listed).toBe(5);
    // With nothing to do, a round waits for news in its look at the inbox (a long poll); only a little
    // while it holds the person's referral (id 5) seen lately, as it may yet become the simulation's.
    inbox.calls.waits.length = 0;
    await bureau.respond(owned, Number.POSITIVE_INFINITY, () => false, { ms: 5000 });
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(Date.now() + 31_000);
      await bureau.respond(owned, Number.POSITIVE_INFINITY, () => false, { ms: 5000 });
    } finally {
      vi.useRealTimers();
    }
    expect(inbox.calls.waits).toEqual([200, 5000]);
  });

  it('waits little while it holds an arrival not yet known as its own, and says when its next referral comes due', async () => {
    const inbox = fakeInbox();
    const fates = new Map<string, { fate: Fate; filedDay: number }>();
    const bureau = new Bureau(inbox.client);
    inbox.rows.push({ id: id(8), receivedAt: 1, state: 'received' });
    const owned: Owned = { get: (x) => fates.get(x) };
    // id(8) is not the simulation's yet: held, and the next look waits at most 200 ms for news.
    expect(await bureau.respond(owned, 0, () => false, { ms: 5000 })).toMatchObject({ moved: 0, failed: false });
    expect(await bureau.respond(owned, 0, () => false, { ms: 5000 })).toMatchObject({ moved: 0 });
    expect(inbox.calls.waits).toEqual([5000, 200]);
    // Once it is (filed on day 0), it is acknowledged from day 1: on day 0.5 nothing moves, and the next is due on day 1.
    fates.set(id(8), { fate: closed, filedDay: 0 });
    expect(await bureau.respond(owned, 0.5, () => false)).toEqual({ moved: 0, open: 1, nextDue: 1, failed: false });
    expect(await bureau.respond(owned, 1, () => false)).toEqual({ moved: 1, open: 1, nextDue: Number.POSITIVE_INFINITY, failed: false });
    expect(await bureau.respond(owned, 1.5, () => false)).toEqual({ moved: 0, open: 1, nextDue: 2, failed: false });
    // A node that does not answer: nothing looked at, said so.
    (inbox.client.bureau.inbox.since as unknown as { query: () => Promise<never> }).query = async () => {
      throw new Error('ECONNREFUSED');
    };
    expect(await bureau.respond(owned, 3, () => false)).toMatchObject({ moved: 0, failed: true });
  });

  it("takes the node's state when a person moved a referral meanwhile, and goes on from there", async () => {
    const inbox = fakeInbox();
    const fates = new Map<string, { fate: Fate; filedDay: number }>([[id(7), { fate: closed, filedDay: 0 }]]);
    const bureau = new Bureau(inbox.client);
    inbox.rows.push({ id: id(7), receivedAt: 1, state: 'received' });
    const round = () => bureau.respond({ get: (x) => fates.get(x) }, Number.POSITIVE_INFINITY, () => false);
    await round();
    expect(inbox.rows[0]?.state).toBe('acknowledged');
    (inbox.rows[0] as { state: string }).state = 'located';
    await round(); // refused (in_progress cannot follow located): the node's state taken
    await round();
    expect(inbox.rows[0]?.state).toBe('action_taken');
    await round();
    expect(inbox.rows[0]?.state).toBe('closed');
    expect(await round()).toMatchObject({ moved: 0, open: 0 });
  });
});
