/** The node's first schema. Portable DDL only (Kysely schema builder); `isPostgres` picks the id type. */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>, isPostgres: boolean): Promise<void> {
  const ms = 'bigint' as const;
  await db.schema
    .createTable('complaints')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('created_at', ms, (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('victim_name', 'text', (c) => c.notNull())
    .addColumn('victim_contact', 'text', (c) => c.notNull())
    .addColumn('amount_minor', ms, (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('scam_type', 'text', (c) => c.notNull())
    .addColumn('narrative', 'text', (c) => c.notNull())
    .addColumn('occurred_at', 'text', (c) => c.notNull())
    .addColumn('reported_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('evidence')
    .addColumn('digest', 'text', (c) => c.primaryKey())
    .addColumn('complaint_id', 'text', (c) => c.notNull().references('complaints.id'))
    .addColumn('filename', 'text', (c) => c.notNull())
    .addColumn('media_type', 'text', (c) => c.notNull())
    .addColumn('size', ms, (c) => c.notNull())
    .addColumn('path', 'text', (c) => c.notNull())
    .addColumn('created_at', ms, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('referrals_out')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('complaint_id', 'text', (c) => c.notNull().references('complaints.id'))
    .addColumn('to_country', 'text', (c) => c.notNull())
    .addColumn('routed_country', 'text')
    .addColumn('override_reason', 'text')
    .addColumn('ip', 'text', (c) => c.notNull())
    .addColumn('port', 'integer')
    .addColumn('seen_at', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('urgency', 'text', (c) => c.notNull())
    .addColumn('operation', 'text', (c) => c.notNull())
    .addColumn('evidence', 'text', (c) => c.notNull())
    .addColumn('iat', ms, (c) => c.notNull())
    .addColumn('exp', ms, (c) => c.notNull())
    .addColumn('jws', 'text', (c) => c.notNull())
    .addColumn('created_at', ms, (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('state', 'text')
    .addColumn('outcome', 'text')
    .addColumn('reason', 'text')
    .addColumn('updated_at', ms, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('referrals_out_created').on('referrals_out').column('created_at').execute();

  await db.schema
    .createTable('referrals_in')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('from_country', 'text', (c) => c.notNull())
    .addColumn('to_country', 'text', (c) => c.notNull())
    .addColumn('ip', 'text', (c) => c.notNull())
    .addColumn('port', 'integer')
    .addColumn('seen_at', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('urgency', 'text', (c) => c.notNull())
    .addColumn('operation', 'text', (c) => c.notNull())
    .addColumn('evidence', 'text', (c) => c.notNull())
    .addColumn('iat', ms, (c) => c.notNull())
    .addColumn('exp', ms, (c) => c.notNull())
    .addColumn('received_at', ms, (c) => c.notNull())
    .addColumn('deadline_at', ms, (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('outcome', 'text')
    .addColumn('reason', 'text')
    .addColumn('updated_at', ms, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('referrals_in_received').on('referrals_in').column('received_at').execute();

  await db.schema
    .createTable('statuses')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('referral_id', 'text', (c) => c.notNull())
    .addColumn('from_country', 'text', (c) => c.notNull())
    .addColumn('to_country', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('outcome', 'text')
    .addColumn('reason', 'text')
    .addColumn('iat', ms, (c) => c.notNull())
    .addColumn('jws', 'text', (c) => c.notNull())
    .addColumn('direction', 'text', (c) => c.notNull())
    .addColumn('created_at', ms, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('statuses_referral').on('statuses').column('referral_id').execute();

  await db.schema
    .createTable('received')
    .addColumn('message_id', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('digest', 'text', (c) => c.notNull())
    .addColumn('from_country', 'text', (c) => c.notNull())
    .addColumn('jws', 'text', (c) => c.notNull())
    .addColumn('receipt', 'text', (c) => c.notNull())
    .addColumn('received_at', ms, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('received_digest').on('received').column('digest').execute();

  await db.schema
    .createTable('outbox')
    .addColumn('id', isPostgres ? 'bigserial' : 'integer', (c) => (isPostgres ? c.primaryKey() : c.primaryKey().autoIncrement()))
    .addColumn('message_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('peer', 'text', (c) => c.notNull())
    .addColumn('jws', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('next_attempt_at', ms, (c) => c.notNull())
    .addColumn('last_error', 'text')
    .addColumn('receipt', 'text')
    .addColumn('receipt_code', 'text')
    .addColumn('created_at', ms, (c) => c.notNull())
    .addColumn('delivered_at', ms)
    .addColumn('claimed_by', 'text')
    .addColumn('claimed_until', ms)
    .addUniqueConstraint('outbox_message_peer', ['message_id', 'peer'])
    .execute();
  await db.schema.createIndex('outbox_due').on('outbox').columns(['state', 'peer', 'next_attempt_at']).execute();

  await db.schema
    .createTable('audit')
    .addColumn('seq', ms, (c) => c.primaryKey())
    .addColumn('at', ms, (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('ref', 'text', (c) => c.notNull())
    .addColumn('digest', 'text', (c) => c.notNull())
    .addColumn('prev_hash', 'text', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('tokens')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', ms, (c) => c.notNull())
    .addColumn('revoked_at', ms)
    .execute();

  await db.schema
    .createTable('peers')
    .addColumn('country', 'text', (c) => c.primaryKey())
    .addColumn('last_heard_at', ms)
    .addColumn('last_attempt_at', ms)
    .addColumn('backoff_level', 'integer', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('kv')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .execute();
}
