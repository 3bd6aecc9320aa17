/** Long-lived domain services of a running node, built once in node.ts. */
import type { Inbox } from './inbox/inbox.js';
import type { MemberProbes } from './liaison/member-probes.js';
import type { OutboxWorker } from './outbox/worker.js';
import type { IpIndex } from './routing/ip-index.js';

export interface Services {
  inbox: Inbox;
  worker: OutboxWorker;
  /**
   * The IP → country index, built on the first call (the bureau's referral and route-preview procedures
   * are the only callers; the liaison office routes nothing and never builds it).
   */
  routing: () => IpIndex;
  /** Fetches the directory from the liaison office soon (debounced). */
  refreshDirectory: () => void;
  /** The liaison office's one cache of members' health probes (every reader shares it). */
  memberProbes: MemberProbes;
}
