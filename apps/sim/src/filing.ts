/**
 * Filing planned cases as a bureau does: a country imports its victims' complaints with their evidence
 * files in one call, and refers them in one call (each referral still its own signed message). Every
 * call carries a requestId, so a retry after a lost answer gets the first answer, never a second copy.
 * A failed call is said on stderr and tried again; it never takes other countries' cases with it.
 */
import { randomUUID } from 'node:crypto';
import type { AppRouter } from '@firstlight/node';
import { createTRPCClient, httpLink } from '@trpc/client';
import { Agent, fetch as undiciFetch } from 'undici';
import { currencyOf, NARRATIVE, prng, scamTypeOf } from './scenario.js';
import { DAY_MS, type PlannedCase } from './truth.js';

export type Client = ReturnType<typeof createTRPCClient<AppRouter>>;

// Idle connections are dropped after 4 s, far inside the nodes' 65 s keep-alive: reusing one the
// server is closing at that very moment fails the request with "other side closed" (a known HTTP/1.1
// race, undici#3141), and on a saturated machine undici's own margin of 1 s below the server's hint is
// not enough (six bureau calls failed so in a 100,000-referral run).
const dispatcher = new Agent({ keepAliveTimeout: 4_000, keepAliveMaxTimeout: 4_000 });
export const clientFor = (url: string, token: string): Client =>
  createTRPCClient<AppRouter>({
    links: [
      httpLink({
        url: `${url}/trpc`,
        headers: () => ({ authorization: `Bearer ${token}` }),
        fetch: (input, init) => undiciFetch(input as string, { ...(init as object), dispatcher }) as unknown as Promise<Response>,
      }),
    ],
  });

/** An error and its causes ("fetch failed: other side closed (UND_ERR_SOCKET)"), for a line on stderr. */
export function reason(error: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 4; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code;
    parts.push(typeof code === 'string' ? `${e.message} (${code})` : e.message);
  }
  return [...new Set(parts)].join(': ') || String(error);
}

/** One bureau call, tried up to three times while the replay runs; null after the third failure. */
export async function attempt<T>(what: string, call: () => Promise<T>, stopping: () => boolean): Promise<T | null> {
  for (let n = 1; n <= 3 && !stopping(); n++) {
    try {
      return await call();
    } catch (error) {
      if (stopping()) return null;
      process.stderr.write(`${what} failed (${reason(error)}): ${n < 3 ? 'trying again' : 'skipped'}\n`);
    }
  }
  return null;
}

const date = (start: number, day: number) => new Date(start + day * DAY_MS).toISOString().slice(0, 10);

/** Files one origin's cases; answers each case's referral id, or null where it was refused or skipped. */
export async function fileCases(
  client: Client,
  origin: string,
  cases: PlannedCase[],
  operation: { id: string; start: string },
  stopping: () => boolean,
): Promise<Array<{ n: number; id: string | null }>> {
  const start = Date.parse(`${operation.start}T00:00:00Z`);
  const importing = {
    requestId: randomUUID(),
    complaints: cases.map((c) => {
      const r = prng(c.n * 7919 + 17);
      return {
        victimName: `Synthetic Victim ${origin}-${String(c.n).padStart(5, '0')}`,
        victimContact: `synthetic-${origin.toLowerCase()}-${c.n}@example.invalid`,
        amountLost: Math.round(2_000 + r() * 498_000),
        currency: currencyOf(origin),
        scamType: scamTypeOf(r),
        narrative: NARRATIVE,
        occurredAt: date(start, c.occurredDay),
        reportedAt: date(start, c.reportedDay),
        attachments: c.files.map((f) => ({
          filename: f.filename,
          mediaType: f.filename.endsWith('.html') ? 'text/html' : 'text/plain',
          base64: Buffer.from(f.text).toString('base64'),
        })),
      };
    }),
  };
  const imported = await attempt(
    `importing ${cases.length} complaints in ${origin}`,
    () => client.bureau.complaints.createMany.mutate(importing),
    stopping,
  );
  if (!imported) return cases.map((c) => ({ n: c.n, id: null }));
  const referring = {
    requestId: randomUUID(),
    referrals: cases.map((c, i) => {
      const r = prng(c.n * 104_729 + 3);
      const hh = String(Math.floor(r() * 24)).padStart(2, '0');
      const mm = String(Math.floor(r() * 60)).padStart(2, '0');
      return {
        complaintId: imported.ids[i] as string,
        ip: c.ip,
        seenAt: `${date(start, c.occurredDay)}T${hh}:${mm}:00Z`,
        evidence: imported.evidence[i] ?? [],
        action: c.action,
        urgency: c.urgency,
        operation: operation.id,
      };
    }),
  };
  const results = await attempt(
    `referring ${cases.length} cases from ${origin}`,
    () => client.bureau.referrals.createMany.mutate(referring),
    stopping,
  );
  return cases.map((c, i) => {
    const result = results?.[i];
    if (result && result.ok !== true)
      process.stderr.write(`case ${c.n} from ${origin} to ${c.ip} was refused: ${JSON.stringify(result)}\n`);
    return { n: c.n, id: result?.ok === true ? result.id : null };
  });
}
