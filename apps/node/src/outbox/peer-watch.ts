/**
 * Which peers are down, and the one light request that finds out when each is back.
 *
 * Every queued row backs off on its own timer (up to retry.maxMs, minutes), so without this a peer that
 * returns after an outage would get its backlog in a trickle over those minutes. Instead a peer whose
 * delivery failed is marked down and probed with `federation.health` every `probeMs`; the first sign of
 * life (a probe answered, a delivery accepted, a message received from it) brings the peer's whole
 * queue forward and wakes the worker, so the backlog goes at once.
 *
 * Held in memory per worker: after a restart every queued row is brought forward anyway (worker start).
 * It never decides what is delivered or recorded: it only moves `next_attempt_at` earlier.
 */
import type { NodeContext } from '../context.js';
import { probePeer } from './federation-client.js';
import { resetBackoff } from './outbox.js';

interface Down {
  since: number;
  nextProbeAt: number;
}

export class PeerWatch {
  private readonly down = new Map<string, Down>();
  private readonly probing = new Set<string>();

  constructor(
    private readonly ctx: NodeContext,
    private readonly options: { probeMs: number; wake: () => void },
  ) {}

  /** A delivery to `peer` failed before it answered (unreachable, timeout, not a receipt). */
  markDown(peer: string, now: number): void {
    if (this.down.has(peer)) return;
    this.down.set(peer, { since: now, nextProbeAt: now + this.options.probeMs });
    this.ctx.logger.info({ peer }, 'peer down: probing it until it answers');
  }

  isDown(peer: string): boolean {
    return this.down.has(peer);
  }

  /**
   * A sign of life from `peer`: if it was down, or rows to it were backing off, its whole queue is due
   * now. `backedOff`: the caller knows rows to this peer are waiting out a backoff.
   */
  async alive(peer: string, now: number, backedOff = false): Promise<void> {
    const was = this.down.get(peer);
    if (!was && !backedOff) return;
    this.down.delete(peer);
    await resetBackoff(this.ctx.db, peer, now);
    if (was) this.ctx.logger.info({ peer, downMs: now - was.since }, 'peer back: its queue is due now');
    this.options.wake();
  }

  /** When the next probe of a down peer is due (Infinity when none is down). */
  nextProbeAt(): number {
    let next = Number.POSITIVE_INFINITY;
    for (const state of this.down.values()) next = Math.min(next, state.nextProbeAt);
    return next;
  }

  /** Probes every down peer whose probe is due; answers arrive asynchronously. */
  probeDue(now: number): void {
    for (const [peer, state] of this.down) {
      if (state.nextProbeAt > now || this.probing.has(peer)) continue;
      state.nextProbeAt = now + this.options.probeMs;
      const member = this.ctx.directory.member(peer);
      if (!member) continue;
      this.probing.add(peer);
      void probePeer(this.ctx.federation, member.endpoint, peer, Math.max(1000, this.options.probeMs))
        .then((up) => (up ? this.alive(peer, this.ctx.clock.now()) : undefined))
        .catch((error) => this.ctx.logger.warn({ peer, err: error instanceof Error ? error.message : String(error) }, 'peer probe failed'))
        .finally(() => this.probing.delete(peer));
    }
  }
}
