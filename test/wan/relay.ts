/**
 * Latency for `pnpm wan`: this kernel has no netem qdisc (`tc qdisc … netem` answers "Specified qdisc
 * kind is unknown"), so a TCP relay in the root namespace holds every chunk for `delayMs` in each
 * direction before passing it on. The bytes are relayed untouched (TLS end to end: the relay sees
 * only ciphertext); the published endpoint points at the relay during the latency phase.
 * Must never reorder bytes within a direction.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';

export interface Relay {
  port: number;
  close(): Promise<void>;
}

function delayed(from: Socket, to: Socket, delayMs: number): void {
  from.on('data', (chunk) => {
    // Same delay for every chunk: timers of equal duration fire in the order they were set.
    setTimeout(() => {
      if (!to.destroyed) to.write(chunk);
    }, delayMs);
  });
  from.on('end', () => setTimeout(() => to.end(), delayMs));
  from.on('error', () => to.destroy());
  from.on('close', () => setTimeout(() => to.destroy(), delayMs));
}

export async function startRelay(listenHost: string, target: { host: string; port: number }, delayMs: number): Promise<Relay> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(target.port, target.host);
    sockets.add(client).add(upstream);
    client.on('close', () => sockets.delete(client));
    upstream.on('close', () => sockets.delete(upstream));
    delayed(client, upstream, delayMs);
    delayed(upstream, client, delayMs);
  });
  const port = await new Promise<number>((resolve) =>
    server.listen(0, listenHost, () => resolve((server.address() as { port: number }).port)),
  );
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
