/**
 * The same evidence file (say, one fake arrest-warrant page) can belong to several complaints:
 * evidence is keyed by (complaint, digest), not by digest alone. Portable table rebuild.
 */
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  const ms = 'bigint' as const;
  await db.schema
    .createTable('evidence_v2')
    .addColumn('digest', 'text', (c) => c.notNull())
    .addColumn('complaint_id', 'text', (c) => c.notNull().references('complaints.id'))
    .addColumn('filename', 'text', (c) => c.notNull())
    .addColumn('media_type', 'text', (c) => c.notNull())
    .addColumn('size', ms, (c) => c.notNull())
    .addColumn('path', 'text', (c) => c.notNull())
    .addColumn('created_at', ms, (c) => c.notNull())
    .addPrimaryKeyConstraint('evidence_v2_pk', ['complaint_id', 'digest'])
    .execute();
  await sql`insert into evidence_v2 (digest, complaint_id, filename, media_type, size, path, created_at)
            select digest, complaint_id, filename, media_type, size, path, created_at from evidence`.execute(db);
  await db.schema.dropTable('evidence').execute();
  await db.schema.alterTable('evidence_v2').renameTo('evidence').execute();
  await db.schema.createIndex('evidence_digest').on('evidence').column('digest').execute();
}
