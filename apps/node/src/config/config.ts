/**
 * The node's configuration: <data>/config.json, written by `firstlight init`, validated with zod on
 * every start. Environment variables may override the database and the listen port.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { countryCode, LIAISON_PARTY } from '@firstlight/protocol';
import { z } from 'zod';
import { NodeError } from '../errors.js';

/** A PostgreSQL connection URL (config.json, --database, FIRSTLIGHT_DATABASE_URL). */
export const databaseUrl = z
  .string()
  .regex(/^postgres(ql)?:\/\//, { error: 'must be a postgres:// URL (SQLite in the data directory is the default)' });

export const configSchema = z.strictObject({
  /** ISO alpha-2 of this country, or LIAISON for the liaison office. */
  party: z.union([countryCode, z.literal(LIAISON_PARTY)]),
  role: z.enum(['national', 'liaison']),
  name: z.string().min(1).max(120),
  listen: z.strictObject({ host: z.string().min(1), port: z.int().min(0).max(65_535) }),
  /**
   * How other nodes reach this one: mutual TLS with every member's key pinned in the signed directory
   * (the default), or plain HTTP, which anyone on the path can read and forge connections to — only
   * for a test bed, chosen by name (`--insecure-plain-http`), warned about in the log and in health.
   */
  federationTransport: z.enum(['mtls', 'insecure-plain-http']).default('mtls'),
  /**
   * The operators' listener: bureau API, console, metrics (loopback by default; a bureau's own network
   * or a reverse proxy in front of it). null: port + 1000 on 127.0.0.1 under mTLS; the federation listener
   * itself under insecure-plain-http (one plain listener, as before TLS).
   */
  operatorListen: z
    .strictObject({ host: z.string().min(1), port: z.int().min(0).max(65_535) })
    .nullable()
    .default(null),
  /** The URL other nodes reach this one at (published in the directory). */
  publicUrl: z.url(),
  /** The liaison office's URL (national nodes fetch the directory from it). */
  liaisonUrl: z.url().nullable(),
  /** Pinned RFC 7638 thumbprint of the directory authority key. */
  anchor: z
    .string()
    .regex(/^[A-Za-z0-9_-]{43}$/, {
      error:
        "must be the liaison office's trust anchor (the 43-character thumbprint of its directory authority key, which it prints at init)",
    })
    .nullable(),
  /** A postgres:// URL; SQLite in the data directory when null. */
  database: databaseUrl.nullable().default(null),
  /** PostgreSQL connection settings (ignored for SQLite). */
  databasePool: z
    .strictObject({
      max: z.int().min(1).max(200).default(10),
      statementTimeoutMs: z.int().min(100).max(600_000).default(30_000),
      /** TLS to the database: off, required (encrypted), or verified against the system CAs or caFile. */
      tls: z.enum(['disable', 'require', 'verify-full']).default('disable'),
      caFile: z.string().min(1).nullable().default(null),
    })
    .default({ max: 10, statementTimeoutMs: 30_000, tls: 'disable', caFile: null }),
  skewSeconds: z.int().min(0).max(3600).default(300),
  /**
   * Worker threads verifying incoming batches and signing their receipts; null: one per core, at most 4.
   * 0 keeps everything on the main thread.
   */
  verifyThreads: z.int().min(0).max(64).nullable().default(null),
  directoryGraceSeconds: z
    .int()
    .min(0)
    .default(7 * 24 * 3600),
  directoryRefreshSeconds: z.int().min(1).default(60),
  deadLetterAfterSeconds: z
    .int()
    .min(1)
    .default(7 * 24 * 3600),
  retry: z
    .strictObject({
      baseMs: z.int().min(1).default(500),
      maxMs: z
        .int()
        .min(1)
        .default(5 * 60_000),
      /** A peer that is down is probed (federation.health) this often; its answer brings its queue forward. */
      probeMs: z.int().min(100).max(60_000).default(2000),
    })
    .default({ baseMs: 500, maxMs: 5 * 60_000, probeMs: 2000 }),
  batchSize: z.int().min(1).max(500).default(200),
  evidenceMaxBytes: z
    .int()
    .min(1)
    .default(64 * 1024 * 1024),
  /** Correlation: a network or digest seen in more referrals than this is flagged as common. */
  commonThreshold: z.int().min(2).default(200),
  /**
   * Personal data's review dates, in days (OPERATIONS.md §8): a complaint from its creation, a received
   * referral from its closure (closed or declined). Past it, an item is listed for review: a reviewer
   * extends it (with a reason) or erases it. Set them to what your national law prescribes.
   */
  retention: z
    .strictObject({
      complaintDays: z.int().min(1).max(36_500).default(1826),
      referralDays: z.int().min(1).max(36_500).default(730),
    })
    .default({ complaintDays: 1826, referralDays: 730 }),
  /** Liaison office: a member's submitted key joins the next directory at once (auto) or after an admin approves it. */
  keyPolicy: z.enum(['auto', 'approve']).default('approve'),
});

export type NodeConfig = z.infer<typeof configSchema>;

/** The operators' port when none is given: the federation port + 1000 (0 stays 0: any free port). */
export function defaultOperatorPort(federationPort: number): number {
  if (federationPort === 0) return 0;
  return federationPort + 1000 <= 65_535 ? federationPort + 1000 : federationPort - 1000;
}

/** Where the operators' listener is: null when it is the federation listener itself (plain HTTP only). */
export function operatorListenOf(config: NodeConfig): { host: string; port: number } | null {
  if (config.operatorListen) return config.operatorListen;
  return config.federationTransport === 'mtls' ? { host: '127.0.0.1', port: defaultOperatorPort(config.listen.port) } : null;
}

export function configPath(dataDir: string): string {
  return join(dataDir, 'config.json');
}

export function loadConfig(dataDir: string, env: NodeJS.ProcessEnv = process.env): NodeConfig {
  const file = configPath(dataDir);
  if (!existsSync(file)) throw new NodeError('ERR_CONFIG', `no node in ${dataDir}: run \`firstlight init --data ${dataDir} ...\` first`);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    throw new NodeError('ERR_CONFIG', `${file} is not valid JSON`);
  }
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new NodeError('ERR_CONFIG', `${file}: ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`);
  }
  const config = parsed.data;
  if (env.FIRSTLIGHT_DATABASE_URL) {
    const url = configSchema.shape.database.safeParse(env.FIRSTLIGHT_DATABASE_URL);
    if (!url.success) throw new NodeError('ERR_CONFIG', 'FIRSTLIGHT_DATABASE_URL must be a postgres:// URL');
    config.database = url.data;
  }
  return config;
}

export function saveConfig(dataDir: string, config: NodeConfig): void {
  writeFileSync(configPath(dataDir), `${JSON.stringify(configSchema.parse(config), null, 2)}\n`, { mode: 0o600 });
}
