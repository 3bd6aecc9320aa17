/**
 * The liaison office's view of each member's health endpoint, probed at most once per interval for the
 * whole node: however many analysts keep the Federation health page open (each polling every few
 * seconds), members see one probe per interval, and concurrent readers share the probe in flight.
 * It never throws: a member that does not answer is reported unreachable, with when it was last tried.
 */
import type { Clock } from '../clock.js';
import { withSlash } from '../directory/directory-client.js';
import type { FederationTransport } from '../tls/federation-transport.js';

export interface Probe {
  /** False when the member did not answer within the timeout, or answered garbage. */
  reachable: boolean;
  serial: number | null;
  queuedToLiaison: number | null;
  /** When this answer was taken (ms). */
  probedAt: number;
}

export interface MemberProbes {
  /** The members' latest answers, probing again the endpoints whose answer is older than the interval. */
  read(members: ReadonlyArray<{ country: string; endpoint: string }>): Promise<Map<string, Probe>>;
}

/** A probe costs the member a request and us up to `timeoutMs`; 15 s keeps the page fresh enough to act on. */
export const PROBE_INTERVAL_MS = 15_000;

type Fetcher = (endpoint: string, country: string) => Promise<Omit<Probe, 'probedAt'>>;

/** What a member's public health endpoint says: its directory serial and its copies queued toward us. */
export async function probeHealthEndpoint(
  transport: FederationTransport,
  country: string,
  endpoint: string,
  timeoutMs = 1500,
): Promise<Omit<Probe, 'probedAt'>> {
  const unreachable = { reachable: false, serial: null, queuedToLiaison: null };
  try {
    // Through the node's federation transport: under mTLS only the member's pinned key answers.
    const res = await transport.request(country, new URL('trpc/federation.health', withSlash(endpoint)), { timeoutMs });
    if (!res.ok) return unreachable;
    const body = (await res.json()) as { result?: { data?: { directorySerial?: unknown; queuedToLiaison?: unknown } } };
    const { directorySerial: serial, queuedToLiaison: queued } = body.result?.data ?? {};
    return {
      reachable: true,
      serial: typeof serial === 'number' ? serial : null,
      queuedToLiaison: typeof queued === 'number' && Number.isInteger(queued) && queued >= 0 ? queued : null,
    };
  } catch {
    return unreachable;
  }
}

/** Probes through `transport` (the node's own), or through `fetcher` (tests). */
export function createMemberProbes(
  clock: Clock,
  options: { intervalMs?: number } & ({ transport: FederationTransport } | { fetcher: Fetcher }),
): MemberProbes {
  const interval = options.intervalMs ?? PROBE_INTERVAL_MS;
  const fetcher =
    'fetcher' in options
      ? options.fetcher
      : (endpoint: string, country: string) => probeHealthEndpoint(options.transport, country, endpoint);
  const latest = new Map<string, Probe>();
  const inFlight = new Map<string, Promise<Probe>>();
  const key = (m: { country: string; endpoint: string }) => `${m.country} ${m.endpoint}`;
  const probe = (m: { country: string; endpoint: string }): Promise<Probe> => {
    const k = key(m);
    const running = inFlight.get(k);
    if (running) return running;
    const p = fetcher(m.endpoint, m.country).then((answer) => {
      const taken = { ...answer, probedAt: clock.now() };
      latest.set(k, taken);
      inFlight.delete(k);
      return taken;
    });
    inFlight.set(k, p);
    return p;
  };
  return {
    async read(members) {
      const now = clock.now();
      const answers = await Promise.all(
        members.map(async (m) => {
          const held = latest.get(key(m));
          return [m.country, held && now - held.probedAt < interval ? held : await probe(m)] as const;
        }),
      );
      return new Map(answers);
    },
  };
}
