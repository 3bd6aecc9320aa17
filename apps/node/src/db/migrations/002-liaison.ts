/** Liaison office tables: the directory it authors, and the copies of referrals and statuses it receives. */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  const ms = 'bigint' as const;
  await db.schema
    .createTable('dir_members')
    .addColumn('country', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('endpoint', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('added_at', ms, (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('dir_keys')
    .addColumn('kid', 'text', (c) => c.primaryKey())
    .addColumn('country', 'text', (c) => c.notNull())
    .addColumn('jwk', 'text', (c) => c.notNull())
    .addColumn('nbf', ms, (c) => c.notNull())
    .addColumn('exp', ms, (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('added_at', ms, (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('dir_revocations')
    .addColumn('kid', 'text', (c) => c.primaryKey())
    .addColumn('at', ms, (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('dir_operations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('start', 'text', (c) => c.notNull())
    .addColumn('end', 'text', (c) => c.notNull())
    .addColumn('participants', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('dir_publications')
    .addColumn('serial', ms, (c) => c.primaryKey())
    .addColumn('issued_at', ms, (c) => c.notNull())
    .addColumn('expires_at', ms, (c) => c.notNull())
    .addColumn('jws', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('liaison_referrals')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('from_country', 'text', (c) => c.notNull())
    .addColumn('to_country', 'text', (c) => c.notNull())
    .addColumn('ip', 'text', (c) => c.notNull())
    .addColumn('network', 'text', (c) => c.notNull())
    .addColumn('port', 'integer')
    .addColumn('seen_at', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('urgency', 'text', (c) => c.notNull())
    .addColumn('operation', 'text', (c) => c.notNull())
    .addColumn('evidence', 'text', (c) => c.notNull())
    .addColumn('iat', ms, (c) => c.notNull())
    .addColumn('received_at', ms, (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('state_iat', ms)
    .addColumn('jws', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('liaison_referrals_network').on('liaison_referrals').column('network').execute();
  await db.schema.createIndex('liaison_referrals_ip').on('liaison_referrals').column('ip').execute();
  await db.schema
    .createTable('liaison_evidence')
    .addColumn('referral_id', 'text', (c) => c.notNull())
    .addColumn('digest', 'text', (c) => c.notNull())
    .addColumn('from_country', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('liaison_evidence_pk', ['referral_id', 'digest'])
    .execute();
  await db.schema.createIndex('liaison_evidence_digest').on('liaison_evidence').column('digest').execute();
  await db.schema
    .createTable('liaison_statuses')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('referral_id', 'text', (c) => c.notNull())
    .addColumn('from_country', 'text', (c) => c.notNull())
    .addColumn('to_country', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('suspects', 'integer', (c) => c.notNull())
    .addColumn('arrests', 'integer', (c) => c.notNull())
    .addColumn('premises', 'integer', (c) => c.notNull())
    .addColumn('call_centres', 'integer', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('iat', ms, (c) => c.notNull())
    .addColumn('received_at', ms, (c) => c.notNull())
    .addColumn('jws', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('liaison_statuses_referral').on('liaison_statuses').column('referral_id').execute();
}
