/**
 * The federation listener under mutual TLS: a TLS server that asks every client for a certificate and
 * hands the connection to the HTTP server only when the client's key pin is one the held directory
 * lists for a member. Anyone else is cut off as the handshake completes, before one byte of HTTP is
 * read: a host outside the directory never reaches `federation.deliver`. Message signatures still
 * decide every message; this only keeps the wire private and strangers out.
 *
 * Node exposes no certificate-verify callback to a TLS server, so the refusal is the connection
 * closed on the finished handshake (the client sees a reset, not a TLS alert). Must never pass an
 * unpinned connection to the HTTP server.
 */
import type { Server as HttpServer } from 'node:http';
import type { Socket } from 'node:net';
import { createServer, type Server, type TLSSocket } from 'node:tls';
import type { TlsIdentity } from './certificate.js';
import { certificatePin } from './pins.js';

export interface FederationListenerOptions {
  identity: TlsIdentity;
  /** Pin → party of every member in the directory held now (asked at every connection). */
  memberPins(): Map<string, string>;
  /** Told of each refused connection (metrics, a log line without key material). */
  onRefused(remote: string, pin: string | null): void;
}

/**
 * The TLS server, and how to cut every connection it holds: the HTTP server's closeAllConnections()
 * knows only connections it accepted itself while listening, and this one never listens (peers keep
 * idle connections open for a minute, which would hold a stopping node that long).
 */
export function createFederationListener(http: HttpServer, options: FederationListenerOptions): { server: Server; destroyAll(): void } {
  const open = new Set<Socket>();
  const server = createServer(
    {
      key: options.identity.keyPem,
      cert: options.identity.certPem,
      requestCert: true,
      // The chain is not what is trusted (every member's certificate is self-signed): the pin is.
      rejectUnauthorized: false,
      minVersion: 'TLSv1.3',
    },
    (socket: TLSSocket) => {
      const pin = certificatePin(socket.getPeerCertificate(false)?.raw);
      if (pin === null || !options.memberPins().has(pin)) {
        options.onRefused(`${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`, pin);
        socket.destroy();
        return;
      }
      http.emit('connection', socket);
    },
  );
  // A client that fails the handshake itself (no TLS, wrong version) is logged by nobody: it is noise.
  server.on('tlsClientError', (_error, socket) => socket.destroy());
  server.on('connection', (socket: Socket) => {
    open.add(socket);
    socket.once('close', () => open.delete(socket));
  });
  return {
    server,
    destroyAll: () => {
      for (const socket of open) socket.destroy();
    },
  };
}
