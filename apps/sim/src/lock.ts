/**
 * One replay per data folder and per port range: a lock file in the data folder names the process that
 * holds it, and every port the replay needs is tried before any node starts. A second `pnpm start` is
 * refused at once with the port and the holder, never left to find out from its nodes' logs. A lock
 * whose process is gone is taken over; this module never removes a lock another live process holds.
 */
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { z } from 'zod';

export class LockError extends Error {}

const lockSchema = z.object({ pid: z.int(), portBase: z.int(), startedAt: z.string() });

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as { code?: string }).code === 'EPERM';
  }
};

export interface Lock {
  release(): void;
}

export function acquireLock(dataRoot: string, portBase: number): Lock {
  mkdirSync(dataRoot, { recursive: true });
  const file = join(dataRoot, 'simulation.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx', 0o600);
      writeSync(fd, JSON.stringify({ pid: process.pid, portBase, startedAt: new Date().toISOString() }));
      closeSync(fd);
      return {
        release: () => {
          try {
            const held = lockSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
            if (held.success && held.data.pid === process.pid) rmSync(file, { force: true });
          } catch {
            // already gone
          }
        },
      };
    } catch (error) {
      if ((error as { code?: string }).code !== 'EEXIST') throw error;
      let held: z.infer<typeof lockSchema> | null = null;
      try {
        const parsed = lockSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
        held = parsed.success ? parsed.data : null;
      } catch {
        held = null;
      }
      if (held && held.pid !== process.pid && alive(held.pid))
        throw new LockError(
          `another instance of the simulation (pid ${held.pid}, started ${held.startedAt}) holds ${dataRoot} and port ${held.portBase}: ` +
            'stop it first (Ctrl-C in its terminal), or give this one its own --data and --port-base',
        );
      // Its process is gone (or the file is unreadable): a stale lock, taken over.
      rmSync(file, { force: true });
    }
  }
  throw new LockError(`could not take the lock ${file}`);
}

/** Resolves when the port can be bound on 127.0.0.1, rejects with the port named when it cannot. */
function tryPort(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(new LockError(error.code === 'EADDRINUSE' ? `port ${port} is already in use` : `port ${port}: ${error.message}`)),
    );
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => server.close(() => resolve()));
  });
}

/**
 * Every port the replay needs must be free. A port answered by a firstlight node belongs to another
 * instance (another data folder with the same --port-base): the message says so.
 */
export async function checkPorts(portBase: number, count: number): Promise<void> {
  for (let port = portBase; port < portBase + count; port++) {
    try {
      await tryPort(port);
    } catch (error) {
      let holder = 'another process';
      try {
        const res = await fetch(`http://127.0.0.1:${port}/trpc/federation.health`, { signal: AbortSignal.timeout(1500) });
        const body = (await res.json()) as { result?: { data?: { country?: string; pid?: number } } };
        const node = body.result?.data;
        if (node?.country) holder = `another instance's node ${node.country}${node.pid ? ` (pid ${node.pid})` : ''}`;
      } catch {
        // not a firstlight node
      }
      throw new LockError(
        `${(error as Error).message}, held by ${holder}: another instance of the simulation is probably running; stop it, or use another --port-base`,
      );
    }
  }
}
