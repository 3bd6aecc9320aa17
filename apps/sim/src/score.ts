/**
 * Scores the liaison office's suspected call centres against the simulation's truth, by pairs of
 * referrals: precision is the share of pairs the office put together that truly share a centre, recall
 * the share of truly related pairs the office put together (a referral alone is a group of one). Only
 * referrals the simulation filed are scored: one a person files has no truth. Never reads the store.
 */

export interface Merge {
  cluster: string;
  referrals: number;
  /** The true centres inside, largest first: centre id, its country, how many of its referrals. */
  centres: Array<{ centre: number; country: string; referrals: number }>;
}

export interface Score {
  method: 'pairwise';
  precision: number;
  recall: number;
  /** True centres with at least two filed referrals (a centre seen once cannot be found by correlation). */
  truth: number;
  /** Suspected call centres the office lists. */
  found: number;
  /** Suspected centres located in exactly one country. */
  inOneCountry: number;
  worstMerges: Merge[];
}

const pairs = (n: number) => (n * (n - 1)) / 2;
const round = (x: number) => Math.round(x * 1000) / 1000;

export function score(
  clusters: Array<{ id: string; referralIds: string[]; locatedIn: string[] }>,
  centreOf: Map<string, number>,
  countryOf: (centre: number) => string,
): Score {
  const bySize = new Map<number, number>();
  for (const centre of centreOf.values()) bySize.set(centre, (bySize.get(centre) ?? 0) + 1);
  const truePairs = [...bySize.values()].reduce((n, k) => n + pairs(k), 0);
  let foundPairs = 0;
  let agreed = 0;
  const merges: Array<Merge & { wrong: number }> = [];
  for (const cluster of clusters) {
    const inside = new Map<number, number>();
    for (const id of cluster.referralIds) {
      const centre = centreOf.get(id);
      if (centre !== undefined) inside.set(centre, (inside.get(centre) ?? 0) + 1);
    }
    const size = [...inside.values()].reduce((a, b) => a + b, 0);
    const right = [...inside.values()].reduce((n, k) => n + pairs(k), 0);
    foundPairs += pairs(size);
    agreed += right;
    if (inside.size > 1)
      merges.push({
        cluster: cluster.id,
        referrals: size,
        wrong: pairs(size) - right,
        centres: [...inside]
          .sort((a, b) => b[1] - a[1] || a[0] - b[0])
          .map(([centre, referrals]) => ({ centre, country: countryOf(centre), referrals })),
      });
  }
  return {
    method: 'pairwise',
    precision: round(foundPairs === 0 ? 1 : agreed / foundPairs),
    recall: round(truePairs === 0 ? 1 : agreed / truePairs),
    truth: [...bySize.values()].filter((k) => k >= 2).length,
    found: clusters.length,
    inOneCountry: clusters.filter((c) => c.locatedIn.length === 1).length,
    worstMerges: merges
      .sort((a, b) => b.wrong - a.wrong || a.cluster.localeCompare(b.cluster))
      .slice(0, 3)
      .map(({ wrong: _, ...m }) => m),
  };
}
