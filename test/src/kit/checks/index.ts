/**
 * The registry: every check of the kit, gathered from one file per section of PROTOCOL.md, in the
 * order a full run takes them. Adding a check is one entry in its section's file. The order matters in
 * one place only: the directory checks come last, because the rotation fixture they share moves the
 * target to a later serial and revokes the key `rotating-key-accepted` sends with. It refuses a
 * catalogue whose ids are not unique and kebab-case or whose sections are not PROTOCOL.md sections.
 */
import { type Check, checkIdSchema, sectionSchema } from '../catalogue.js';
import { loadVectors, type VectorSet } from '../vector-replay.js';
import { borderChecks } from './s1-borders.js';
import { sealChecks } from './s2-3-2-seals.js';
import { messageChecks } from './s2-messages.js';
import { directoryChecks } from './s3-1-directory.js';
import { verificationChecks } from './s3-verification.js';
import { copyChecks } from './s5-3-copies.js';
import { httpChecks } from './s5-http.js';
import { vectorChecks } from './s7-vectors.js';

/** Every check, for the protocol's vector file (or the vector set given), in run order. */
export function catalogue(vectors: VectorSet = loadVectors()): Check[] {
  const checks = [
    ...httpChecks,
    ...borderChecks,
    ...messageChecks,
    ...verificationChecks,
    ...sealChecks,
    ...vectorChecks(vectors),
    ...copyChecks,
    ...directoryChecks(vectors),
  ];
  const seen = new Set<string>();
  for (const c of checks) {
    // A programming error in the kit, not a target's failure: stop before anything is sent.
    checkIdSchema.parse(c.id);
    sectionSchema.parse(c.section);
    if (seen.has(c.id)) throw new Error(`two checks have the id ${c.id}`);
    seen.add(c.id);
  }
  return checks;
}
