/**
 * The node's HTTP server: tRPC at /trpc, Prometheus at /metrics, evidence upload (streamed) and
 * download (evidence-download.ts) at /bureau/evidence, and the console's static files at / when they
 * are built. Every route has a body limit.
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { incomingMessageToRequest, internal_exceptionHandler } from '@trpc/server/adapters/node-http';
import { resolveResponse } from '@trpc/server/http';
import { z } from 'zod';
import { authenticate } from '../auth/tokens.js';
import type { NodeContext } from '../context.js';
import { NodeError } from '../errors.js';
import { storeEvidence } from '../intake/evidence.js';
import type { Services } from '../services.js';
import { appRouter } from './app-router.js';
import { handleEvidenceDownload } from './evidence-download.js';
import { MAX_TRPC_BODY_BYTES } from './trpc.js';

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};

function bearerOf(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  return typeof header === 'string' && header.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

const evidenceQuery = z.strictObject({
  complaintId: z.uuid(),
  filename: z.string().min(1).max(255),
});

/**
 * What a listener serves: `federation` only the federation procedures (the address other countries
 * reach); `operator` everything else, plus the read-only federation.health and federation.directory
 * for probes; `both` everything, for the one plain listener of `insecure-plain-http` without an
 * operator listener of its own.
 */
export type Surface = 'federation' | 'operator' | 'both';

const FEDERATION_PREFIX = '/trpc/federation.';
const OPERATOR_READABLE = new Set(['/trpc/federation.health', '/trpc/federation.directory']);

/** Paths counted by name in firstlight_http_requests_total (a bounded set: a client cannot add labels). */
const KNOWN_PATHS = new Set([...Object.keys(appRouter._def.procedures).map((p) => `/trpc/${p}`), '/metrics', '/bureau/evidence']);

function servedOn(surface: Surface, pathname: string): boolean {
  if (surface === 'both') return true;
  if (!pathname.startsWith('/trpc/')) return surface === 'operator';
  // A tRPC batch names several procedures (a,b,c): each must be served here.
  return pathname
    .slice('/trpc/'.length)
    .replace(/\/+$/, '')
    .split(',')
    .every((procedure) => {
      const path = `/trpc/${procedure}`;
      const federation = path.startsWith(FEDERATION_PREFIX);
      return surface === 'federation' ? federation : !federation || OPERATOR_READABLE.has(path);
    });
}

export function createNodeServer(
  node: NodeContext,
  services: Services,
  options: { consoleDir?: string | null; surface?: Surface } = {},
): Server {
  const trpc = trpcHandler(node, services);
  const surface = options.surface ?? 'both';
  const consoleDir =
    surface !== 'federation' && options.consoleDir && existsSync(join(options.consoleDir, 'index.html'))
      ? resolve(options.consoleDir)
      : null;

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://node.invalid');
    node.metrics.requests.inc({ listener: surface, path: KNOWN_PATHS.has(url.pathname) ? url.pathname : 'other' });
    if (!servedOn(surface, url.pathname)) {
      const where = surface === 'federation' ? "the operators' listener" : 'the federation listener';
      sendJson(res, 404, { error: { code: 'ERR_NOT_FOUND', message: `${url.pathname} is served on ${where}, not on this one` } });
      return;
    }
    if (url.pathname.startsWith('/trpc/')) {
      res.setHeader('access-control-allow-origin', '*');
      res.setHeader('access-control-allow-headers', 'authorization, content-type, trpc-accept');
      if (req.method === 'OPTIONS') {
        res.writeHead(204).end();
        return;
      }
      trpc(req, res, url.pathname);
      return;
    }
    if (url.pathname === '/metrics' && req.method === 'GET') {
      void serveMetrics(node, req, res);
      return;
    }
    if (url.pathname === '/bureau/evidence' && req.method === 'POST') {
      void handleEvidence(node, req, res, url);
      return;
    }
    if (url.pathname === '/bureau/evidence' && req.method === 'GET') {
      void handleEvidenceDownload(node, bearerOf(req), res, url);
      return;
    }
    if (consoleDir && (req.method === 'GET' || req.method === 'HEAD')) {
      serveStatic(consoleDir, url.pathname, res);
      return;
    }
    sendJson(res, 404, { error: { code: 'ERR_NOT_FOUND', message: `nothing at ${url.pathname}; the API is at /trpc` } });
  });
  // Keep idle connections open longer than clients keep them (federation-transport.ts: 55 s): a server that closes a
  // kept-alive socket just as a peer reuses it for a POST makes that POST fail with a reset.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  return server;
}

/**
 * tRPC at /trpc/<path>. An answer is a whole JSON document, never a stream (no subscriptions, no
 * streaming links): it is sent with its length in one write, where the standalone adapter piped it
 * through a web stream into a chunked body, a second write (the last chunk) for every answer.
 */
function trpcHandler(node: NodeContext, services: Services) {
  const onError = ({ error, path }: { error: { code: string; message: string; cause?: Error | undefined }; path?: string | undefined }) => {
    if (error.code === 'INTERNAL_SERVER_ERROR')
      node.logger.error({ path, err: error.cause?.message ?? error.message }, 'tRPC internal error');
  };
  const createContext = async ({ req }: { req: IncomingMessage }) => ({ node, services, bearer: bearerOf(req) });
  return (req: IncomingMessage, res: ServerResponse, pathname: string): void => {
    const path = pathname.slice('/trpc/'.length).replace(/\/+$/, '');
    const handle = async () => {
      const request = incomingMessageToRequest(req, res, { maxBodySize: MAX_TRPC_BODY_BYTES });
      const response = await resolveResponse({
        router: appRouter,
        req: request,
        path,
        error: null,
        createContext: () => createContext({ req }),
        onError,
        // tRPC's ?batch=1 is not part of the protocol (PROTOCOL.md §5): one procedure per request.
        allowBatching: false,
      });
      const body = Buffer.from(await response.arrayBuffer());
      for (const [key, value] of response.headers) res.setHeader(key, value);
      res.setHeader('content-length', body.length);
      res.statusCode = response.status;
      res.end(body);
    };
    // Answering itself failed: the adapter's own handler (exported by @trpc/server 11, which is pinned)
    // answers with the router's error shape, status 500, as createHTTPHandler did.
    handle().catch(
      internal_exceptionHandler({ router: appRouter, req, res, path, createContext, onError, maxBodySize: MAX_TRPC_BODY_BYTES }),
    );
  };
}

/**
 * Prometheus text at /metrics, for a token that may read operational figures (auditor, admin, or the
 * liaison office's analyst): the counts say with whom and how much a bureau exchanges. Prometheus
 * sends it as a bearer token (`authorization: { credentials_file: … }` in its scrape config).
 */
async function serveMetrics(node: NodeContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  try {
    const principal = await authenticate(node.db, bearerOf(req));
    if (!principal) return sendJson(res, 401, { error: { code: 'ERR_UNAUTHORIZED', message: 'a valid operator token is required' } });
    if (principal.role === 'officer')
      return sendJson(res, 403, { error: { code: 'ERR_FORBIDDEN', message: 'metrics are for auditor, admin or analyst tokens' } });
    const text = await node.metrics.registry.metrics();
    res.writeHead(200, { 'content-type': node.metrics.registry.contentType });
    res.end(text);
  } catch (error) {
    node.logger.error({ err: error instanceof Error ? error.message : String(error) }, 'metrics collection failed');
    sendJson(res, 500, { error: { code: 'ERR_INTERNAL', message: 'metrics collection failed: the node logged the details' } });
  }
}

async function handleEvidence(node: NodeContext, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  try {
    const principal = await authenticate(node.db, bearerOf(req));
    if (!principal) return sendJson(res, 401, { error: { code: 'ERR_UNAUTHORIZED', message: 'a valid operator token is required' } });
    if (node.config.role !== 'national' || principal.role !== 'officer')
      return sendJson(res, 403, { error: { code: 'ERR_FORBIDDEN', message: 'only an officer of a national node may add evidence' } });
    const query = evidenceQuery.safeParse(Object.fromEntries(url.searchParams));
    if (!query.success)
      return sendJson(res, 400, { error: { code: 'ERR_INPUT', message: 'give complaintId (a UUID) and filename as query parameters' } });
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > node.config.evidenceMaxBytes)
      return sendJson(res, 413, {
        error: { code: 'ERR_TOO_LARGE', message: `evidence files are limited to ${node.config.evidenceMaxBytes} bytes` },
      });
    const stored = await storeEvidence(node.db, {
      dataDir: node.dataDir,
      complaintId: query.data.complaintId,
      filename: query.data.filename,
      mediaType: String(req.headers['content-type'] ?? 'application/octet-stream'),
      body: req,
      maxBytes: node.config.evidenceMaxBytes,
      now: node.clock.now(),
    });
    sendJson(res, 201, stored);
  } catch (error) {
    if (error instanceof NodeError) {
      const status = error.code === 'ERR_NOT_FOUND' ? 404 : error.code === 'ERR_TOO_LARGE' ? 413 : 400;
      sendJson(res, status, { error: { code: error.code, message: error.message } });
      req.resume();
      return;
    }
    node.logger.error({ err: error instanceof Error ? error.message : String(error) }, 'evidence upload failed');
    sendJson(res, 500, { error: { code: 'ERR_INTERNAL', message: 'internal error: the node logged the details' } });
  }
}

function serveStatic(root: string, pathname: string, res: ServerResponse): void {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    decoded = '/';
  }
  let file = normalize(join(root, decoded));
  if (!file.startsWith(root + sep) && file !== root) file = join(root, 'index.html');
  if (!existsSync(file) || statSync(file).isDirectory()) file = join(root, 'index.html');
  const type = MIME[extname(file)] ?? 'application/octet-stream';
  const immutable = file.includes(`${sep}assets${sep}`);
  res.writeHead(200, { 'content-type': type, 'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache' });
  createReadStream(file).pipe(res);
}
