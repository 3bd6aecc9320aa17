/**
 * The liaison office records each member's TLS key pins (a JSON array of base64url SHA-256 SPKI pins,
 * null for a member enrolled before TLS), published in directory v2 beside its signing keys.
 * Self-contained: never imports domain code, which may change after this migration is released.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('dir_members').addColumn('tls_pins', 'text').execute();
}
