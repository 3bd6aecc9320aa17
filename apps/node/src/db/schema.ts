/**
 * The node's tables as Kysely sees them. One schema for SQLite and PostgreSQL: times are integer
 * milliseconds since the epoch, JSON is text, booleans are 0/1 integers.
 */
import type { DeliveredKind } from '@firstlight/protocol';
import type { StatusState } from '@firstlight/protocol/enums';
import type { Generated } from 'kysely';

/** Where an outbox row stands: waiting for a receipt, or settled by one (or by the dead-letter deadline). */
export type OutboxState = 'queued' | 'delivered' | 'rejected' | 'dead';
/** A received referral: received, then whatever this country's signed statuses said. */
export type ReferralInState = 'received' | StatusState;
/** A referral as the liaison office sees it: sent, then its recipient's latest signed status. */
export type LiaisonReferralState = 'sent' | StatusState;

export interface ComplaintTable {
  id: string;
  created_at: number;
  created_by: string;
  victim_name: string;
  victim_contact: string;
  amount_minor: number;
  currency: string;
  scam_type: string;
  narrative: string;
  occurred_at: string;
  reported_at: string;
  /** Review date set by a reviewer (extension); null: created_at plus config.retention.complaintDays. */
  review_at: number | null;
  /** When its personal data was erased (the tombstone is its privacy_log row); null while held. */
  erased_at: number | null;
}

export interface EvidenceTable {
  digest: string;
  complaint_id: string;
  filename: string;
  media_type: string;
  size: number;
  path: string;
  created_at: number;
}

/** Referrals this country sent. Delivery state lives in the outbox rows for the same message id. */
export interface ReferralOutTable {
  id: string;
  complaint_id: string;
  to_country: string;
  routed_country: string | null;
  override_reason: string | null;
  ip: string;
  port: number | null;
  seen_at: string;
  action: string;
  urgency: string;
  operation: string;
  evidence: string;
  iat: number;
  exp: number;
  jws: string;
  created_at: number;
  created_by: string;
  /** The latest state reported back by the receiving country (signed status), or null. */
  state: StatusState | null;
  outcome: string | null;
  reason: string | null;
  updated_at: number;
}

/** Referrals received from other countries (the inbox). */
export interface ReferralInTable {
  id: string;
  from_country: string;
  to_country: string;
  ip: string;
  port: number | null;
  seen_at: string;
  action: string;
  urgency: string;
  operation: string;
  evidence: string;
  iat: number;
  exp: number;
  received_at: number;
  deadline_at: number;
  state: ReferralInState;
  outcome: string | null;
  reason: string | null;
  updated_at: number;
  /** Review date set by a reviewer; null: closure (updated_at once closed or declined) plus config.retention.referralDays. */
  review_at: number | null;
}

/** Every signed status, sent or received. */
export interface StatusTable {
  id: string;
  referral_id: string;
  from_country: string;
  to_country: string;
  state: StatusState;
  outcome: string | null;
  reason: string | null;
  iat: number;
  jws: string;
  direction: 'in' | 'out';
  created_at: number;
}

/** Every message received over the federation API, with the receipt we answered (idempotency). */
export interface ReceivedTable {
  message_id: string;
  kind: DeliveredKind;
  digest: string;
  from_country: string;
  jws: string;
  /** The receipt JWS answered, or `batch:<digest>:<index>` naming its verdict in a receipt batch. */
  receipt: string;
  received_at: number;
  /** Digest of the delivery seal that stood for this message's own signature (§2.3.2), or null. */
  seal: string | null;
}

/** Delivery seals received, each kept once: the proof of the messages accepted on them (§2.3.2). */
export interface SealTable {
  digest: string;
  jws: string;
  at: number;
}

/** Receipt batches sent and received, each kept once (PROTOCOL.md §2.3.1). */
export interface ReceiptBatchTable {
  digest: string;
  jws: string;
  at: number;
}

/**
 * A message's delivery to one peer. The signed message itself is kept once, in referrals_out or
 * statuses (by kind and message_id), and read from there by the claim (outbox/outbox.ts).
 */
export interface OutboxTable {
  id: Generated<number>;
  message_id: string;
  kind: DeliveredKind;
  peer: string;
  state: OutboxState;
  attempts: number;
  next_attempt_at: number;
  last_error: string | null;
  receipt: string | null;
  receipt_code: string | null;
  created_at: number;
  delivered_at: number | null;
  claimed_by: string | null;
  claimed_until: number | null;
}

export interface AuditTable {
  seq: number;
  at: number;
  kind: string;
  ref: string;
  digest: string;
  prev_hash: string;
  hash: string;
}

/**
 * The privacy log: each read of personal data (with its purpose), review extension and erasure
 * (tombstone), one row per audit entry of the same seq, whose digest is this row's (privacy/log.ts).
 * Holds identifiers, operators, purposes and reasons: never the personal data itself.
 */
export interface PrivacyLogTable {
  seq: number;
  at: number;
  /** read | extend | erase */
  action: string;
  /** complaint | referral */
  subject_kind: string;
  subject_id: string;
  /** What was read: complaint | evidence:<digest> | export; '' for extend and erase. */
  item: string;
  operator_id: string;
  operator_name: string;
  operator_role: string;
  purpose: string;
  reason: string;
  /** JSON: the new review date of an extension, what an erasure removed. */
  detail: string;
}

/** The audit chain's head anchor: a single row (id 1), rewritten with every append. */
export interface AuditHeadTable {
  id: number;
  seq: number;
  hash: string;
}

export interface TokenTable {
  id: string;
  name: string;
  role: string;
  hash: string;
  created_at: number;
  revoked_at: number | null;
}

export interface PeerTable {
  country: string;
  last_heard_at: number | null;
  last_attempt_at: number | null;
  backoff_level: number;
}

export interface KvTable {
  key: string;
  value: string;
}

export interface DirMemberTable {
  country: string;
  name: string;
  endpoint: string;
  role: string;
  added_at: number;
  /** JSON array of TLS key pins (directory v2); null: enrolled without one. */
  tls_pins: string | null;
  /** JSON array of TLS pins the member submitted (signed), waiting for an admin under keyPolicy approve. */
  tls_pins_pending: string | null;
}

export interface DirKeyTable {
  kid: string;
  country: string;
  jwk: string;
  nbf: number;
  exp: number;
  /** active | pending (submitted, awaiting approval) | removed */
  status: string;
  added_at: number;
}

export interface DirRevocationTable {
  kid: string;
  at: number;
  reason: string;
}

export interface DirOperationTable {
  id: string;
  name: string;
  start: string;
  end: string;
  participants: string;
}

export interface DirPublicationTable {
  serial: number;
  issued_at: number;
  expires_at: number;
  jws: string;
}

export interface LiaisonReferralTable {
  id: string;
  from_country: string;
  to_country: string;
  ip: string;
  network: string;
  port: number | null;
  seen_at: string;
  action: string;
  urgency: string;
  operation: string;
  evidence: string;
  iat: number;
  received_at: number;
  state: LiaisonReferralState;
  state_iat: number | null;
  jws: string;
  /** What its authoritative statuses make of it (liaison/figures.ts): how many are held. */
  statuses: Generated<number>;
  /** The latest authoritative status that carried an outcome (by iat, a tie broken by id), and its counts; null and 0 without one. */
  outcome_iat: number | null;
  outcome_id: string | null;
  suspects: Generated<number>;
  arrests: Generated<number>;
  premises: Generated<number>;
  call_centres: Generated<number>;
}

/** The liaison office's figures, kept as copies arrive (liaison/figures.ts): the sum per operation, country, figure and key. */
export interface LiaisonFigureTable {
  operation: string;
  country: string;
  /** `sent` (key: the action), `state` (key: the state), `statuses`, `suspects`, `arrests`, `premises`, `call_centres` (key ''). */
  figure: string;
  key: string;
  n: number;
}

export interface LiaisonEvidenceTable {
  referral_id: string;
  digest: string;
  from_country: string;
}

export interface LiaisonStatusTable {
  id: string;
  referral_id: string;
  from_country: string;
  to_country: string;
  state: StatusState;
  suspects: number;
  arrests: number;
  premises: number;
  call_centres: number;
  /** 1 when the status carried outcome counts (they restate the totals), 0 when it carried none. */
  has_outcome: number;
  reason: string | null;
  iat: number;
  received_at: number;
  jws: string;
}

/** The answer of a bulk call that carried a requestId, for its retries (7 days). */
export interface BulkRequestTable {
  procedure: string;
  request_id: string;
  /** sha256 of the call's input: the same requestId with other input is refused. */
  digest: string;
  response: string;
  at: number;
}

export interface Database {
  complaints: ComplaintTable;
  evidence: EvidenceTable;
  referrals_out: ReferralOutTable;
  referrals_in: ReferralInTable;
  statuses: StatusTable;
  received: ReceivedTable;
  receipt_batches: ReceiptBatchTable;
  seals: SealTable;
  outbox: OutboxTable;
  audit: AuditTable;
  audit_head: AuditHeadTable;
  privacy_log: PrivacyLogTable;
  tokens: TokenTable;
  peers: PeerTable;
  kv: KvTable;
  dir_members: DirMemberTable;
  dir_keys: DirKeyTable;
  dir_revocations: DirRevocationTable;
  dir_operations: DirOperationTable;
  dir_publications: DirPublicationTable;
  liaison_referrals: LiaisonReferralTable;
  liaison_evidence: LiaisonEvidenceTable;
  liaison_statuses: LiaisonStatusTable;
  liaison_figures: LiaisonFigureTable;
  bulk_requests: BulkRequestTable;
}
