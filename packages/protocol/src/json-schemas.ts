/**
 * JSON Schema (draft 2020-12) for every wire message, generated from the zod schemas. Checks that JSON
 * Schema cannot express (IP ranges, the real country list, cross-field rules) are named in each
 * schema's description and specified in docs/PROTOCOL.md.
 */
import { z } from 'zod';
import { SCHEMAS } from './sign.js';

const NOTES: Record<keyof typeof SCHEMAS, string> = {
  referral:
    'A firstlight referral. Beyond this schema: from/to are real ISO 3166-1 alpha-2 codes and differ; ip is routable and canonical (RFC 5952 for IPv6); exp is after iat and at most 90 days later; evidence digests are distinct.',
  receipt: 'A firstlight receipt. Beyond this schema: a rejected verdict carries code; an accepted one does not.',
  receiptBatch:
    'A firstlight receipt batch: one verdict per envelope of a delivery, in order. Beyond this schema: a rejected verdict carries code; an accepted one does not.',
  seal: "A firstlight delivery seal: the sender's signature over the digest of every envelope of one delivery, in order.",
  status:
    'A firstlight status. Beyond this schema: from/to are real countries and differ; declined carries reason and only declined does; outcome only on located, action_taken, closed.',
  directory:
    'The firstlight directory. Beyond this schema: expiresAt after issuedAt; no country or kid listed twice; each kid is the RFC 7638 thumbprint of its jwk; role liaison if and only if country is LIAISON.',
};

export function buildJsonSchemas(): Record<keyof typeof SCHEMAS, Record<string, unknown>> {
  const out = {} as Record<keyof typeof SCHEMAS, Record<string, unknown>>;
  for (const [name, schema] of Object.entries(SCHEMAS) as Array<[keyof typeof SCHEMAS, z.ZodType]>) {
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
