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

/**
 * While it holds an arrival seen in the last UNKNOWN_FOR_MS that is not the simulation's (yet: the
 * filing call's answer may still be on its way), a bureau's look at its inbox waits at most
 * UNKNOWN_WAIT_MS; older ones are a person's, and do not keep it looking.
 */
const UNKNOWN_WAIT_MS = 200;
const UNKNOWN_FOR_MS = 30_000;

/** What a round did: how many referrals it moved, how many it still works, and when the next comes due. */
export interface Round {
  moved: number;
  open: number;
  /** The replay day on which the next referral it works may move (Infinity: none waits for a day). */
  nextDue: number;
  /** The node did not answer (restarting, stopping): nothing was looked at. */
  failed: boolean;
}

export interface Owned {
  /** Referral id → its case's fate and the replay day it was filed. */
  get(id: string): { fate: Fate; filedDay: number } | undefined;
}

/**
 * One receiving country's bureau as the simulation plays it: like a case system beside the node, it keeps
 * its own copy of the referrals it works, learns of new ones from `bureau.inbox.since` (each referral
 * once, from where it last stopped) and of their states from its own signed updates, so a round costs
 * what came in and what moves, not a read of the whole inbox (1,000 rows a look at 100,000 referrals).
 */
export class Bureau {
  private cursor: { receivedAt: number; id: string } | undefined;
  /** Referrals the simulation owns and works, not yet closed or declined: id → state. */
  private readonly working = new Map<string, string>();
  /**
   * Open referrals that came before the simulation knew them as its own: a referral can reach its
   * recipient before the filing call's answer reaches the simulation. Looked at again every round
   * (those a person filed stay here, a handful).
   */
  private readonly unknown = new Map<string, { state: string; seenAt: number }>();

  constructor(readonly client: Client) {}

  /**
   * Referrals that came since the last look, taken into the working set (those the simulation owns and
   * works). With `waitMs`, the first look waits that long for one to come (a long poll, answered at
   * the arrival), unless an arrival not yet known as the simulation's own is held: it may become so at
   * any moment.
   */
  private async arrivals(owned: Owned, waitMs: number, signal: AbortSignal | undefined): Promise<void> {
    const take = (id: string, state: string) => {
      const mine = owned.get(id);
      if (!mine) return false;
      if (mine.fate.kind !== 'left') this.working.set(id, state);
      return true;
    };
    for (const [id, { state }] of this.unknown) if (take(id, state)) this.unknown.delete(id);
    // One that came lately may be a filing whose answer is on its way; one held longer, a person's.
    const lately = Date.now() - UNKNOWN_FOR_MS;
    let wait = [...this.unknown.values()].some((u) => u.seenAt > lately) ? Math.min(waitMs, UNKNOWN_WAIT_MS) : waitMs;
    for (;;) {
      const page = await this.client.bureau.inbox.since.query(
        { ...(this.cursor ? { after: this.cursor } : {}), limit: 1000, waitMs: wait },
        { signal },
      );
      wait = 0;
      for (const r of page.items)
        if (r.state !== 'closed' && r.state !== 'declined' && !take(r.id, r.state))
          this.unknown.set(r.id, { state: r.state, seenAt: Date.now() });
      if (page.next) this.cursor = page.next;
      if (page.items.length < 1000) return;
    }
  }

  /**
   * One round: the owned referrals that are due (on the replay's day; `day` Infinity moves every one a
   * step) move on. Answers how many it asked to move, and how many it still works.
   */
  async respond(
    owned: Owned,
    day: number,
    stopping: () => boolean,
    wait: { ms: number; signal?: AbortSignal } = { ms: 0 },
  ): Promise<Round> {
    try {
      await this.arrivals(owned, wait.ms, wait.signal);
    } catch {
      return { moved: 0, open: this.working.size, nextDue: Number.POSITIVE_INFINITY, failed: true };
    }
    const updates: StatusUpdate[] = [];
    let nextDue = Number.POSITIVE_INFINITY;
    for (const [id, state] of this.working) {
      const mine = owned.get(id);
      if (!mine) continue;
      const { fate } = mine;
      const next = fate.kind === 'declined' && state === 'acknowledged' ? 'declined' : NEXT[state];
      if (!next) continue;
      const due = mine.filedDay + dueAfter(next, fate);
      if (due > day) {
        nextDue = Math.min(nextDue, due);
        continue;
      }
      if (next === 'declined' && fate.kind === 'declined') updates.push({ referralId: id, state: 'declined', reason: fate.reason });
      else if ((next === 'action_taken' || next === 'closed') && fate.kind === 'closed')
        updates.push({ referralId: id, state: next, outcome: fate.outcome });
      else updates.push({ referralId: id, state: next as 'acknowledged' | 'in_progress' | 'located' });
    }
    for (let i = 0; i < updates.length && !stopping(); i += 500) {
      const batch = updates.slice(i, i + 500);
      let answers: Awaited<ReturnType<Client['bureau']['inbox']['updateStatuses']['mutate']>>;
      try {
        answers = await this.client.bureau.inbox.updateStatuses.mutate({ updates: batch });
      } catch {
        // A node restarting: the next round asks again (the states kept are the ones the node holds).
        continue;
      }
      for (const [n, answer] of answers.entries()) {
        const update = batch[n] as StatusUpdate;
        if (answer.ok) {
          if (update.state === 'closed' || update.state === 'declined') this.working.delete(update.referralId);
          else this.working.set(update.referralId, update.state);
          continue;
        }
        // Refused (someone else moved it meanwhile, say): take the state the node holds.
        try {
          const held = await this.client.bureau.inbox.get.query({ id: update.referralId });
          if (held.state === 'closed' || held.state === 'declined') this.working.delete(update.referralId);
          else this.working.set(update.referralId, held.state);
        } catch {
          // Asked again next round.
        }
      }
    }
    return { moved: updates.length, open: this.working.size, nextDue, failed: false };
  }
}
