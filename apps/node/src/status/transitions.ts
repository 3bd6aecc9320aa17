/**
 * Which status a bureau may sign next on a referral it received: the protocol's one rule
 * (@firstlight/protocol status-flow, PROTOCOL.md §2.2.1), read from the inbox row's state ('received'
 * before any status). The console offers exactly these; updateStatus refuses anything else.
 */
import { nextStates as protocolNext, type StatusState } from '@firstlight/protocol';

/** The statuses a bureau may sign next from `state`, in the order a case moves. Empty when the case is final. */
export function nextStates(state: string): StatusState[] {
  return protocolNext(state === 'received' ? null : (state as StatusState));
}
