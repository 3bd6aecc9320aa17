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
import { channel } from 'node:diagnostics_channel';
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { createSecureContext, type SecureContext, type TLSSocket, connect as tlsConnect } from 'node:tls';
import type { DirectoryClient } from '../directory/directory-client.js';
import type { TlsIdentity } from './certificate.js';
import { certificatePin, pinsOf } from './pins.js';

/**
 * Every exchange with another node, as sent and as answered, published on this diagnostics channel
 * when something subscribes ({ url, sent, answered }): for tracing, and for the tests that look for a
 * victim's data in every byte that crosses a border. Costs nothing without a subscriber.
 */
export const FEDERATION_EXCHANGES = 'firstlight:federation-exchange';
const exchanges = channel(FEDERATION_EXCHANGES);

/**
 * Idle connections to a peer are closed after this (the peers' servers keep theirs 65 s: we close
 * first, so a request never goes out on a connection the server is closing). A new connection is a
 * mutual TLS handshake, both ends' keys proved again: at 4 s, a lone referral after a quiet moment paid
 * it twice (recipient and liaison office), outbox row to inbox p50 19 → 9 ms on loopback
 * (bench/scripts/lone-referral.ts 15 5000), more by a round trip on a real border.
 */
const KEEP_ALIVE_MS = 55_000;
/** A TLS connection to a peer not made within this is given up (undici's connect timeout was the same). */
const CONNECT_MS = 10_000;
/** A peer's answer is read up to this size (a receipt batch for the largest delivery is far smaller). */
const MAX_ANSWER_BYTES = 16 * 1024 * 1024;

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

/**
 * Node's own http and https clients, not fetch: a federation call is one small JSON POST or GET, and
 * fetch (undici, with its WebAssembly HTTP parser and web streams) cost an idle node ~20 MB of memory
 * and each call more CPU than the request itself.
 */
export class FederationTransport {
  /** One connection pool per party and set of pins: a new directory with other pins gets new pools. */
  private readonly agents = new Map<string, HttpsAgent>();
  private readonly plain = new HttpAgent({ keepAlive: true, timeout: KEEP_ALIVE_MS });
  /**
   * The TLS context every connection presents (our key and certificate, TLS 1.3 only), made once per
   * identity: made per connection (tls.connect with key and cert), it cost ~1 ms of CPU each (measured).
   */
  private context: SecureContext;

  constructor(
    readonly mode: FederationMode,
    identity: TlsIdentity | null,
    private readonly directory: () => DirectoryClient,
  ) {
    this.context = contextFor(identity);
  }

  /** A rotated TLS key (promoted at open): new connections present it. */
  useIdentity(identity: TlsIdentity): void {
    this.context = contextFor(identity);
    void this.close();
  }

  async request(party: string, url: URL, request: FederationRequest): Promise<FederationAnswer> {
    if (this.mode === 'insecure-plain-http') return send(url, request, this.plain, httpRequest);
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
    return send(url, request, this.agentFor(party, unpinned ? null : pins), httpsRequest);
  }

  async close(): Promise<void> {
    const agents = [...this.agents.values()];
    this.agents.clear();
    for (const agent of agents) agent.destroy();
    this.plain.destroy();
  }

  private agentFor(party: string, pins: string[] | null): HttpsAgent {
    const key = `${party} ${pins?.join(',') ?? '(bootstrap)'}`;
    const existing = this.agents.get(key);
    if (existing) return existing;
    for (const [k, agent] of this.agents)
      if (k.startsWith(`${party} `)) {
        this.agents.delete(k);
        agent.destroy();
      }
    const agent = new PinnedAgent(this.context, party, pins);
    this.agents.set(key, agent);
    return agent;
  }
}

/** One request and its whole answer (JSON read on demand), or an error when no answer came in time. */
function send(
  url: URL,
  request: FederationRequest,
  agent: HttpAgent,
  make: (url: URL, options: RequestOptions, callback: (res: IncomingMessage) => void) => ReturnType<typeof httpRequest>,
): Promise<FederationAnswer> {
  return new Promise((resolve, reject) => {
    const body = request.body === undefined ? undefined : Buffer.from(request.body);
    const headers: Record<string, string | number> = body ? { 'content-type': 'application/json', 'content-length': body.length } : {};
    const req = make(url, { method: request.method ?? 'GET', agent, headers }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_ANSWER_BYTES) req.destroy(new Error(`answer larger than ${MAX_ANSWER_BYTES} bytes`));
        else chunks.push(chunk);
      });
      res.on('error', reject);
      res.on('end', () => {
        clearTimeout(timer);
        const status = res.statusCode ?? 0;
        const text = Buffer.concat(chunks).toString('utf8');
        if (exchanges.hasSubscribers) exchanges.publish({ url: url.href, sent: request.body ?? '', answered: text });
        resolve({ status, ok: status >= 200 && status < 300, json: async () => JSON.parse(text) as unknown });
      });
    });
    const timer = setTimeout(
      () => req.destroy(Object.assign(new Error('The operation was aborted due to timeout'), { name: 'TimeoutError' })),
      request.timeoutMs,
    );
    req.on('error', (error) => {
      clearTimeout(timer);
      // As fetch reported it: the refusal before any byte was sent (pin mismatch) is the cause.
      reject(error instanceof FederationTransportError ? new Error('no request sent', { cause: error }) : error);
    });
    req.end(body);
  });
}

/** The TLS context our connections present: this node's key and certificate (when it has them), TLS 1.3 only. */
function contextFor(identity: TlsIdentity | null): SecureContext {
  return createSecureContext({ ...(identity ? { key: identity.keyPem, cert: identity.certPem } : {}), minVersion: 'TLSv1.3' });
}

/**
 * Connections that present our certificate, with the chain check off (the peers' certificates are
 * self-signed: the pin is the check) and the pin checked on the finished handshake: the socket is handed
 * to the HTTP client only then, so not a byte of a request reaches a server that is not the party.
 * No TLS session cache: every connection proves its key again.
 */
class PinnedAgent extends HttpsAgent {
  constructor(
    private readonly context: SecureContext,
    private readonly party: string,
    private readonly pins: string[] | null,
  ) {
    super({ keepAlive: true, timeout: KEEP_ALIVE_MS, maxCachedSessions: 0 });
  }

  override createConnection(options: RequestOptions, callback?: (error: Error | null, stream: Duplex) => void): undefined {
    // http.Agent passes a callback and waits for it when createConnection returns nothing (Node >= 20).
    const done = callback as (error: Error | null, socket?: Socket) => void;
    const host = options.host ?? 'localhost';
    const port = Number(options.port);
    // The context carries the key, certificate and TLS 1.3 floor (options beside it would be ignored).
    const socket: TLSSocket = tlsConnect({ host, port, secureContext: this.context, rejectUnauthorized: false });
    const failed = (error: Error) => done(error);
    // A peer that does not answer (cut off, packets dropped) fails the connection after CONNECT_MS, so
    // the next attempt (a probe, a retry) starts afresh: a connection left to the kernel's SYN retries
    // would wait up to 30 s past the peer's return.
    const timedOut = () => socket.destroy(new Error(`no TLS connection to ${host}:${port} within ${CONNECT_MS} ms`));
    socket.setTimeout(CONNECT_MS);
    socket.once('timeout', timedOut);
    socket.once('error', failed);
    socket.once('secureConnect', () => {
      socket.off('error', failed);
      socket.off('timeout', timedOut);
      socket.setTimeout(0);
      if (this.pins !== null) {
        const pin = certificatePin(socket.getPeerCertificate(false)?.raw);
        if (pin === null || !this.pins.includes(pin)) {
          socket.destroy();
          done(
            new FederationTransportError(
              'ERR_TLS_PIN_MISMATCH',
              `${host}:${port} presented TLS key ${pin ?? '(none)'}, not one the directory pins for ${this.party}`,
            ),
          );
          return;
        }
      }
      done(null, socket);
    });
    return undefined;
  }
}
