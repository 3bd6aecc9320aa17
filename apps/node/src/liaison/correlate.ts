/**
 * The correlation rule of the liaison office, as a pure function over what the office holds of each
 * referral: its address (IP and network) and the digests of its evidence files. It answers which
 * referrals the office believes come from one call centre. The caller (clusters.ts) reads the rows and
 * presents the groups; this module never touches the store and never lets a common value join anything.
 *
 * Why not connected components: one value shared by unrelated cases (a fake-police page circulated by
 * several centres, a VPN exit or shared-hosting address many centres use) chains every centre it touches
 * into one. The rule here, in four passes over values carried by 2..threshold referrals:
 *  1. Cores: two referrals that share TWO signals (the same network or IP, and an evidence file; or two
 *     files) are one centre. One address alone or one file alone is not enough yet.
 *  2. Cores merge through a value carried by at least half of the referrals of each.
 *  3. A referral still alone joins the group its values point to most (share of that group's referrals
 *     carrying them, summed; at least one half).
 *  4. Referrals still alone join each other through values that touch no group.
 * Every join passes one veto: two groups that each have their own dominant evidence file (carried by at
 * least half of its referrals) which the other group never carries are two campaigns, whatever address
 * or file they also share. Measured against the simulation's truth (apps/sim): see docs/ARCHITECTURE.md.
 */
import { ipNetwork } from '@firstlight/protocol';

export type SignalKind = 'ip' | 'network' | 'evidence';

export interface CorrelationRow {
  id: string;
  from_country: string;
  to_country: string;
  ip: string;
  network: string;
}

export interface Value {
  kind: SignalKind;
  key: string;
  /** Row indices carrying the value, ascending. */
  members: number[];
}

export interface Correlation {
  /** Each row's group: the smallest row index of its group. */
  groupOf: Int32Array;
  /** Values carried by at least two rows, at most `threshold` (they may join rows). */
  usable: Value[];
  /** Values carried by more than `threshold` rows (they join nothing). */
  common: Value[];
}

/** Referrals that must carry a file before it marks a campaign of its own (the veto). */
const CAMPAIGN = 3;
const KINDS: SignalKind[] = ['ip', 'network', 'evidence'];
const KIND_ORDER: Record<SignalKind, number> = { ip: 0, network: 1, evidence: 2 };

export const networkOf = (r: CorrelationRow) => r.network || ipNetwork(r.ip) || r.ip;

function collect(rows: CorrelationRow[], digests: Array<{ referral_id: string; digest: string }>): Value[] {
  const index = new Map(rows.map((r, i) => [r.id, i]));
  const by: Record<SignalKind, Map<string, number[]>> = { ip: new Map(), network: new Map(), evidence: new Map() };
  const add = (kind: SignalKind, key: string, i: number) => {
    const list = by[kind].get(key);
    if (!list) by[kind].set(key, [i]);
    else if (list.at(-1) !== i && !list.includes(i)) list.push(i);
  };
  rows.forEach((r, i) => {
    add('ip', r.ip, i);
    add('network', networkOf(r), i);
  });
  for (const d of digests) {
    const i = index.get(d.referral_id);
    if (i !== undefined) add('evidence', d.digest, i);
  }
  const values: Value[] = [];
  for (const kind of KINDS)
    for (const [key, members] of by[kind]) if (members.length > 1) values.push({ kind, key, members: members.sort((a, b) => a - b) });
  // Most specific first: a value few referrals carry says more than one many carry.
  return values.sort((a, b) => a.members.length - b.members.length || KIND_ORDER[a.kind] - KIND_ORDER[b.kind] || (a.key < b.key ? -1 : 1));
}

/** Groups with their sizes and evidence tallies, merged small into large. */
function groups(size: number, evidenceOf: number[][]) {
  const parent = Int32Array.from({ length: size }, (_, i) => i);
  const count = new Int32Array(size).fill(1);
  const files = evidenceOf.map((list) => new Map(list.map((d) => [d, 1])));
  const find = (i: number): number => {
    let root = i;
    while (parent[root] !== root) root = parent[root] as number;
    for (let n = i; parent[n] !== root; ) {
      const next = parent[n] as number;
      parent[n] = root;
      n = next;
    }
    return root;
  };
  // A group's campaigns: the files that dominated each part it was made of (half its referrals or more).
  // They are kept through merges, so a group that absorbed a wrong part can never hide its campaigns.
  const campaigns = evidenceOf.map((list) => new Set(list));
  const rare = (file: number, root: number) => ((files[root] as Map<number, number>).get(file) ?? 0) * 4 < (count[root] as number);
  /** The veto: each group has a campaign the other hardly carries (in under a quarter of its referrals). */
  const apart = (a: number, b: number) =>
    [...(campaigns[a] as Set<number>)].some((f) => rare(f, b)) && [...(campaigns[b] as Set<number>)].some((f) => rare(f, a));
  const join = (x: number, y: number): boolean => {
    let a = find(x);
    let b = find(y);
    if (a === b) return true;
    if (apart(a, b)) return false;
    if ((count[a] as number) < (count[b] as number)) [a, b] = [b, a];
    const into = files[a] as Map<number, number>;
    for (const root of [a, b]) {
      const half = (count[root] as number) / 2;
      for (const [d, n] of files[root] as Map<number, number>) if (n >= half) campaigns[a]?.add(d);
    }
    for (const [d, n] of files[b] as Map<number, number>) into.set(d, (into.get(d) ?? 0) + n);
    for (const d of campaigns[b] as Set<number>) campaigns[a]?.add(d);
    files[b] = new Map();
    campaigns[b] = new Set();
    parent[b] = a;
    count[a] = (count[a] as number) + (count[b] as number);
    return true;
  };
  return { find, join, sizeOf: (i: number) => count[find(i)] as number };
}

export function correlate(rows: CorrelationRow[], digests: Array<{ referral_id: string; digest: string }>, threshold: number): Correlation {
  const all = collect(rows, digests);
  const usable = all.filter((v) => v.members.length <= threshold);
  const common = all.filter((v) => v.members.length > threshold);
  // Files are numbered; only usable ones count (a file one referral carries says nothing of others).
  const fileNo = new Map<string, number>();
  const evidenceOf: number[][] = rows.map(() => []);
  const signalsOf: number[][] = rows.map(() => []);
  const isSignal: boolean[] = [];
  const usableNetworks = new Set(usable.filter((v) => v.kind === 'network').map((v) => v.key));
  usable.forEach((v, s) => {
    // A file counts for the veto once three referrals carry it: two may be one victim reporting twice.
    if (v.kind === 'evidence' && v.members.length >= CAMPAIGN) {
      const f = fileNo.size;
      fileNo.set(v.key, f);
      for (const m of v.members) (evidenceOf[m] as number[]).push(f);
    }
    // An address is one signal: its network when the network is usable, else the IP itself.
    const signal = v.kind !== 'ip' || v.members.every((m) => !usableNetworks.has(networkOf(rows[m] as CorrelationRow)));
    isSignal[s] = signal;
    if (signal) for (const m of v.members) (signalsOf[m] as number[]).push(s);
  });
  const g = groups(rows.length, evidenceOf);

  // 1. Cores: pairs sharing two signals.
  for (let i = 0; i < rows.length; i += 1) {
    const shared = new Map<number, number>();
    for (const s of signalsOf[i] as number[])
      for (const j of (usable[s] as Value).members) if (j > i) shared.set(j, (shared.get(j) ?? 0) + 1);
    for (const [j, n] of shared) if (n >= 2) g.join(i, j);
  }

  // 2. Cores merge through a value that covers half of each, or through two values they both carry.
  const linked = new Map<string, Set<number>>();
  for (const [s, v] of usable.entries()) {
    const tally = new Map<number, number>();
    for (const m of v.members) tally.set(g.find(m), (tally.get(g.find(m)) ?? 0) + 1);
    const cores = [...tally].filter(([root]) => g.sizeOf(root) >= 2);
    const covered = cores.filter(([root, n]) => n >= g.sizeOf(root) / 2).map(([root]) => root);
    for (const root of covered.slice(1)) g.join(covered[0] as number, root);
    if (!isSignal[s]) continue;
    for (const [a] of cores)
      for (const [b] of cores) {
        if (a >= b) continue;
        const key = `${a}:${b}`;
        linked.set(key, (linked.get(key) ?? new Set()).add(s));
      }
  }
  for (const [key, values] of linked) {
    if (values.size < 2) continue;
    const [a, b] = key.split(':').map(Number) as [number, number];
    g.join(a, b);
  }

  // 3. A lone referral joins the group its values point to most.
  const lone = (i: number) => g.sizeOf(i) === 1;
  const valuesOf: number[][] = rows.map(() => []);
  usable.forEach((v, s) => {
    for (const m of v.members) valuesOf[m]?.push(s);
  });
  for (let i = 0; i < rows.length; i += 1) {
    if (!lone(i)) continue;
    const score = new Map<number, number>();
    for (const s of valuesOf[i] as number[]) {
      const tally = new Map<number, number>();
      for (const m of (usable[s] as Value).members) if (!lone(m)) tally.set(g.find(m), (tally.get(g.find(m)) ?? 0) + 1);
      for (const [root, n] of tally) score.set(root, (score.get(root) ?? 0) + n / g.sizeOf(root));
    }
    // At least half a group's worth of pointing, or every value pointing to that one group alone.
    const best = [...score].filter(([, x]) => x >= 0.5 || score.size === 1).sort((a, b) => b[1] - a[1] || a[0] - b[0]);
    for (const [root] of best) if (g.join(root, i)) break;
  }

  // 4. Lone referrals join each other through values no group holds.
  const aloneBefore = Array.from({ length: rows.length }, (_, i) => lone(i));
  for (const v of usable) {
    if (!v.members.every((m) => aloneBefore[m])) continue;
    const first = v.members[0] as number;
    for (const m of v.members.slice(1)) g.join(first, m);
  }

  const groupOf = new Int32Array(rows.length);
  const smallest = new Map<number, number>();
  for (let i = 0; i < rows.length; i += 1) if (!smallest.has(g.find(i))) smallest.set(g.find(i), i);
  for (let i = 0; i < rows.length; i += 1) groupOf[i] = smallest.get(g.find(i)) as number;
  return { groupOf, usable, common };
}
