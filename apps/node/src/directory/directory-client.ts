/**
 * The node's view of the federation: the last good signed directory, verified against the pinned
 * anchor, kept on disk (<data>/directory.jws), never replaced by an older serial, refused once expired
 * beyond the grace period. Fetches from the liaison office on a timer and when told a new serial exists.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  createTrustStore,
  type Directory,
  type DirectoryResult,
  type Member,
  ProtocolError,
  type TrustStore,
  verifyDirectory,
} from '@firstlight/protocol';
import { type Clock, seconds } from '../clock.js';
import type { Logger } from '../logging/logger.js';

export interface HeldDirectory {
  directory: Directory;
  jws: string;
  trust: TrustStore;
}

export interface DirectoryClientOptions {
  dataDir: string;
  anchor: string;
  liaisonUrl: string | null;
  clock: Clock;
  graceSeconds: number;
  skewSeconds: number;
  logger: Logger;
}

export class DirectoryClient {
  private held: HeldDirectory | null = null;
  private readonly file: string;
  private readonly listeners = new Set<(held: HeldDirectory) => void>();

  constructor(private readonly options: DirectoryClientOptions) {
    this.file = join(options.dataDir, 'directory.jws');
  }

  /** Loads the directory kept on disk, if any. A damaged or expired file is reported, not fatal. */
  async load(): Promise<void> {
    if (!existsSync(this.file)) return;
    const result = await this.accept(readFileSync(this.file, 'utf8').trim(), { persist: false });
    if (!result.ok) this.options.logger.warn({ code: result.error.code }, `directory on disk refused: ${result.error.message}`);
  }

  current(): HeldDirectory | null {
    return this.held;
  }

  get serial(): number | null {
    return this.held?.directory.serial ?? null;
  }

  member(party: string): Member | undefined {
    return this.held?.directory.members.find((m) => m.country === party);
  }

  onChange(listener: (held: HeldDirectory) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Verifies and, if newer (or the same serial again), takes a directory. */
  async accept(jws: string, { persist = true } = {}): Promise<DirectoryResult> {
    const result = await verifyDirectory(jws, {
      anchor: this.options.anchor,
      now: seconds(this.options.clock.now()),
      ...(this.held ? { heldSerial: this.held.directory.serial } : {}),
      graceSeconds: this.options.graceSeconds,
      skewSeconds: this.options.skewSeconds,
    });
    if (!result.ok) return result;
    if (this.held && result.directory.serial === this.held.directory.serial) return result;
    this.held = { directory: result.directory, jws, trust: createTrustStore(result.directory) };
    if (persist) {
      writeFileSync(`${this.file}.tmp`, `${jws}\n`);
      renameSync(`${this.file}.tmp`, this.file);
    }
    this.options.logger.info({ serial: result.directory.serial, members: result.directory.members.length }, 'directory accepted');
    for (const listener of this.listeners) listener(this.held);
    return result;
  }

  /** Fetches the liaison office's directory over the federation API and accepts it if newer. */
  async refresh(): Promise<DirectoryResult> {
    const url = this.options.liaisonUrl;
    if (!url)
      return { ok: false, error: new ProtocolError('ERR_DIRECTORY_INVALID', 'this node has no liaison URL to fetch the directory from') };
    let jws: unknown;
    try {
      const response = await fetch(new URL('trpc/federation.directory', withSlash(url)), { signal: AbortSignal.timeout(10_000) });
      const body = (await response.json()) as { result?: { data?: { jws?: unknown } } };
      jws = body.result?.data?.jws;
    } catch (error) {
      return {
        ok: false,
        error: new ProtocolError(
          'ERR_DIRECTORY_INVALID',
          `could not fetch the directory from ${url}: ${error instanceof Error ? error.message : 'network error'}`,
        ),
      };
    }
    if (typeof jws !== 'string') return { ok: false, error: new ProtocolError('ERR_DIRECTORY_INVALID', `${url} answered no directory`) };
    return this.accept(jws);
  }
}

export function withSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}
