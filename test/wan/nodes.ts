/**
 * The federation for `pnpm wan`: one `firstlight start` process per host namespace, initialised and
 * enrolled the way OPERATIONS.md says (keys and TLS pins from init, member add, publish), federation
 * over mutual TLS on the host's WAN address, operators' API on its LAN address. Never edits a
 * running node's files; the directory changes only through the liaison office's own API.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type AppRouter,
  addMember,
  createLogger,
  createOperation,
  createToken,
  initNode,
  openNode,
  publishDirectory,
} from '@firstlight/node';
import { createTRPCClient, httpLink } from '@trpc/client';
import type { Host } from './netns.js';

export const FEDERATION_PORT = 7600;
export const OPERATOR_PORT = 8600;
export const OPERATION = 'first-light-2015';
const BIN = fileURLToPath(new URL('../../apps/node/bin/firstlight.mjs', import.meta.url));

export type Client = ReturnType<typeof createTRPCClient<AppRouter>>;

export interface WanNode {
  party: string;
  host: Host;
  dataDir: string;
  federationUrl: string;
  operatorUrl: string;
  jwk: unknown;
  tlsPin: string;
  token: string;
  client: Client;
  child: ChildProcess | null;
}

const quiet = createLogger({ level: 'silent' });

const clientFor = (url: string, token: string): Client =>
  createTRPCClient<AppRouter>({ links: [httpLink({ url: `${url}/trpc`, headers: () => ({ authorization: `Bearer ${token}` }) })] });

/** init every node, enrol the national ones with their keys and pins, publish; tokens for each. */
export async function setUp(root: string, liaisonHost: Host, national: Array<{ party: string; host: Host }>): Promise<WanNode[]> {
  const make = async (party: string, host: Host, extra: { role: 'liaison' } | { role: 'national'; liaison: string; anchor: string }) => {
    const dataDir = join(root, party);
    const init = await initNode({
      data: dataDir,
      host: host.wan,
      port: FEDERATION_PORT,
      operatorHost: host.lan,
      operatorPort: OPERATOR_PORT,
      ...(extra.role === 'liaison'
        ? { role: 'liaison' }
        : { role: 'national', country: party, liaison: extra.liaison, anchor: extra.anchor }),
    });
    const opened = await openNode({ dataDir, logger: quiet });
    const role = extra.role === 'liaison' ? 'admin' : 'officer';
    const { token } = await createToken(opened.ctx.db, { name: 'wan', role, nodeRole: extra.role, now: Date.now() }).finally(() =>
      opened.close(),
    );
    const operatorUrl = `http://${host.lan}:${OPERATOR_PORT}`;
    return {
      party,
      host,
      dataDir,
      federationUrl: init.publicUrl,
      operatorUrl,
      jwk: init.publicJwk,
      tlsPin: init.tlsPin,
      token,
      client: clientFor(operatorUrl, token),
      child: null,
      anchor: init.anchor,
    };
  };
  const liaison = await make('LIAISON', liaisonHost, { role: 'liaison' });
  const nodes: WanNode[] = [liaison];
  for (const n of national)
    nodes.push(await make(n.party, n.host, { role: 'national', liaison: liaison.federationUrl, anchor: liaison.anchor as string }));
  const lo = await openNode({ dataDir: liaison.dataDir, logger: quiet });
  try {
    for (const n of nodes.slice(1))
      await addMember(lo.ctx.db, {
        country: n.party,
        name: n.party,
        endpoint: n.federationUrl,
        jwk: n.jwk,
        tlsPins: [n.tlsPin],
        now: Date.now(),
      });
    await createOperation(lo.ctx.db, {
      id: OPERATION,
      name: 'First Light 2015',
      start: '2015-06-01',
      end: '2027-12-31',
      participants: national.map((n) => n.party),
    });
    await publishDirectory(lo.ctx);
  } finally {
    await lo.close();
  }
  return nodes;
}

/** Starts the node's process inside its host's namespace. */
export function startProcess(node: WanNode): void {
  const fd = openSync(join(node.dataDir, 'node.log'), 'a');
  node.child = spawn('ip', ['netns', 'exec', node.host.ns, process.execPath, BIN, 'start', '--data', node.dataDir], {
    stdio: ['ignore', fd, fd],
    env: { ...process.env, FIRSTLIGHT_LOG_LEVEL: 'warn' },
  });
  closeSync(fd);
}

export async function stopProcess(node: WanNode): Promise<void> {
  const child = node.child;
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/** The directory serial the node's operators' listener reports (null: none yet, or not answering). */
export async function serialOf(node: WanNode): Promise<number | null> {
  try {
    const res = await fetch(`${node.operatorUrl}/trpc/federation.health`, { signal: AbortSignal.timeout(2000) });
    const body = (await res.json()) as { result?: { data?: { directorySerial?: number | null } } };
    return body.result?.data?.directorySerial ?? null;
  } catch {
    return null;
  }
}

export async function until<T>(
  what: string,
  probe: () => Promise<T | null | undefined | false>,
  timeoutMs = 120_000,
  everyMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => null);
    if (value !== null && value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
