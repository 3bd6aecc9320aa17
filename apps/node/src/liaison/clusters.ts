/**
 * Correlation at the liaison office: the suspected call centres. Two referrals are linked when they
 * share an IP, an IPv4 /24 or IPv6 /48 network, or an evidence digest; a suspected call centre is a
 * connected component of those links (union-find in memory over rows fetched once), so referrals from
 * two countries to the same /24 that also share an evidence file are ONE cluster joined by two signals.
 *
 * A value shared by more than `commonThreshold` referrals (a shared-hosting or cloud range, a file every
 * scam kit carries) joins nothing: it would glue unrelated referrals into one giant component. Such
 * values are listed apart as flagged. This module must never let a flagged value link two referrals.
 *
 * Ranking: countries involved (reporting ∪ located in), then reporting countries, then referrals.
 */
import { ipNetwork } from '@firstlight/protocol';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';

export type SignalKind = 'ip' | 'network' | 'evidence';

export interface Signal {
  kind: SignalKind;
  key: string;
  /** How many referrals (in scope) carry this value. */
  referrals: number;
}

export interface Cluster {
  /** The smallest referral id in the cluster (UUIDv7: the oldest), stable while the cluster grows. */
  id: string;
  referrals: number;
  /** Countries that sent the referrals. */
  countries: string[];
  /** Countries the referrals were sent to (where the place is). */
  locatedIn: string[];
  /** The shared values that joined the cluster, strongest first. */
  signals: Signal[];
  /** Up to REFERRAL_IDS_CAP of the cluster's referral ids, for the drill-down. */
  referralIds: string[];
}

export interface FlaggedValue extends Signal {
  countries: string[];
  locatedIn: string[];
}

export const REFERRAL_IDS_CAP = 500;

/** What correlation needs of a node: its store and the threshold above which a value is common. */
export interface CorrelationContext {
  db: Kysely<Database>;
  config: { commonThreshold: number };
}

const KIND_ORDER: Record<SignalKind, number> = { ip: 0, network: 1, evidence: 2 };

interface Row {
  id: string;
  from_country: string;
  to_country: string;
  ip: string;
  network: string;
}

/**
 * The referrals (row indices) carrying each value of one kind. Most values are carried by one referral
 * only, so a lone index is stored as a number and an array is made only once a second one comes.
 */
class Carriers {
  readonly byValue = new Map<string, number | number[]>();
  add(value: string, index: number) {
    const held = this.byValue.get(value);
    if (held === undefined) this.byValue.set(value, index);
    else if (typeof held === 'number') {
      if (held !== index) this.byValue.set(value, [held, index]);
    } else if (held.at(-1) !== index) held.push(index);
  }
  /** Values carried by at least two referrals. */
  *shared(): Generator<[string, number[]]> {
    for (const [value, held] of this.byValue) if (typeof held !== 'number') yield [value, held];
  }
}

function unionFind(size: number) {
  const parent = Int32Array.from({ length: size }, (_, i) => i);
  const find = (i: number): number => {
    let root = i;
    while (parent[root] !== root) root = parent[root] as number;
    // Path compression keeps later finds near constant time.
    let node = i;
    while (parent[node] !== root) {
      const next = parent[node] as number;
      parent[node] = root;
      node = next;
    }
    return root;
  };
  const union = (a: number, b: number) => {
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) parent[Math.max(ra, rb)] = Math.min(ra, rb);
  };
  return { find, union };
}

async function fetchRows(ctx: CorrelationContext, operation: string | undefined) {
  let referrals = ctx.db.selectFrom('liaison_referrals').select(['id', 'from_country', 'to_country', 'ip', 'network']);
  if (operation) referrals = referrals.where('operation', '=', operation);
  // A digest only one referral carries links nothing: leave it in the database (most files are unique).
  let shared = ctx.db
    .selectFrom('liaison_evidence as s')
    .select('s.digest')
    .groupBy('s.digest')
    .having((eb) => eb.fn.countAll(), '>', 1);
  let evidence = ctx.db.selectFrom('liaison_evidence as e').select(['e.digest', 'e.referral_id']);
  if (operation) {
    shared = shared.innerJoin('liaison_referrals as sr', 'sr.id', 's.referral_id').where('sr.operation', '=', operation);
    evidence = evidence.innerJoin('liaison_referrals as r', 'r.id', 'e.referral_id').where('r.operation', '=', operation);
  }
  evidence = evidence.where('e.digest', 'in', shared);
  const [rows, digests] = await Promise.all([referrals.execute(), evidence.execute()]);
  return { rows, digests };
}

const sortedSet = (values: Iterable<string>) => [...new Set(values)].sort();

const byId = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const bySignal = (a: Signal, b: Signal) => b.referrals - a.referrals || KIND_ORDER[a.kind] - KIND_ORDER[b.kind] || byId(a.key, b.key);

export async function clusters(ctx: CorrelationContext, input: { operation?: string | undefined; limit: number }) {
  const threshold = ctx.config.commonThreshold;
  const { rows, digests } = await fetchRows(ctx, input.operation);
  const index = new Map<string, number>();
  const carriers: Record<SignalKind, Carriers> = { ip: new Carriers(), network: new Carriers(), evidence: new Carriers() };
  // A network whose referrals all share one IP says nothing the IP does not: its first IP, or null once two differ.
  const soleIp = new Map<string, string | null>();
  rows.forEach((r, i) => {
    index.set(r.id, i);
    const network = r.network || ipNetwork(r.ip) || r.ip;
    carriers.ip.add(r.ip, i);
    carriers.network.add(network, i);
    const sole = soleIp.get(network);
    if (sole === undefined) soleIp.set(network, r.ip);
    else if (sole !== null && sole !== r.ip) soleIp.set(network, null);
  });
  for (const e of digests) {
    const i = index.get(e.referral_id);
    if (i !== undefined) carriers.evidence.add(e.digest, i);
  }

  const { find, union } = unionFind(rows.length);
  const joining: Array<{ signal: Signal; first: number }> = [];
  const flagged: FlaggedValue[] = [];
  for (const kind of ['ip', 'network', 'evidence'] as const) {
    for (const [key, members] of carriers[kind].shared()) {
      if (kind === 'network' && soleIp.get(key) !== null) continue;
      const signal: Signal = { kind, key, referrals: members.length };
      if (members.length > threshold) {
        const held = members.map((i) => rows[i] as Row);
        const countries = sortedSet(held.map((r) => r.from_country));
        flagged.push({ ...signal, countries, locatedIn: sortedSet(held.map((r) => r.to_country)) });
        continue;
      }
      const first = members[0] as number;
      for (const m of members) union(first, m);
      joining.push({ signal, first });
    }
  }

  // Components of two or more referrals; everything else stays a lone referral, not a cluster.
  const roots = new Int32Array(rows.length);
  const sizes = new Int32Array(rows.length);
  for (let i = 0; i < rows.length; i += 1) {
    const root = find(i);
    roots[i] = root;
    sizes[root] = (sizes[root] ?? 0) + 1;
  }
  const components = new Map<number, { members: number[]; signals: Signal[] }>();
  for (let i = 0; i < rows.length; i += 1) {
    const root = roots[i] as number;
    if ((sizes[root] ?? 0) < 2) continue;
    const c = components.get(root);
    if (c) c.members.push(i);
    else components.set(root, { members: [i], signals: [] });
  }
  for (const j of joining) components.get(find(j.first))?.signals.push(j.signal);

  const ranked = [...components.values()].map(({ members, signals }) => {
    const held = members.map((i) => rows[i] as Row).sort((a, b) => byId(a.id, b.id));
    const countries = sortedSet(held.map((r) => r.from_country));
    const locatedIn = sortedSet(held.map((r) => r.to_country));
    return { held, signals, countries, locatedIn, involved: new Set([...countries, ...locatedIn]).size };
  });
  ranked.sort(
    (a, b) =>
      b.involved - a.involved ||
      b.countries.length - a.countries.length ||
      b.held.length - a.held.length ||
      byId(a.held[0]?.id ?? '', b.held[0]?.id ?? ''),
  );
  flagged.sort(bySignal);
  return {
    threshold,
    scanned: rows.length,
    total: ranked.length,
    clusters: ranked.slice(0, input.limit).map(
      (c): Cluster => ({
        id: c.held[0]?.id ?? '',
        referrals: c.held.length,
        countries: c.countries,
        locatedIn: c.locatedIn,
        signals: c.signals.sort(bySignal),
        referralIds: c.held.slice(0, REFERRAL_IDS_CAP).map((r) => r.id),
      }),
    ),
    flagged: flagged.slice(0, input.limit),
  };
}
