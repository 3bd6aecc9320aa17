/**
 * The delivery seal: one signature by the sender over the digests of every envelope of a delivery
 * (PROTOCOL.md §2.3.2, §5.1). A recipient that verifies the seal need not verify each envelope's own
 * signature again: the seal binds the sender's key to those exact bytes. It vouches for nothing else:
 * every other check still runs on each envelope.
 */
import { z } from 'zod';
import { evidenceDigest, messageId, numericDate, partyCode, version } from './common.js';
import { MAX_BATCH } from './receipt.js';

export const sealSchema = z.strictObject({
  v: version,
  id: messageId,
  /** The sending party (the owner of the key that signed the seal and the envelopes it vouches for). */
  from: partyCode,
  /** The party the delivery is posted to (the liaison office's own code for copies). */
  to: partyCode,
  iat: numericDate,
  /** SHA-256 of each envelope's exact JWS text, in the order delivered. */
  envelopes: z.array(evidenceDigest).min(1).max(MAX_BATCH),
});

export type Seal = z.infer<typeof sealSchema>;
