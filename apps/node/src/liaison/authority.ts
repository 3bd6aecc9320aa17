/**
 * The directory authority (liaison office only): enrols members and their keys, revokes keys, defines
 * operations and signs each new directory serial with the authority key (<data>/authority/*.pem, 0600).
 * The authority key's thumbprint is the trust anchor every node pins.
 */
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type Directory,
  ed25519Jwk,
  exportPrivatePem,
  generateSigningKey,
  importPrivatePem,
  importPublicJwk,
  isCountryCode,
  LIAISON_PARTY,
  operationSchema,
  type SigningKey,
  signDirectory,
  tlsPin,
} from '@firstlight/protocol';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { seconds } from '../clock.js';
import type { NodeContext } from '../context.js';
import type { Database } from '../db/schema.js';
import { NodeError } from '../errors.js';
import { KEY_LIFETIME_SECONDS } from '../keys/keystore.js';
import { loadTlsIdentity } from '../tls/certificate.js';

export function authorityDir(dataDir: string): string {
  return join(dataDir, 'authority');
}

/** Creates the authority key (once); returns its thumbprint, the anchor nodes pin. */
export function initAuthority(dataDir: string): { anchor: string; created: boolean } {
  const existing = loadAuthorityKey(dataDir);
  if (existing) return { anchor: existing.kid, created: false };
  const dir = authorityDir(dataDir);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  const key = generateSigningKey();
  const file = join(dir, `${key.kid}.pem`);
  writeFileSync(file, exportPrivatePem(key), { mode: 0o600 });
  chmodSync(file, 0o600);
  return { anchor: key.kid, created: true };
}

export function loadAuthorityKey(dataDir: string): SigningKey | null {
  const dir = authorityDir(dataDir);
  if (!existsSync(dir)) return null;
  const pem = readdirSync(dir).find((f) => f.endsWith('.pem'));
  return pem ? importPrivatePem(readFileSync(join(dir, pem), 'utf8')) : null;
}

export async function addMember(
  db: Kysely<Database>,
  input: { country: string; name: string; endpoint: string; jwk: unknown; now: number; nbf?: number; exp?: number; tlsPins?: string[] },
): Promise<{ kid: string }> {
  const pins = input.tlsPins === undefined ? undefined : z.array(tlsPin).min(1).max(4).safeParse(input.tlsPins);
  if (pins && !pins.success)
    throw new NodeError(
      'ERR_INPUT',
      'a TLS pin is the base64url SHA-256 of the TLS key (43 characters), as `firstlight init` prints it; 1 to 4 of them',
    );
  if (!isCountryCode(input.country)) throw new NodeError('ERR_INPUT', `${input.country} is not an ISO 3166-1 alpha-2 country code`);
  if (!/^https?:\/\//.test(input.endpoint)) throw new NodeError('ERR_INPUT', 'the endpoint must be an http(s) URL');
  let key: { kid: string; jwk: unknown };
  try {
    key = importPublicJwk(input.jwk);
  } catch (error) {
    throw new NodeError('ERR_INPUT', error instanceof Error ? error.message : 'invalid key');
  }
  const revoked = await db.selectFrom('dir_revocations').select('kid').where('kid', '=', key.kid).executeTakeFirst();
  if (revoked) throw new NodeError('ERR_CONFLICT', `key ${key.kid} was revoked and cannot be enrolled again`);
  const now = seconds(input.now);
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('dir_members')
      .values({
        country: input.country,
        name: input.name,
        endpoint: input.endpoint,
        role: 'national',
        added_at: input.now,
        tls_pins: pins ? JSON.stringify([...new Set(pins.data)]) : null,
      })
      // Enrolling again with pins replaces them (a TLS key rotation: list old and new, later the new alone).
      .onConflict((oc) =>
        oc
          .column('country')
          .doUpdateSet(
            pins
              ? { name: input.name, endpoint: input.endpoint, tls_pins: JSON.stringify([...new Set(pins.data)]) }
              : { name: input.name, endpoint: input.endpoint },
          ),
      )
      .execute();
    await trx
      .insertInto('dir_keys')
      .values({
        kid: key.kid,
        country: input.country,
        jwk: JSON.stringify(key.jwk),
        nbf: input.nbf ?? now - 60,
        exp: input.exp ?? now + KEY_LIFETIME_SECONDS,
        status: 'active',
        added_at: input.now,
      })
      .onConflict((oc) => oc.column('kid').doNothing())
      .execute();
  });
  return { kid: key.kid };
}

export async function removeMember(db: Kysely<Database>, country: string): Promise<void> {
  const result = await db.deleteFrom('dir_members').where('country', '=', country).executeTakeFirst();
  if (Number(result.numDeletedRows) === 0) throw new NodeError('ERR_NOT_FOUND', `${country} is not a member`);
  await db.updateTable('dir_keys').set({ status: 'removed' }).where('country', '=', country).execute();
}

export async function revokeKey(db: Kysely<Database>, input: { kid: string; reason: string; now: number }): Promise<void> {
  const key = await db.selectFrom('dir_keys').select('kid').where('kid', '=', input.kid).executeTakeFirst();
  if (!key) throw new NodeError('ERR_NOT_FOUND', `no enrolled key ${input.kid}`);
  await db
    .insertInto('dir_revocations')
    .values({ kid: input.kid, at: seconds(input.now), reason: input.reason })
    .onConflict((oc) => oc.column('kid').doNothing())
    .execute();
}

export async function createOperation(db: Kysely<Database>, raw: unknown): Promise<void> {
  const parsed = operationSchema.safeParse(raw);
  if (!parsed.success) throw new NodeError('ERR_INPUT', parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  const op = parsed.data;
  await db
    .insertInto('dir_operations')
    .values({ id: op.id, name: op.name, start: op.start, end: op.end, participants: JSON.stringify(op.participants) })
    .onConflict((oc) =>
      oc.column('id').doUpdateSet({ name: op.name, start: op.start, end: op.end, participants: JSON.stringify(op.participants) }),
    )
    .execute();
}

/** Stored rows → directory entries (the draft view and the published directory share them). */
export function operationFromRow(o: { id: string; name: string; start: string; end: string; participants: string }) {
  return { id: o.id, name: o.name, start: o.start, end: o.end, participants: JSON.parse(o.participants) as string[] };
}

export function revocationFromRow(r: { kid: string; at: number; reason: string }) {
  return { kid: r.kid, at: Number(r.at), reason: r.reason };
}

/** Builds, signs and stores the next serial; the liaison node takes it at once and tells members. */
export async function publishDirectory(
  ctx: NodeContext,
  options: { validitySeconds?: number } = {},
): Promise<{ serial: number; jws: string }> {
  const authority = loadAuthorityKey(ctx.dataDir);
  if (!authority) throw new NodeError('ERR_CONFIG', 'this node has no authority key: run `firstlight directory init`');
  const now = ctx.clock.now();
  const nowS = seconds(now);
  const db = ctx.db;
  const members = await db.selectFrom('dir_members').selectAll().orderBy('country').execute();
  const keys = await db
    .selectFrom('dir_keys')
    .selectAll()
    .where('status', '=', 'active')
    .where('exp', '>', nowS)
    .orderBy('added_at')
    .execute();
  const revoked = await db.selectFrom('dir_revocations').selectAll().orderBy('kid').execute();
  const operations = await db.selectFrom('dir_operations').selectAll().orderBy('id').execute();
  const last = await db.selectFrom('dir_publications').select('serial').orderBy('serial', 'desc').limit(1).executeTakeFirst();
  const serial = Number(last?.serial ?? 0) + 1;
  const liaisonKeys = ctx.keys
    .list()
    .filter((k) => k.exp > nowS)
    .slice(-8);
  // The office's own pins: the key it serves, and during its own rotation the next one (tls rotate).
  const liaisonPins = [loadTlsIdentity(ctx.dataDir)?.pin, loadTlsIdentity(ctx.dataDir, 'next')?.pin].filter((p) => p !== undefined);
  const pinsOf = (json: string) => z.array(tlsPin).min(1).max(4).parse(JSON.parse(json));
  const directory: Directory = {
    // v2 as soon as one member has a TLS pin (PROTOCOL.md §2.4.1); v1 otherwise, for v1-only members.
    v: 1,
    serial,
    issuedAt: nowS,
    expiresAt: nowS + (options.validitySeconds ?? 30 * 86400),
    authority: authority.publicJwk,
    members: [
      {
        country: LIAISON_PARTY,
        name: ctx.config.name,
        endpoint: ctx.config.publicUrl,
        role: 'liaison',
        keys: liaisonKeys.map((k) => ({ kid: k.kid, jwk: k.jwk, nbf: k.nbf, exp: k.exp })),
        ...(liaisonPins.length > 0 ? { tlsPins: liaisonPins } : {}),
      },
      ...members
        .map((m) => ({
          ...(m.tls_pins ? { tlsPins: pinsOf(m.tls_pins) } : {}),
          country: m.country,
          name: m.name,
          endpoint: m.endpoint,
          role: 'national' as const,
          keys: keys
            .filter((k) => k.country === m.country)
            .slice(-8)
            .map((k) => ({ kid: k.kid, jwk: ed25519Jwk.parse(JSON.parse(k.jwk)), nbf: Number(k.nbf), exp: Number(k.exp) })),
        }))
        .filter((m) => m.keys.length > 0),
    ],
    revoked: revoked.map(revocationFromRow),
    operations: operations.map(operationFromRow),
  };
  if (directory.members.some((m) => m.tlsPins)) directory.v = 2;
  const jws = await signDirectory(directory, authority);
  await db.insertInto('dir_publications').values({ serial, issued_at: nowS, expires_at: directory.expiresAt, jws }).execute();
  const accepted = await ctx.directory.accept(jws);
  if (!accepted.ok) throw new NodeError('ERR_INTERNAL', `the new directory failed its own verification: ${accepted.error.message}`);
  return { serial, jws };
}

/** Tells every member a new serial exists; each fetches it from the liaison office and verifies it itself. */
export async function pushDirectory(ctx: NodeContext, serial: number): Promise<{ notified: number; failed: string[] }> {
  const held = ctx.directory.current();
  if (!held) return { notified: 0, failed: [] };
  const failed: string[] = [];
  let notified = 0;
  await Promise.all(
    held.directory.members
      .filter((m) => m.role === 'national')
      .map(async (m) => {
        try {
          const res = await ctx.federation.request(
            m.country,
            new URL('trpc/federation.directoryPublished', m.endpoint.endsWith('/') ? m.endpoint : `${m.endpoint}/`),
            { method: 'POST', body: JSON.stringify({ serial }), timeoutMs: 5000 },
          );
          if (res.ok) notified += 1;
          else failed.push(m.country);
        } catch {
          failed.push(m.country);
        }
      }),
  );
  return { notified, failed };
}
