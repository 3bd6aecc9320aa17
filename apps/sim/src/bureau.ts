/**
 * The receiving countries' bureaus, played by the simulation: each moves the referrals the simulation
 * filed one status step at a time, on the days its plan gives them (fates.ts), and reports the planned
 * outcome. It never touches a referral a person filed, nor one the plan leaves for a person to work.
 */
import type { Fate } from './fates.js';
import type { Client } from './filing.js';

type StatusUpdate = Parameters<Client['bureau']['inbox']['updateStatuses']['mutate']>[0]['updates'][number];

const NEXT: Record<string, string> = {
  received: 'acknowledged',
  acknowledged: 'in_progress',
  in_progress: 'located',
  located: 'action_taken',
  action_taken: 'closed',
};

/** Days after filing at which a referral may take its next state (declining comes after acknowledging). */
function dueAfter(next: string, fate: Fate): number {
  if (fate.kind !== 'closed') return next === 'acknowledged' ? 1 : 2;
  if (next === 'acknowledged') return 1;
  if (next === 'in_progress') return 2;
  if (next === 'located') return fate.locatedAfter;
  if (next === 'action_taken') return fate.actionAfter;
  return fate.actionAfter + 2;
}

export interface Owned {
  /** Referral id → its case's fate and the replay day it was filed. */
  get(id: string): { fate: Fate; filedDay: number } | undefined;
}

/**
 * One round in one country: the open referrals of its inbox that the simulation owns and that are due
 * (on the replay's day; `day` Infinity moves every one a step). Answers how many it moved, and how many
 * owned referrals are still open and the simulation's to move.
 */
export async function respond(
  client: Client,
  owned: Owned,
  day: number,
  stopping: () => boolean,
): Promise<{ moved: number; open: number }> {
  let inbox: Awaited<ReturnType<Client['bureau']['inbox']['list']['query']>>;
  try {
    inbox = await client.bureau.inbox.list.query({ limit: 1000, open: true });
  } catch {
    return { moved: 0, open: 1 };
  }
  let open = 0;
  const updates = inbox.flatMap((r): StatusUpdate[] => {
    const mine = owned.get(r.id);
    if (!mine || mine.fate.kind === 'left') return [];
    open += 1;
    const { fate } = mine;
    const next = fate.kind === 'declined' && r.state === 'acknowledged' ? 'declined' : NEXT[r.state];
    if (!next || mine.filedDay + dueAfter(next, fate) > day) return [];
    if (next === 'declined' && fate.kind === 'declined') return [{ referralId: r.id, state: 'declined', reason: fate.reason }];
    if ((next === 'action_taken' || next === 'closed') && fate.kind === 'closed')
      return [{ referralId: r.id, state: next, outcome: fate.outcome }];
    return [{ referralId: r.id, state: next as 'acknowledged' | 'in_progress' | 'located' }];
  });
  for (let i = 0; i < updates.length && !stopping(); i += 500) {
    try {
      await client.bureau.inbox.updateStatuses.mutate({ updates: updates.slice(i, i + 500) });
    } catch {
      // A node restarting: the next round picks these up. (Refused items, say a referral someone
      // else closed meanwhile, are answered one by one and simply not moved.)
    }
  }
  return { moved: updates.length, open };
}
