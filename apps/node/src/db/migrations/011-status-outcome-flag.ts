/**
 * The liaison office records whether each status carried outcome counts (PROTOCOL.md §2.2.1: a status's
 * outcome restates the totals, one without counts leaves them): zero counts were indistinguishable from
 * none, so the office dropped zeros unless action_taken while the origin showed them. Existing rows
 * keep the old reading (counts above zero, or action_taken), which is what the office showed until now.
 * Self-contained: never imports domain code, which may change after this migration is released.
 */
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table liaison_statuses add column has_outcome integer not null default 0`.execute(db);
  await sql`update liaison_statuses set has_outcome = 1
    where state in ('located', 'action_taken', 'closed')
      and (suspects + arrests + premises + call_centres > 0 or state = 'action_taken')`.execute(db);
}
