/**
 * The node's view of the federation: the last good signed directory, verified against the pinned
 * anchor, kept on disk (<data>/directory.jws), never replaced by an older serial, refused once expired
 * beyond the grace period. Fetches from the liaison office on a timer and when told a new serial exists.
 * Expiry is judged again at every use, by the injected clock: a node cut off from the liaison office
 * reports its directory stale after expiresAt and stops trusting it when the grace period ends.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  createTrustStore,
  type Directory,
  type DirectoryResult,
  LIAISON_PARTY,
  type Member,
  ProtocolError,
  type TrustStore,
  verifyDirectory,
} from '@firstlight/protocol';
import { type Clock, seconds } from '../clock.js';
import type { Logger } from '../logging/logger.js';
import { FederationTransport } from '../tls/federation-transport.js';
import { type DirectoryStanding, type DirectoryState, directoryExpiredError, directoryStanding } from './directory-state.js';

export interface HeldDirectory {
  directory: Directory;
  jws: string;
  trust: TrustStore;
  /** expiresAt + grace (seconds): from then on nothing may be verified or sent with this directory. */
  graceEndsAt: number;
}

export interface DirectoryClientOptions {
  dataDir: string;
  anchor: string;
  liaisonUrl: string | null;
  clock: Clock;
  graceSeconds: number;
  skewSeconds: number;
  logger: Logger;
  /** How the liaison office is reached (pinned mTLS, unpinned only for the first directory); plain fetch when absent (tests). */
  federation?: FederationTransport;
}

export class DirectoryClient {
  private held: HeldDirectory | null = null;
  private readonly file: string;
  private readonly listeners = new Set<(held: HeldDirectory) => void>();
  /** The state last reported, so a change of state is logged once, not at every use. */
  private reported: DirectoryState | null = null;
  private refreshing = false;
  private refreshTimer: NodeJS.Timeout | null = null;

  constructor(private readonly options: DirectoryClientOptions) {
    this.file = join(options.dataDir, 'directory.jws');
  }

  /**
   * Loads the directory kept on disk, if any. A damaged file is reported, not fatal. One whose grace
   * period is over is held as expired (so the node, restarted while cut off, refuses and holds exactly
   * as it did before it stopped, rather than forgetting the federation) until a fresh one arrives.
   */
  async load(): Promise<void> {
    if (!existsSync(this.file)) return;
    const result = await this.accept(readFileSync(this.file, 'utf8').trim(), { persist: false, keepExpired: true });
    if (!result.ok) this.options.logger.warn({ code: result.error.code }, `directory on disk refused: ${result.error.message}`);
  }

  /**
   * The directory held, whatever its standing (its keys still pick this node's signing key). Whoever
   * verifies or sends with it checks graceEndsAt, or asks expiredError(), at the time of use.
   */
  current(): HeldDirectory | null {
    this.standing();
    return this.held;
  }

  /** Where the held directory stands now, by the node's clock; a change of state is logged once. */
  standing(nowMs: number = this.options.clock.now()): DirectoryStanding {
    const standing = directoryStanding(this.held?.directory ?? null, this.options.graceSeconds, seconds(nowMs));
    if (standing.state !== this.reported) {
      const previous = this.reported;
      this.reported = standing.state;
      const fields = { state: standing.state, serial: standing.serial, expiresAt: standing.expiresAt, graceEndsAt: standing.graceEndsAt };
      if (standing.state === 'stale' || standing.state === 'expired' || standing.state === 'expiring')
        this.options.logger.warn(fields, standing.message);
      else if (previous !== null && previous !== 'none') this.options.logger.info(fields, standing.message);
    }
    return standing;
  }

  /** ERR_DIRECTORY_EXPIRED when the held directory's grace period is over at nowMs; null otherwise (also when none is held). */
  expiredError(nowMs: number = this.options.clock.now()): ProtocolError | null {
    const held = this.held;
    if (!held || seconds(nowMs) < held.graceEndsAt) return null;
    this.standing(nowMs);
    return directoryExpiredError(held.directory, this.options.graceSeconds);
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

  /**
   * Verifies and, if newer (or the same serial again), takes a directory. keepExpired (the file on
   * disk only) takes one whose grace period is over, held as expired: never trusted, but remembered.
   */
  async accept(jws: string, { persist = true, keepExpired = false } = {}): Promise<DirectoryResult> {
    const graceSeconds = this.options.graceSeconds;
    const result = await verifyDirectory(jws, {
      anchor: this.options.anchor,
      now: seconds(this.options.clock.now()),
      ...(this.held ? { heldSerial: this.held.directory.serial } : {}),
      graceSeconds: keepExpired ? Number.MAX_SAFE_INTEGER : graceSeconds,
      skewSeconds: this.options.skewSeconds,
    });
    if (!result.ok) return result;
    if (this.held && result.directory.serial === this.held.directory.serial) return result;
    this.held = {
      directory: result.directory,
      jws,
      trust: createTrustStore(result.directory),
      graceEndsAt: result.directory.expiresAt + graceSeconds,
    };
    if (persist) {
      writeFileSync(`${this.file}.tmp`, `${jws}\n`);
      renameSync(`${this.file}.tmp`, this.file);
    }
    this.options.logger.info({ serial: result.directory.serial, members: result.directory.members.length }, 'directory accepted');
    this.standing();
    for (const listener of this.listeners) listener(this.held);
    return result;
  }

  /**
   * Fetches the liaison office's directory in the background, unless a fetch is already under way (a
   * push and the timer may ask at once). A failure is logged; an older serial answered is none.
   */
  refreshSoon(): void {
    if (this.refreshing) return;
    this.refreshing = true;
    void this.refresh()
      .then((r) => {
        if (!r.ok && r.error.code !== 'ERR_DIRECTORY_STALE')
          this.options.logger.warn({ code: r.error.code }, `directory refresh failed: ${r.error.message}`);
      })
      .catch((error) =>
        this.options.logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'directory refresh failed'),
      )
      .finally(() => {
        this.refreshing = false;
      });
  }

  /** Refreshes every `everySeconds` until stopRefreshing(); the timer never keeps the process alive. */
  startRefreshing(everySeconds: number): void {
    this.stopRefreshing();
    const tick = () => {
      this.refreshSoon();
      this.refreshTimer = setTimeout(tick, everySeconds * 1000);
      this.refreshTimer.unref();
    };
    this.refreshTimer = setTimeout(tick, everySeconds * 1000);
    this.refreshTimer.unref();
  }

  stopRefreshing(): void {
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    this.refreshTimer = null;
  }

  /** Fetches the liaison office's directory over the federation API and accepts it if newer. */
  async refresh(): Promise<DirectoryResult> {
    const url = this.options.liaisonUrl;
    if (!url)
      return { ok: false, error: new ProtocolError('ERR_DIRECTORY_INVALID', 'this node has no liaison URL to fetch the directory from') };
    let jws: unknown;
    const held = this.held;
    try {
      const federation = this.options.federation ?? new FederationTransport('insecure-plain-http', null, () => this);
      const target = new URL('trpc/federation.directory', withSlash(url));
      // The serial held, so an office with nothing newer answers `unchanged` in a few bytes (PROTOCOL.md §5.2).
      if (held) target.searchParams.set('input', JSON.stringify({ held: held.directory.serial }));
      const response = await federation.request(LIAISON_PARTY, target, { timeoutMs: 10_000, bootstrap: true });
      const body = (await response.json()) as { result?: { data?: { jws?: unknown; serial?: unknown; unchanged?: unknown } } };
      const data = body.result?.data;
      // Nothing newer (or the very bytes held, from an office that ignores `held`): nothing to verify again.
      if (held && ((data?.unchanged === true && data.serial === held.directory.serial) || data?.jws === held.jws))
        return this.stillHeld(held);
      jws = data?.jws;
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

  /** The directory held is still the newest: judged by the clock as `accept` would judge it again. */
  private stillHeld(held: HeldDirectory): DirectoryResult {
    const expired = this.expiredError();
    if (expired) return { ok: false, error: expired };
    return { ok: true, directory: held.directory, stale: seconds(this.options.clock.now()) >= held.directory.expiresAt };
  }
}

export function withSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}
