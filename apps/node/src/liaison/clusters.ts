/**
 * Correlation at the liaison office: the suspected call centres, as the analyst sees them. Which
 * referrals belong together is decided by correlate.ts (cores of two shared signals, merges a value
 * covers, a veto between groups with their own files); this module reads the rows once, and presents
 * each group with the values that join it, where it is, and the values that join nothing.
 *
 * A value shared by more than `commonThreshold` referrals (a shared-hosting or cloud range, a file every
 * scam kit carries) joins nothing: such values are listed apart as flagged. A value whose referrals sit
 * in two or more suspected centres (a VPN exit, a fake-police page several centres circulate) joined
 * none of them: listed apart as bridging. This module must never let a flagged value link two referrals.
 *
 * Ranking: countries involved (reporting ∪ located in), then reporting countries, then referrals.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { correlate, networkOf, type CorrelationRow as Row, type SignalKind } from './correlate.js';

export type { SignalKind } from './correlate.js';

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
  /**
   * Where the centre is: the countries of the addresses its own referrals share. An address one victim
   * saw, or one several centres share (a VPN exit), does not locate it; a cluster joined by files alone
   * is located wherever its referrals went.
   */
  locatedIn: string[];
  /** Every country its referrals were sent to. */
  sentTo: string[];
  /** The shared values that joined the cluster, strongest first. */
  signals: Signal[];
  /** Up to REFERRAL_IDS_CAP of the cluster's referral ids, for the drill-down. */
  referralIds: string[];
}

export interface FlaggedValue extends Signal {
  countries: string[];
  locatedIn: string[];
  /** Bridging values only: how many suspected centres its referrals sit in. */
  clusters?: number;
}

export const REFERRAL_IDS_CAP = 500;

/** What correlation needs of a node: its store and the threshold above which a value is common. */
export interface CorrelationContext {
  db: Kysely<Database>;
  config: { commonThreshold: number };
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

const KIND_ORDER: Record<SignalKind, number> = { ip: 0, network: 1, evidence: 2 };

const byId = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const bySignal = (a: Signal, b: Signal) => b.referrals - a.referrals || KIND_ORDER[a.kind] - KIND_ORDER[b.kind] || byId(a.key, b.key);

export async function clusters(ctx: CorrelationContext, input: { operation?: string | undefined; limit: number }) {
  const { rows, digests } = await fetchRows(ctx, input.operation);
  return clustersOf(rows, digests, ctx.config.commonThreshold, input.limit);
}

/** The office's answer from rows already read (the simulation's tests call it without a store). */
export function clustersOf(rows: Row[], digests: Array<{ referral_id: string; digest: string }>, threshold: number, limit: number) {
  const { groupOf, usable, common } = correlate(rows, digests, threshold);
  const members = new Map<number, number[]>();
  groupOf.forEach((group, i) => {
    const list = members.get(group);
    if (list) list.push(i);
    else members.set(group, [i]);
  });
  const isCluster = (i: number) => (members.get(groupOf[i] as number)?.length ?? 0) >= 2;
  const placesOf = (held: number[]) => ({
    countries: sortedSet(held.map((i) => (rows[i] as Row).from_country)),
    locatedIn: sortedSet(held.map((i) => (rows[i] as Row).to_country)),
  });
  // A network whose referrals all share one IP says nothing the IP does not: it is not listed.
  const soleIp = (v: { kind: SignalKind; members: number[] }) =>
    v.kind === 'network' && new Set(v.members.map((i) => (rows[i] as Row).ip)).size === 1;
  // A value whose referrals sit in two or more clusters joined none of them: shared infrastructure or a
  // widely circulated file. It is listed apart, and an address of that kind does not locate a centre.
  const bridging: FlaggedValue[] = [];
  const bridges = new Set<string>();
  const perCluster = new Map<number, Signal[]>();
  for (const v of usable) {
    const inClusters = v.members.filter(isCluster);
    const touched = new Set(inClusters.map((i) => groupOf[i] as number));
    const signal: Signal = { kind: v.kind, key: v.key, referrals: v.members.length };
    if (soleIp(v)) continue;
    if (touched.size >= 2) {
      bridges.add(`${v.kind}:${v.key}`);
      bridging.push({ ...signal, ...placesOf(v.members), clusters: touched.size });
    }
    for (const group of touched) {
      if (inClusters.filter((i) => groupOf[i] === group).length < 2) continue;
      const list = perCluster.get(group) ?? [];
      list.push(signal);
      perCluster.set(group, list);
    }
  }
  const ranked = [...members].flatMap(([group, held]) => {
    if (held.length < 2) return [];
    const signals = (perCluster.get(group) ?? []).filter((s) => !bridges.has(`${s.kind}:${s.key}`));
    const { countries, locatedIn: sentTo } = placesOf(held);
    // Where the centre is: the addresses its own referrals share (not one a single victim saw, not a
    // shared one); a cluster joined by files alone is located wherever its referrals went.
    const ownAddresses = new Set(signals.filter((s) => s.kind !== 'evidence').map((s) => s.key));
    const located = held.filter((i) => ownAddresses.has((rows[i] as Row).ip) || ownAddresses.has(networkOf(rows[i] as Row)));
    const locatedIn = located.length > 0 ? placesOf(located).locatedIn : sentTo;
    const sorted = held.map((i) => rows[i] as Row).sort((a, b) => byId(a.id, b.id));
    return [{ held: sorted, signals, countries, locatedIn, sentTo, involved: new Set([...countries, ...locatedIn]).size }];
  });
  ranked.sort(
    (a, b) =>
      b.involved - a.involved ||
      b.countries.length - a.countries.length ||
      b.held.length - a.held.length ||
      byId(a.held[0]?.id ?? '', b.held[0]?.id ?? ''),
  );
  const flagged: FlaggedValue[] = common
    .filter((v) => !soleIp(v))
    .map((v) => ({
      kind: v.kind,
      key: v.key,
      referrals: v.members.length,
      ...placesOf(v.members),
    }));
  flagged.sort(bySignal);
  bridging.sort(bySignal);
  return {
    threshold,
    scanned: rows.length,
    total: ranked.length,
    clusters: ranked.slice(0, limit).map(
      (c): Cluster => ({
        id: c.held[0]?.id ?? '',
        referrals: c.held.length,
        countries: c.countries,
        locatedIn: c.locatedIn,
        sentTo: c.sentTo,
        signals: c.signals.sort(bySignal),
        referralIds: c.held.slice(0, REFERRAL_IDS_CAP).map((r) => r.id),
      }),
    ),
    flagged: flagged.slice(0, limit),
    bridging: bridging.slice(0, limit),
  };
}
