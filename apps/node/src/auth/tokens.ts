/**
 * Operator tokens: random 256-bit bearer tokens shown once, stored only as SHA-256 hashes.
 * Roles: national nodes have officer/admin/auditor; the liaison office has analyst/admin.
 */
import { hash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { fixed } from '../db/fixed.js';
import type { Database } from '../db/schema.js';
import { NodeError } from '../errors.js';

export const NATIONAL_ROLES = ['officer', 'admin', 'auditor'] as const;
export const LIAISON_ROLES = ['analyst', 'admin'] as const;
export const roleSchema = z.enum(['officer', 'admin', 'auditor', 'analyst']);
export type Role = z.infer<typeof roleSchema>;

const TOKEN_PREFIX = 'flt_';

export function hashToken(token: string): string {
  return hash('sha256', token, 'hex');
}

export function rolesFor(nodeRole: 'national' | 'liaison'): readonly Role[] {
  return nodeRole === 'liaison' ? LIAISON_ROLES : NATIONAL_ROLES;
}

export async function createToken(
  db: Kysely<Database>,
  input: { name: string; role: Role; nodeRole: 'national' | 'liaison'; now: number },
): Promise<{ id: string; token: string; role: Role; name: string }> {
  if (!rolesFor(input.nodeRole).includes(input.role))
    throw new NodeError(
      'ERR_INPUT',
      `role ${input.role} does not exist on a ${input.nodeRole} node; use one of ${rolesFor(input.nodeRole).join(', ')}`,
    );
  const token = `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
  const id = randomBytes(8).toString('hex');
  await db
    .insertInto('tokens')
    .values({ id, name: input.name, role: input.role, hash: hashToken(token), created_at: input.now, revoked_at: null })
    .execute();
  return { id, token, role: input.role, name: input.name };
}

export interface Principal {
  tokenId: string;
  name: string;
  role: Role;
}

/** Asked on every operator request: a fixed statement. */
const TOKEN_BY_HASH = fixed<{ id: string; name: string; role: string; hash: string }, [hash: string]>(
  'select id, name, role, hash from tokens where hash = ? and revoked_at is null',
);

/** Resolves a bearer token to its principal, or null. Constant-time on the hash comparison. */
export async function authenticate(db: Kysely<Database>, token: string | undefined): Promise<Principal | null> {
  if (!token?.startsWith(TOKEN_PREFIX) || token.length > 100) return null;
  const hash = hashToken(token);
  const [row] = await TOKEN_BY_HASH.rows(db, [hash]);
  if (!row || !timingSafeEqual(Buffer.from(row.hash), Buffer.from(hash))) return null;
  const role = roleSchema.safeParse(row.role);
  return role.success ? { tokenId: row.id, name: row.name, role: role.data } : null;
}

export async function listTokens(db: Kysely<Database>) {
  return db.selectFrom('tokens').select(['id', 'name', 'role', 'created_at', 'revoked_at']).orderBy('created_at').execute();
}

export async function revokeToken(db: Kysely<Database>, id: string, now: number): Promise<void> {
  const result = await db
    .updateTable('tokens')
    .set({ revoked_at: now })
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) === 0) throw new NodeError('ERR_NOT_FOUND', `no active token with id ${id}`);
}
