/**
 * The key submission (PROTOCOL.md §3.2): a member's new public key, signed with its current directory
 * key (proof of continuity), for the liaison office to list in a coming directory serial.
 */
import { z } from 'zod';
import { countryCode, numericDate, version } from './common.js';
import { memberKeySchema } from './directory.js';

export const keySubmissionSchema = z.strictObject({
  v: version,
  /** The submitting member: the owner of the key that signs the submission. */
  party: countryCode,
  iat: numericDate,
  /** The new key, as the directory will list it. */
  key: memberKeySchema,
});

export type KeySubmission = z.infer<typeof keySubmissionSchema>;
