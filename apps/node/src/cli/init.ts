/** `firstlight init`: creates a node's data directory, config, signing key and database. */
import { existsSync, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { countryName, isCountryCode, LIAISON_PARTY } from '@firstlight/protocol';
import { seconds, systemClock } from '../clock.js';
import { configPath, configSchema, defaultOperatorPort, saveConfig } from '../config/config.js';
import { openDatabase } from '../db/database.js';
import { NodeError } from '../errors.js';
import { Keystore } from '../keys/keystore.js';
import { initAuthority } from '../liaison/authority.js';
import { ensureTlsIdentity } from '../tls/certificate.js';

export interface InitOptions {
  data: string;
  country?: string;
  role: 'national' | 'liaison';
  name?: string;
  host: string;
  port: number;
  publicUrl?: string;
  liaison?: string;
  anchor?: string;
  database?: string;
  /** Federation over plain HTTP (a test bed only); mutual TLS otherwise. */
  insecurePlainHttp?: boolean;
  /** The operators' listener (bureau API, console, metrics); default 127.0.0.1, federation port + 1. */
  operatorHost?: string;
  operatorPort?: number;
}

/** `env` (the CLI passes its own): FIRSTLIGHT_DATABASE_URL stands in for --database, recorded in config.json all the same. */
export async function initNode(options: InitOptions, env: NodeJS.ProcessEnv = {}) {
  const dataDir = resolve(options.data);
  if (existsSync(configPath(dataDir))) throw new NodeError('ERR_CONFLICT', `${dataDir} already holds a node; use another --data directory`);
  const party = options.role === 'liaison' ? LIAISON_PARTY : (options.country ?? '').toUpperCase();
  if (options.role === 'national' && !isCountryCode(party))
    throw new NodeError('ERR_INPUT', `--country must be an ISO 3166-1 alpha-2 code (got "${options.country ?? ''}")`);
  if (options.role === 'national' && (!options.liaison || !options.anchor))
    throw new NodeError('ERR_INPUT', 'a national node needs --liaison URL and --anchor THUMBPRINT (the liaison office gives both)');
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const anchor = options.role === 'liaison' ? initAuthority(dataDir).anchor : (options.anchor ?? null);
  const transport = options.insecurePlainHttp ? 'insecure-plain-http' : 'mtls';
  // Under mutual TLS every federation URL is https: a plain one would only fail later, at the first call.
  for (const [flag, url] of [
    ['--liaison', options.liaison],
    ['--public-url', options.publicUrl],
  ] as const)
    if (transport === 'mtls' && url?.startsWith('http://'))
      throw new NodeError(
        'ERR_INPUT',
        `${flag} must be an https:// URL: nodes federate over mutual TLS (${flag === '--liaison' ? "the liaison office's federation listener" : "this node's federation listener"}); a plain test bed says so with --insecure-plain-http`,
      );
  // Written out under mTLS, so config.json says where the operators' listener is.
  const operatorListen =
    options.operatorPort !== undefined || options.operatorHost !== undefined || transport === 'mtls'
      ? { host: options.operatorHost ?? '127.0.0.1', port: options.operatorPort ?? defaultOperatorPort(options.port) }
      : null;
  const config = configSchema.parse({
    party,
    role: options.role,
    name: options.name ?? (options.role === 'liaison' ? 'Liaison office' : countryName(party)),
    listen: { host: options.host, port: options.port },
    federationTransport: transport,
    operatorListen,
    publicUrl: options.publicUrl ?? `${transport === 'mtls' ? 'https' : 'http'}://${options.host}:${options.port}`,
    liaisonUrl: options.role === 'liaison' ? null : (options.liaison ?? null),
    anchor,
    database: options.database ?? (env.FIRSTLIGHT_DATABASE_URL || null),
  });
  saveConfig(dataDir, config);
  const keys = Keystore.open(dataDir);
  const key = keys.create(seconds(systemClock.now()));
  // Made even for plain HTTP, so that turning TLS on later needs no new enrolment of the pin.
  const tls = ensureTlsIdentity(dataDir, `firstlight ${party}`);
  const handle = await openDatabase({ location: config.database ?? resolve(dataDir, 'node.db') });
  await handle.close();
  return {
    dataDir,
    party,
    role: config.role,
    kid: key.kid,
    publicJwk: key.jwk,
    tlsPin: tls.pin,
    anchor,
    publicUrl: config.publicUrl,
    operatorUrl: config.operatorListen ? `http://${config.operatorListen.host}:${config.operatorListen.port}` : config.publicUrl,
    federationTransport: config.federationTransport,
  };
}
