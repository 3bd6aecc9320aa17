/**
 * The TLS pin submission (PROTOCOL.md §3.2): the TLS key pins a member wants the directory to list for
 * it (the old and the new during a TLS key rotation's overlap, then the new alone), signed with its
 * current directory key (proof of continuity), for the liaison office to list in a coming serial.
 */
import { z } from 'zod';
import { countryCode, numericDate, repeats, version } from './common.js';
import { tlsPin } from './directory.js';

export const tlsPinSubmissionSchema = z
  .strictObject({
    v: version,
    /** The submitting member: the owner of the key that signs the submission. */
    party: countryCode,
    iat: numericDate,
    /** Exactly the pins to list from the next serial, as the directory will list them. */
    tlsPins: z.array(tlsPin).min(1).max(4),
  })
  .refine((s) => !repeats(s.tlsPins), { error: 'a pin is listed twice', path: ['tlsPins'] });

export type TlsPinSubmission = z.infer<typeof tlsPinSubmissionSchema>;
