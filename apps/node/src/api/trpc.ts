/**
 * The tRPC edge: context, the one place where domain errors become tRPC/HTTP errors, and the role
 * guard. Clients see a stable firstlightCode and a message, never a stack trace or internals.
 */
import { initTRPC, TRPCError } from '@trpc/server';
import type { TRPC_ERROR_CODE_KEY } from '@trpc/server/rpc';
import { ZodError } from 'zod';
import { authenticate, type Principal, type Role } from '../auth/tokens.js';
import type { NodeContext } from '../context.js';
import { storageFailure } from '../db/storage-errors.js';
import { NodeError, type NodeErrorCode } from '../errors.js';
import type { Services } from '../services.js';

export interface RequestContext {
  node: NodeContext;
  services: Services;
  bearer: string | undefined;
}

/** A domain error's code → the tRPC code (and so the HTTP status) it is answered with. */
const HTTP_CODE: Record<NodeErrorCode, TRPC_ERROR_CODE_KEY> = {
  ERR_INPUT: 'BAD_REQUEST',
  ERR_UNAUTHORIZED: 'UNAUTHORIZED',
  ERR_FORBIDDEN: 'FORBIDDEN',
  ERR_WRONG_ROLE: 'FORBIDDEN',
  ERR_NOT_FOUND: 'NOT_FOUND',
  ERR_CONFLICT: 'CONFLICT',
  ERR_STATUS_ORDER: 'CONFLICT',
  ERR_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  ERR_IP_INVALID: 'BAD_REQUEST',
  ERR_IP_UNROUTABLE: 'BAD_REQUEST',
  ERR_IP_DOMESTIC: 'BAD_REQUEST',
  ERR_IP_UNKNOWN_COUNTRY: 'BAD_REQUEST',
  ERR_NOT_A_MEMBER: 'BAD_REQUEST',
  ERR_NO_DIRECTORY: 'PRECONDITION_FAILED',
  ERR_PURPOSE_REQUIRED: 'PRECONDITION_FAILED',
  ERR_ERASED: 'NOT_FOUND',
  ERR_STORAGE: 'SERVICE_UNAVAILABLE',
  ERR_CONFIG: 'INTERNAL_SERVER_ERROR',
  ERR_INTERNAL: 'INTERNAL_SERVER_ERROR',
};

/**
 * The other way: a TRPCError raised by tRPC itself or by a guard here (no domain error behind it) → the
 * firstlightCode a client sees. Any other client error is the caller's input.
 */
const FIRSTLIGHT_CODE: Partial<Record<TRPC_ERROR_CODE_KEY, NodeErrorCode>> = {
  UNAUTHORIZED: 'ERR_UNAUTHORIZED',
  FORBIDDEN: 'ERR_FORBIDDEN',
  NOT_FOUND: 'ERR_NOT_FOUND',
  PAYLOAD_TOO_LARGE: 'ERR_TOO_LARGE',
};

function describeZod(error: ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => `${i.path.length ? i.path.join('.') : 'input'}: ${i.message}`)
    .join('; ');
}

/**
 * The largest request body the tRPC API takes: a delivery of 500 envelopes of at most 16 KiB each plus
 * JSON framing, a bulk call of 500 items, an import with inline files.
 */
export const MAX_TRPC_BODY_BYTES = 9 * 1024 * 1024;

export const t = initTRPC.context<RequestContext>().create({
  errorFormatter({ shape, error }) {
    const cause = error.cause;
    let firstlightCode: string = 'ERR_INTERNAL';
    let message = 'internal error: the node logged the details';
    if (cause instanceof ZodError) {
      firstlightCode = 'ERR_INPUT';
      message = `invalid input: ${describeZod(cause)}`;
    } else if (cause instanceof NodeError) {
      firstlightCode = cause.code;
      message = HTTP_CODE[cause.code] === 'INTERNAL_SERVER_ERROR' ? message : cause.message;
    } else if (error.code !== 'INTERNAL_SERVER_ERROR') {
      firstlightCode = FIRSTLIGHT_CODE[error.code] ?? 'ERR_INPUT';
      message =
        error.code === 'PAYLOAD_TOO_LARGE'
          ? `the request is larger than the ${MAX_TRPC_BODY_BYTES / 1024 / 1024} MiB this API takes: send fewer items per call, or upload large evidence files one by one (POST /bureau/evidence)`
          : error.message;
    }
    return {
      message,
      code: shape.code,
      data: { code: shape.data.code, httpStatus: shape.data.httpStatus, path: shape.data.path, firstlightCode },
    };
  },
});

/** Turns domain errors into TRPCErrors with the right HTTP status; unexpected errors are logged here. */
const errorMapper = t.middleware(async ({ ctx, next, path }) => {
  const result = await next();
  if (!result.ok) {
    const cause = result.error.cause;
    const storage = cause instanceof NodeError ? null : storageFailure(cause);
    if (storage) {
      // Not a bug and not the caller's mistake: the node's disk. Nothing was stored; the caller retries.
      ctx.node.metrics.storageErrors.inc({ code: storage });
      ctx.node.storage.failedAt = ctx.node.clock.now();
      ctx.node.storage.code = storage;
      ctx.node.logger.error({ path, code: storage }, 'storage failure: nothing was stored');
      const failure = new NodeError('ERR_STORAGE', `this node cannot write to its storage (${storage}): nothing was stored; retry later`);
      result.error = new TRPCError({ code: HTTP_CODE.ERR_STORAGE, message: failure.message, cause: failure });
    } else if (cause instanceof NodeError) {
      result.error = new TRPCError({ code: HTTP_CODE[cause.code], message: cause.message, cause });
    } else if (result.error.code === 'INTERNAL_SERVER_ERROR' && !(cause instanceof ZodError)) {
      ctx.node.logger.error({ path, err: cause instanceof Error ? cause.message : String(cause) }, 'unexpected error');
    }
  }
  return result;
});

export const router = t.router;
export const publicProcedure = t.procedure.use(errorMapper);

/** Operator procedures: a valid bearer token whose role is in `roles`, on a node of `nodeRole`. */
export function operatorProcedure(nodeRole: 'national' | 'liaison', roles: readonly Role[]) {
  return publicProcedure.use(async ({ ctx, next }) => {
    const principal: Principal | null = await authenticate(ctx.node.db, ctx.bearer);
    if (!principal)
      throw new TRPCError({ code: 'UNAUTHORIZED', message: 'a valid operator token is required (Authorization: Bearer flt_…)' });
    if (ctx.node.config.role !== nodeRole)
      throw new TRPCError({ code: 'FORBIDDEN', message: `this is a ${ctx.node.config.role} node; this API is for a ${nodeRole} node` });
    if (!roles.includes(principal.role))
      throw new TRPCError({
        code: 'FORBIDDEN',
        message: `the ${principal.role} role may not do this; it needs one of: ${roles.join(', ')}`,
      });
    return next({ ctx: { ...ctx, principal } });
  });
}

/** Any valid token of this node, whatever its role (for "who am I"). */
export const anyOperatorProcedure = publicProcedure.use(async ({ ctx, next }) => {
  const principal = await authenticate(ctx.node.db, ctx.bearer);
  if (!principal)
    throw new TRPCError({ code: 'UNAUTHORIZED', message: 'a valid operator token is required (Authorization: Bearer flt_…)' });
  return next({ ctx: { ...ctx, principal } });
});
