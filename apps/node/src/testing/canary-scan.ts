/**
 * Looking for canary values in what a node keeps at rest: every file of its data folder (database,
 * WAL, evidence store, logs) read as raw bytes, and on PostgreSQL every page of every relation of its
 * database (pageinspect, superuser only: tests). A value is looked for as UTF-8, UTF-16 (both byte
 * orders), hex text, and base64/base64url at the three alignments (inside a signed message's
 * payload). Test code: it reports what it finds and never changes anything.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';

export interface CanaryForm {
  canary: string;
  form: string;
  bytes: Buffer;
}

export interface CanaryHit {
  canary: string;
  form: string;
  where: string;
}

/** The middle of base64(k filler bytes + value) that depends on the value's bytes only, for k = 0, 1, 2. */
function base64Forms(value: Buffer): string[] {
  const forms: string[] = [];
  for (let k = 0; k < 3; k++) {
    const text = Buffer.concat([Buffer.alloc(k), value]).toString('base64');
    forms.push(text.slice(k === 0 ? 0 : 4, Math.floor((k + value.length) / 3) * 4));
  }
  return forms;
}

export function canaryForms(canary: string): CanaryForm[] {
  const utf8 = Buffer.from(canary, 'utf8');
  const utf16be = Buffer.from(canary, 'utf16le').swap16();
  const text: Array<[string, string]> = [
    ['hex', utf8.toString('hex')],
    ['HEX', utf8.toString('hex').toUpperCase()],
    ...base64Forms(utf8).flatMap(
      (b, k): Array<[string, string]> => [
        [`base64@${k}`, b],
        [`base64url@${k}`, b.replace(/\+/g, '-').replace(/\//g, '_')],
      ],
    ),
  ];
  return [
    { canary, form: 'utf8', bytes: utf8 },
    { canary, form: 'utf16le', bytes: Buffer.from(canary, 'utf16le') },
    { canary, form: 'utf16be', bytes: utf16be },
    ...text.filter(([, t]) => t.length >= 8).map(([form, t]) => ({ canary, form, bytes: Buffer.from(t, 'latin1') })),
  ];
}

function search(bytes: Buffer, where: string, forms: CanaryForm[], hits: CanaryHit[]): void {
  for (const f of forms) if (bytes.includes(f.bytes)) hits.push({ canary: f.canary, form: f.form, where });
}

/** Every regular file under `dir`, whatever its name (the WAL and shared-memory files included). */
export function scanDirectory(dir: string, canaries: readonly string[]): CanaryHit[] {
  const forms = canaries.flatMap(canaryForms);
  const hits: CanaryHit[] = [];
  const walk = (path: string) => {
    for (const name of readdirSync(path)) {
      const full = join(path, name);
      const stat = statSync(full);
      if (stat.isDirectory()) walk(full);
      else if (stat.isFile()) search(readFileSync(full), full.slice(dir.length + 1), forms, hits);
    }
  };
  walk(dir);
  return hits;
}

/** Every page of every table, index and TOAST table of the database at `url`, catalogs included. */
export async function scanPostgres(url: string, canaries: readonly string[]): Promise<CanaryHit[]> {
  const forms = canaries.flatMap(canaryForms);
  const hits: CanaryHit[] = [];
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('create extension if not exists pageinspect');
    const { rows: relations } = await client.query<{ rel: string; blocks: string }>(
      `select c.oid::regclass::text as rel, pg_relation_size(c.oid) / 8192 as blocks
         from pg_class c where c.relkind in ('r', 'i', 't', 'm') and c.relpersistence <> 't' and pg_relation_size(c.oid) > 0`,
    );
    for (const { rel, blocks } of relations) {
      const { rows } = await client.query<{ b: number; page: Buffer }>(
        'select b, get_raw_page($1::text, b) as page from generate_series(0, $2::int - 1) b',
        [rel, Number(blocks)],
      );
      for (const { b, page } of rows) search(page, `${rel} block ${b}`, forms, hits);
    }
  } finally {
    await client.end();
  }
  return hits;
}
