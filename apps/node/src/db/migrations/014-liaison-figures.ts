/**
 * The liaison office's figures kept as the copies arrive, not recomputed on every ask: each referral copy
 * holds what its authoritative statuses make of it (how many, and the counts of the latest that carried an
 * outcome), and `liaison_figures` holds the sums per operation, country, figure and key, which the
 * overview reads whole (liaison/figures.ts). The overview had aggregated every status of the operation on
 * every ask: 294 ms of the office's CPU per ask at 48,530 statuses, growing with them.
 * Existing rows are filled by the same rule in SQL (a status counts only if the referral's recipient
 * signed it to its origin; the latest outcome by iat, a tie broken by id).
 * Self-contained: never imports domain code, which may change after this migration is released.
 */
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('liaison_referrals')
    .addColumn('statuses', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.alterTable('liaison_referrals').addColumn('outcome_iat', 'bigint').execute();
  await db.schema.alterTable('liaison_referrals').addColumn('outcome_id', 'text').execute();
  for (const column of ['suspects', 'arrests', 'premises', 'call_centres'])
    await db.schema
      .alterTable('liaison_referrals')
      .addColumn(column, 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
  await db.schema
    .createTable('liaison_figures')
    .addColumn('operation', 'text', (c) => c.notNull())
    .addColumn('country', 'text', (c) => c.notNull())
    .addColumn('figure', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('n', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('liaison_figures_pk', ['operation', 'country', 'figure', 'key'])
    .execute();
  await fill(db);
}

/** The figures of the rows held, by the rule (exported for its test, which compares it with the applier's). */
export async function fill(db: Kysely<unknown>): Promise<void> {
  const authority = sql`s.referral_id = liaison_referrals.id and s.from_country = liaison_referrals.to_country
    and s.to_country = liaison_referrals.from_country`;
  await sql`update liaison_referrals set statuses = (select count(*) from liaison_statuses s where ${authority})`.execute(db);
  await sql`update liaison_referrals set (outcome_iat, outcome_id, suspects, arrests, premises, call_centres) = (
      select s.iat, s.id, s.suspects, s.arrests, s.premises, s.call_centres from liaison_statuses s
      where ${authority} and s.has_outcome = 1 order by s.iat desc, s.id desc limit 1)
    where exists (select 1 from liaison_statuses s where ${authority} and s.has_outcome = 1)`.execute(db);

  await sql`insert into liaison_figures (operation, country, figure, key, n)
    select operation, from_country, 'sent', action, count(*) from liaison_referrals group by operation, from_country, action`.execute(db);
  await sql`insert into liaison_figures (operation, country, figure, key, n)
    select operation, to_country, 'state', state, count(*) from liaison_referrals group by operation, to_country, state`.execute(db);
  for (const figure of ['statuses', 'suspects', 'arrests', 'premises', 'call_centres'])
    await sql`insert into liaison_figures (operation, country, figure, key, n)
      select operation, to_country, ${figure}, '', sum(${sql.ref(figure)}) from liaison_referrals
      group by operation, to_country having sum(${sql.ref(figure)}) <> 0`.execute(db);
}
