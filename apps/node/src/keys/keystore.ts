/**
 * The node's signing keys: <data>/keys/<kid>.pem (mode 0600, directory 0700) and keys.json (public
 * metadata). The node signs with its newest key that the directory already lists, so a rotated key is
 * only used once peers can verify it; older keys keep verifying until they expire. Private keys are
 * never logged or returned by any API.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Ed25519Jwk, ed25519Jwk, exportPrivatePem, generateSigningKey, importPrivatePem, type SigningKey } from '@firstlight/protocol';
import { z } from 'zod';
import { NodeError } from '../errors.js';

const keyMetaSchema = z.strictObject({
  kid: z.string(),
  jwk: ed25519Jwk,
  nbf: z.int(),
  exp: z.int(),
  createdAt: z.int(),
});
const keysFileSchema = z.strictObject({ keys: z.array(keyMetaSchema) });

export type KeyMeta = z.infer<typeof keyMetaSchema>;

/** Default key lifetime: one year. */
export const KEY_LIFETIME_SECONDS = 365 * 24 * 3600;

export class Keystore {
  private readonly dir: string;
  private metas: KeyMeta[];
  private readonly loaded = new Map<string, SigningKey>();

  private constructor(dir: string, metas: KeyMeta[]) {
    this.dir = dir;
    this.metas = metas;
  }

  static open(dataDir: string): Keystore {
    const dir = join(dataDir, 'keys');
    const file = join(dir, 'keys.json');
    if (!existsSync(file)) return new Keystore(dir, []);
    const parsed = keysFileSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    if (!parsed.success) throw new NodeError('ERR_CONFIG', `${file} is damaged: restore it from backup`);
    return new Keystore(dir, parsed.data.keys);
  }

  /** Creates a new key valid from `nowSeconds` for a year; returns its public metadata. */
  create(nowSeconds: number, lifetimeSeconds = KEY_LIFETIME_SECONDS): KeyMeta {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    chmodSync(this.dir, 0o700);
    const key = generateSigningKey();
    const pemFile = join(this.dir, `${key.kid}.pem`);
    writeFileSync(pemFile, exportPrivatePem(key), { mode: 0o600 });
    chmodSync(pemFile, 0o600);
    const meta: KeyMeta = {
      kid: key.kid,
      jwk: key.publicJwk,
      nbf: nowSeconds - 60,
      exp: nowSeconds + lifetimeSeconds,
      createdAt: nowSeconds,
    };
    this.metas = [...this.metas, meta];
    this.save();
    this.loaded.set(key.kid, key);
    return meta;
  }

  list(): KeyMeta[] {
    return [...this.metas];
  }

  newest(): KeyMeta | undefined {
    return this.metas[this.metas.length - 1];
  }

  publicJwk(kid: string): Ed25519Jwk | undefined {
    return this.metas.find((m) => m.kid === kid)?.jwk;
  }

  /** The newest key valid now whose kid `isPublished` accepts (i.e. is in the directory); else the newest valid key. */
  signingKey(nowSeconds: number, isPublished: (kid: string) => boolean = () => true): SigningKey {
    const valid = this.metas.filter((m) => m.nbf <= nowSeconds && nowSeconds < m.exp);
    const chosen = [...valid].reverse().find((m) => isPublished(m.kid)) ?? valid[valid.length - 1];
    if (!chosen) throw new NodeError('ERR_CONFIG', 'this node has no valid signing key: run `firstlight keys rotate`');
    return this.load(chosen.kid);
  }

  load(kid: string): SigningKey {
    const cached = this.loaded.get(kid);
    if (cached) return cached;
    const key = importPrivatePem(readFileSync(join(this.dir, `${kid}.pem`), 'utf8'));
    this.loaded.set(kid, key);
    return key;
  }

  private save(): void {
    const file = join(this.dir, 'keys.json');
    writeFileSync(`${file}.tmp`, `${JSON.stringify({ keys: this.metas }, null, 2)}\n`, { mode: 0o600 });
    renameSync(`${file}.tmp`, file);
  }
}
