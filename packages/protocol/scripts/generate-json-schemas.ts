/** Writes packages/protocol/schemas/*.json from the zod schemas (the schemas test fails on drift). */
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { buildJsonSchemas } from '../src/json-schemas.js';

const dir = resolve(import.meta.dirname, '../schemas');
mkdirSync(dir, { recursive: true });
for (const [name, schema] of Object.entries(buildJsonSchemas())) {
  writeFileSync(resolve(dir, `${name}.json`), `${JSON.stringify(schema, null, 2)}\n`);
  process.stdout.write(`wrote schemas/${name}.json\n`);
}
