/**
 * How this node reaches another node's federation API. With mutual TLS (the default) every call goes
 * to one party and is made over TLS that presents this node's certificate and accepts the server only
 * when its key's pin is one the held directory lists for that party: a host that merely claims a
 * member's endpoint gets nothing, not even the request line. With `insecure-plain-http` (an explicit
 * operator choice) calls are plain fetch.
 *
 * One exception, and only for fetching the directory from the liaison office before any is held
 * (`bootstrap`): there is no pin to check yet, so the server is not pinned; what it answers is
 * trusted only if it verifies against the anchor pinned at init (PROTOCOL.md §3.1).
 * Must never fall back to an unpinned or plain connection on any other call.
 */
import type { TLSSocket } from 'node:tls';
import { Agent, buildConnector, fetch as undiciFetch } from 'undici';
import type { DirectoryClient } from '../directory/directory-client.js';
import type { TlsIdentity } from './certificate.js';
import { certificatePin, pinsOf } from './pins.js';

export type FederationMode = 'mtls' | 'insecure-plain-http';

export interface FederationRequest {
  method?: 'GET' | 'POST';
  body?: string;
  timeoutMs: number;
  /** Only for the directory fetch before any directory is held (see the header). */
  bootstrap?: boolean;
}

/** A refusal before any byte was sent: no pin for the party, a pin mismatch, or a plain URL under mTLS. */
export class FederationTransportError extends Error {
  constructor(
    readonly code: 'ERR_TLS_NO_PIN' | 'ERR_TLS_PIN_MISMATCH' | 'ERR_TLS_PLAIN_ENDPOINT',
    message: string,
  ) {
    super(message);
  }
}

export interface FederationAnswer {
  status: number;
  ok: boolean;
  json(): Promise<unknown>;
}

export class FederationTransport {
  /** One connection pool per party and set of pins: a new directory with other pins gets new pools. */
  private readonly agents = new Map<string, Agent>();

  constructor(
    readonly mode: FederationMode,
    private identity: TlsIdentity | null,
    private readonly directory: () => DirectoryClient,
  ) {}

  /** A rotated TLS key (promoted at open): new connections present it. */
  useIdentity(identity: TlsIdentity): void {
    this.identity = identity;
    void this.close();
  }

  async request(party: string, url: URL, request: FederationRequest): Promise<FederationAnswer> {
    const init = {
      method: request.method ?? 'GET',
      ...(request.body !== undefined ? { body: request.body, headers: { 'content-type': 'application/json' } } : {}),
      signal: AbortSignal.timeout(request.timeoutMs),
    };
    if (this.mode === 'insecure-plain-http') return fetch(url, init);
    if (url.protocol !== 'https:')
      throw new FederationTransportError(
        'ERR_TLS_PLAIN_ENDPOINT',
        `${party}'s endpoint ${url.origin} is plain http: under mutual TLS every member publishes an https endpoint`,
      );
    const pins = pinsOf(this.directory(), party);
    const unpinned = pins.length === 0 && request.bootstrap === true && this.directory().current() === null;
    if (pins.length === 0 && !unpinned)
      throw new FederationTransportError(
        'ERR_TLS_NO_PIN',
        `the directory (serial ${this.directory().serial ?? 'none'}) lists no TLS pin for ${party}: the liaison office must enrol it with --tls-pin`,
      );
    return undiciFetch(url, { ...init, dispatcher: this.agentFor(party, unpinned ? null : pins) });
  }

  async close(): Promise<void> {
    const agents = [...this.agents.values()];
    this.agents.clear();
    await Promise.all(agents.map((a) => a.close().catch(() => undefined)));
  }

  private agentFor(party: string, pins: string[] | null): Agent {
    const key = `${party} ${pins?.join(',') ?? '(bootstrap)'}`;
    const existing = this.agents.get(key);
    if (existing) return existing;
    for (const [k, agent] of this.agents)
      if (k.startsWith(`${party} `)) {
        this.agents.delete(k);
        void agent.close().catch(() => undefined);
      }
    const agent = new Agent({ connect: pinnedConnector(this.identity, party, pins), keepAliveTimeout: 4_000 });
    this.agents.set(key, agent);
    return agent;
  }
}

/**
 * undici's TLS connector, presenting our certificate, with the chain check off (the peers' certificates
 * are self-signed: the pin is the check) and the pin checked on the finished handshake, before undici
 * writes a byte. No TLS session cache: every connection proves its key again.
 */
function pinnedConnector(identity: TlsIdentity | null, party: string, pins: string[] | null): buildConnector.connector {
  const base = buildConnector({
    ...(identity ? { key: identity.keyPem, cert: identity.certPem } : {}),
    rejectUnauthorized: false,
    minVersion: 'TLSv1.3',
    maxCachedSessions: 0,
    timeout: 10_000,
  });
  return (options, callback) =>
    base(options, (error, socket) => {
      if (error || !socket) return callback(error ?? new Error('no socket'), null);
      if (pins !== null) {
        const pin = certificatePin((socket as TLSSocket).getPeerCertificate?.(false)?.raw);
        if (pin === null || !pins.includes(pin)) {
          socket.destroy();
          return callback(
            new FederationTransportError(
              'ERR_TLS_PIN_MISMATCH',
              `${options.hostname}:${options.port} presented TLS key ${pin ?? '(none)'}, not one the directory pins for ${party}`,
            ),
            null,
          );
        }
      }
      callback(null, socket);
    });
}
