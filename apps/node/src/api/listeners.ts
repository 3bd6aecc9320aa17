/**
 * The node's two listeners. Federation: the address other countries reach — mutual TLS, only members
 * pinned in the directory get in (tls/federation-listener.ts) — or, by explicit choice, plain HTTP.
 * Operators: bureau API, console, metrics, on loopback unless configured otherwise. Under
 * insecure-plain-http without an operator listener one plain listener serves both, as before TLS.
 * Must never serve the bureau API on the federation listener, nor the federation API (but its
 * read-only health and directory) on the operators' one.
 */
import type { AddressInfo, Server as NetServer } from 'node:net';
import { operatorListenOf } from '../config/config.js';
import type { NodeContext } from '../context.js';
import { NodeError } from '../errors.js';
import type { Services } from '../services.js';
import { loadTlsIdentity } from '../tls/certificate.js';
import { createFederationListener } from '../tls/federation-listener.js';
import { memberPins } from '../tls/pins.js';
import { createNodeServer } from './server.js';

export interface Listeners {
  /** Where other nodes reach this one (https:// under mTLS). */
  federationUrl: string;
  /** Where operators, the console and Prometheus reach it (the same as federationUrl when shared). */
  operatorUrl: string;
  close(): Promise<void>;
}

export async function openListeners(ctx: NodeContext, services: Services, consoleDir: string | null): Promise<Listeners> {
  const { config } = ctx;
  const mtls = config.federationTransport === 'mtls';
  const operatorAt = operatorListenOf(config);
  const servers: Array<{ server: NetServer; destroyAll(): void }> = [];
  const close = async () => {
    await Promise.all(
      servers.map(
        ({ server, destroyAll }) =>
          new Promise<void>((resolve) => {
            server.close(() => resolve());
            destroyAll();
          }),
      ),
    );
  };
  try {
    const federationHttp = createNodeServer(ctx, services, { surface: operatorAt ? 'federation' : 'both', consoleDir });
    let federation: { server: NetServer; destroyAll(): void } = {
      server: federationHttp,
      destroyAll: () => federationHttp.closeAllConnections(),
    };
    if (mtls) {
      const identity = loadTlsIdentity(ctx.dataDir);
      if (!identity) throw new NodeError('ERR_CONFIG', `no TLS key in ${ctx.dataDir}/tls: the node creates one at init and at open`);
      federation = createFederationListener(federationHttp, {
        identity,
        memberPins: () => memberPins(ctx.directory),
        onRefused: (remote, pin) => {
          ctx.metrics.tlsRefused.inc();
          ctx.logger.warn({ remote, pin }, 'federation connection refused at the TLS handshake: its key is pinned for no member');
        },
      });
    }
    servers.push(federation);
    const federationPort = await listen(federation.server, config.listen.host, config.listen.port);
    const federationUrl = `${mtls ? 'https' : 'http'}://${urlHost(config.listen.host)}:${federationPort}`;
    let operatorUrl = federationUrl;
    if (operatorAt) {
      const operator = createNodeServer(ctx, services, { surface: 'operator', consoleDir });
      servers.push({ server: operator, destroyAll: () => operator.closeAllConnections() });
      operatorUrl = `http://${urlHost(operatorAt.host)}:${await listen(operator, operatorAt.host, operatorAt.port)}`;
    }
    return { federationUrl, operatorUrl, close };
  } catch (error) {
    await close();
    throw error;
  }
}

function listen(server: NetServer, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE' ? new NodeError('ERR_CONFIG', `port ${port} on ${host} is already in use: choose another`) : error,
      ),
    );
    server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
  });
}

function urlHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}
