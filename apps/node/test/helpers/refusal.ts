/** Test helpers: what a refused tRPC call answered, and a clock a test can move forward. */
import { TRPCClientError } from '@trpc/client';
import type { AppRouter } from '../../src/api/app-router.js';
import type { Clock } from '../../src/clock.js';

export interface Refusal {
  status: number | undefined;
  code: string | undefined;
  message: string;
}

/** Awaits a call that must be refused; returns its HTTP status, firstlight code and message. */
export async function refusal(call: Promise<unknown>): Promise<Refusal> {
  try {
    await call;
  } catch (error) {
    if (!(error instanceof TRPCClientError)) throw error;
    const data = (error as TRPCClientError<AppRouter>).data;
    return { status: data?.httpStatus, code: data?.firstlightCode, message: error.message };
  }
  throw new Error('the call was expected to be refused, but it succeeded');
}

/** The system clock plus an offset the test can advance (to skip backoff and dead-letter time). */
export function movableClock(): Clock & { advance(ms: number): void; reset(): void } {
  let offset = 0;
  return {
    now: () => Date.now() + offset,
    advance(ms) {
      offset += ms;
    },
    reset() {
      offset = 0;
    },
  };
}
