/** Writes packages/protocol/vectors/firstlight-v1.json (deterministic; the vectors test fails on drift). */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { buildVectors } from '../src/vectors.js';

const file = resolve(import.meta.dirname, '../vectors/firstlight-v1.json');
const vectors = await buildVectors();
writeFileSync(file, `${JSON.stringify(vectors, null, 1)}\n`);
const invalid = vectors.vectors.filter((v) => !v.expect.ok).length;
process.stdout.write(`wrote ${vectors.vectors.length} vectors (${invalid} invalid) to ${file}\n`);
