/**
 * JSON Schema (draft 2020-12) for every wire message, generated from the zod schemas. Checks that JSON
 * Schema cannot express (IP ranges, the real country list, cross-field rules) are named in each
 * schema's description and specified in docs/PROTOCOL.md.
 */
import { z } from 'zod';
import { KINDS } from './kinds.js';
import type { MessageType } from './messages/common.js';

const NOTES: Record<MessageType, string> = {
  referral:
    'A firstlight referral. Beyond this schema: from/to are real ISO 3166-1 alpha-2 codes and differ; ip is routable and canonical (RFC 5952 for IPv6); exp is after iat and at most 90 days later; evidence digests are distinct.',
  receipt: 'A firstlight receipt. Beyond this schema: a rejected verdict carries code; an accepted one does not.',
  receiptBatch:
    'A firstlight receipt batch: one verdict per envelope of a delivery, in order. Beyond this schema: a rejected verdict carries code; an accepted one does not.',
  seal: "A firstlight delivery seal: the sender's signature over the digest of every envelope of one delivery, in order.",
  status:
    'A firstlight status. Beyond this schema: from/to are real countries and differ; declined carries reason and only declined does; outcome only on located, action_taken, closed.',
  keySubmission:
    "A firstlight key submission: a member's new key, signed with its current directory key. Beyond this schema: kid is the RFC 7638 thumbprint of jwk; the liaison office takes it only from the member that signed it, within the clock-skew allowance.",
  tlsPinSubmission:
    'A firstlight TLS pin submission: the TLS key pins a member wants listed (old and new during a rotation), signed with its current directory key. Beyond this schema: no pin twice; the liaison office takes it only from the member that signed it, within the clock-skew allowance.',
  directory:
    'The firstlight directory. Beyond this schema: expiresAt after issuedAt; no country or kid listed twice; each kid is the RFC 7638 thumbprint of its jwk; role liaison if and only if country is LIAISON; tlsPins only when v is 2, no pin twice.',
};

export function buildJsonSchemas(): Record<MessageType, Record<string, unknown>> {
  const out = {} as Record<MessageType, Record<string, unknown>>;
  for (const [name, { schema }] of Object.entries(KINDS) as Array<[MessageType, { schema: z.ZodType }]>) {
    const json = z.toJSONSchema(schema, { target: 'draft-2020-12', unrepresentable: 'any', io: 'input' }) as Record<string, unknown>;
    out[name] = {
      $id: `https://firstlight.example/schemas/v1/${name}.json`,
      title: `firstlight ${name} v1`,
      description: NOTES[name],
      ...json,
    };
  }
  return out;
}
