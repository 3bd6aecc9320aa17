/**
 * The registry of message kinds: for each, its schema, size limit, who sends it and whom it may be
 * addressed to; its typ is JWS_TYP (messages/common.ts). Signing validates with the kind's schema, and
 * verify() takes the kind from the typ and runs every check by this entry, so adding a kind is a schema
 * file and an entry here (docs/ARCHITECTURE.md, "Adding a message kind"). It holds no storage and no
 * HTTP: what a node does with an accepted kind (its applier) lives in apps/node.
 */
import type { z } from 'zod';
import { MAX_DIRECTORY_BYTES, MAX_MESSAGE_BYTES, MAX_RECEIPT_BATCH_BYTES, MAX_SEAL_BYTES } from './jws.js';
import { JWS_TYP, type MessageType } from './messages/common.js';
import { directorySchema } from './messages/directory.js';
import { keySubmissionSchema } from './messages/key-submission.js';
import { receiptBatchSchema, receiptSchema } from './messages/receipt.js';
import { referralSchema } from './messages/referral.js';
import { sealSchema } from './messages/seal.js';
import { statusSchema } from './messages/status.js';
import { tlsPinSubmissionSchema } from './messages/tls-pin-submission.js';

/**
 * Whom a kind may be addressed to (§3 check 9), judged against the verifying party:
 * - `addressed`: `to` is that party; the liaison office takes copies addressed to any member;
 * - `answer`: a receipt, `to` that party or null (the unknown sender of the bytes it answers); the
 *   liaison office takes any;
 * - `exact`: `to` is exactly that party, whatever its role (a seal names whom the delivery is posted to);
 * - `none`: the kind names no recipient (a key submission goes to the liaison office, a directory to all).
 */
export type RecipientRule = 'addressed' | 'answer' | 'exact' | 'none';

export interface KindRules {
  schema: z.ZodType;
  /** The largest JWS text accepted (§3 check 1). */
  maxBytes: number;
  recipient: RecipientRule;
  /** The payload member that names the sender, whose key must sign it (§3 check 7); null for the directory. */
  sender: 'from' | 'party' | null;
}

export const KINDS = {
  referral: { schema: referralSchema, maxBytes: MAX_MESSAGE_BYTES, recipient: 'addressed', sender: 'from' },
  status: { schema: statusSchema, maxBytes: MAX_MESSAGE_BYTES, recipient: 'addressed', sender: 'from' },
  receipt: { schema: receiptSchema, maxBytes: MAX_MESSAGE_BYTES, recipient: 'answer', sender: 'from' },
  receiptBatch: { schema: receiptBatchSchema, maxBytes: MAX_RECEIPT_BATCH_BYTES, recipient: 'answer', sender: 'from' },
  seal: { schema: sealSchema, maxBytes: MAX_SEAL_BYTES, recipient: 'exact', sender: 'from' },
  /** At most 4 KiB: one key and its validity. */
  keySubmission: { schema: keySubmissionSchema, maxBytes: 4096, recipient: 'none', sender: 'party' },
  /** At most 4 KiB: up to four pins. */
  tlsPinSubmission: { schema: tlsPinSubmissionSchema, maxBytes: 4096, recipient: 'none', sender: 'party' },
  directory: { schema: directorySchema, maxBytes: MAX_DIRECTORY_BYTES, recipient: 'none', sender: null },
} as const satisfies Record<MessageType, KindRules>;

/** Each kind's message, as its schema gives it. */
export type MessageByType = { [K in MessageType]: z.output<(typeof KINDS)[K]['schema']> };

/** The kinds verify() checks; a directory has its own gate (directory.ts: the pinned anchor signs it). */
export type WireMessageType = Exclude<MessageType, 'directory'>;

/** The kinds a node takes through federation.deliver (PROTOCOL.md §5.1), each applied by the node. */
export const DELIVERED_KINDS = ['referral', 'status'] as const satisfies readonly WireMessageType[];
export type DeliveredKind = (typeof DELIVERED_KINDS)[number];

const KIND_OF_TYP = new Map<string, MessageType>(Object.entries(JWS_TYP).map(([kind, typ]) => [typ, kind as MessageType]));

/** The kind a typ names, or undefined for a typ of no kind. */
export function kindOfTyp(typ: string): MessageType | undefined {
  return KIND_OF_TYP.get(typ);
}
