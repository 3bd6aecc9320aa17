import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildJsonSchemas } from './json-schemas.js';

describe('JSON Schemas', () => {
  const built = buildJsonSchemas();
  it.each(Object.keys(built))(
    'schemas/%s.json matches the zod schema (run `pnpm --filter @firstlight/protocol schemas` after a change)',
    (name) => {
      const file = JSON.parse(readFileSync(resolve(import.meta.dirname, `../schemas/${name}.json`), 'utf8'));
      expect(file).toEqual(JSON.parse(JSON.stringify(built[name as keyof typeof built])));
    },
  );

  it('are strict: no additional properties on the referral', () => {
    expect(built.referral.additionalProperties).toBe(false);
    expect(built.referral.required).toEqual(
      expect.arrayContaining(['v', 'id', 'from', 'to', 'iat', 'exp', 'ip', 'seenAt', 'evidence', 'action', 'urgency', 'operation']),
    );
  });
});
