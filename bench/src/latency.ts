/**
 * Latency of a lone referral on an idle federation (issue #22, target 3): a liaison office and two
 * countries as `firstlight start` processes; one referral at a time is filed through the sender's
 * bureau API, spaced out so the federation is idle each time, and the figure is from the start of the
 * bureau call to the moment the recipient stored it (its `referrals_in.received_at`, read from the
 * recipient's SQLite file after the run, so the measuring never polls the recipient). Both clocks are
 * this machine's. It measures only: it never judges (the table says met or MISSED).
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadIpIndex } from '@firstlight/node';
import { ensureBundle } from '@firstlight/node/bundle';
import { clientFor } from '@firstlight/sim/filing';
import { type NodeProcess, startNodeProcess, stopAll, waitHealthy } from '@firstlight/sim/processes';
import { loadScenario } from '@firstlight/sim/scenario';
import { setupFederation, urlOf } from '@firstlight/sim/setup';

export interface LatencyResult {
  /** Milliseconds from the bureau call's start to the recipient's received_at, in filing order. */
  samples: number[];
  p50: number;
  p95: number;
  max: number;
  /** The bureau call alone (start to answer), median: the part of the figure that is the sender's API. */
  callP50: number;
  /** From the sender's outbox row (created_at) to the recipient's received_at: the delivery path alone. */
  queuedP50: number;
  queuedP95: number;
}

const FROM = 'TH';
const TO = 'KH';

/** `count` lone referrals TH → KH, `spacingMs` apart (more than the outbox's poll, so each finds it idle). */
export async function loneReferralLatency(options: { count: number; spacingMs: number; portBase: number; log?: (s: string) => void }) {
  const log = options.log ?? (() => undefined);
  if (!(await ensureBundle())) throw new Error('could not build the node bundle');
  const root = mkdtempSync(join(tmpdir(), 'firstlight-bench-latency-'));
  const nodes: NodeProcess[] = [];
  try {
    const full = loadScenario(23);
    const scenario = { ...full, countries: full.countries.filter((c) => c.code === FROM || c.code === TO) };
    const { tokens } = await setupFederation(root, options.portBase, scenario);
    const liaison = startNodeProcess('LIAISON', join(root, 'LIAISON'), urlOf(options.portBase, 0));
    nodes.push(liaison);
    // The countries fetch the directory from the office at start: it must be answering first.
    await waitHealthy(liaison);
    const national = scenario.countries.map((c, i) => startNodeProcess(c.code, join(root, c.code), urlOf(options.portBase, i + 1)));
    nodes.push(...national);
    await Promise.all(national.map((n) => waitHealthy(n)));
    const sender = nodes.find((n) => n.party === FROM) as NodeProcess;
    const officer = clientFor(sender.url, tokens[FROM]?.officer as string);

    // The complaints the referrals cite, imported at once before the measuring.
    const imported = await officer.bureau.complaints.createMany.mutate({
      requestId: randomUUID(),
      complaints: Array.from({ length: options.count + 1 }, (_, n) => ({
        victimName: `Synthetic Victim ${n}`,
        victimContact: `synthetic-${n}@example.invalid`,
        amountLost: 10_000,
        currency: 'THB',
        scamType: 'fake_police',
        narrative: 'Synthetic case for the latency benchmark.',
        occurredAt: '2015-06-01',
        reportedAt: '2015-06-02',
        attachments: [{ filename: `call-${n}.txt`, mediaType: 'text/plain', base64: Buffer.from(`call log ${n}`).toString('base64') }],
      })),
    });
    const ranges = loadIpIndex().v4RangesOf(TO);
    const ipOf = (n: number) => {
      const [lo, hi] = ranges[n % ranges.length] as [number, number];
      const x = lo + (n % Math.max(1, hi - lo));
      return `${(x >>> 24) & 255}.${(x >>> 16) & 255}.${(x >>> 8) & 255}.${x & 255}`;
    };
    const refer = (n: number) =>
      officer.bureau.referrals.create.mutate({
        complaintId: imported.ids[n] as string,
        ip: ipOf(n),
        seenAt: '2015-06-01T10:00:00Z',
        evidence: imported.evidence[n] ?? [],
        action: 'locate',
        urgency: 'urgent',
        operation: scenario.operation.id,
      });

    // One warm-up referral (first connections, JIT), not counted.
    await refer(options.count);
    await new Promise((r) => setTimeout(r, options.spacingMs));
    const started = new Map<string, number>();
    const calls: number[] = [];
    log(`filing ${options.count} lone referrals ${FROM} → ${TO}, ${options.spacingMs} ms apart…`);
    for (let n = 0; n < options.count; n++) {
      const t0 = Date.now();
      const p0 = performance.now();
      const { id } = await refer(n);
      calls.push(performance.now() - p0);
      started.set(id, t0);
      await new Promise((r) => setTimeout(r, options.spacingMs));
    }
    await new Promise((r) => setTimeout(r, 2000));
    const ids = [...started.keys()];
    const received = await timesOf(join(root, TO, 'node.db'), 'select received_at as at from referrals_in where id = ?', ids);
    const queued = await timesOf(
      join(root, FROM, 'node.db'),
      `select created_at as at from outbox where message_id = ? and peer = '${TO}'`,
      ids,
    );
    const samples = [...started].map(([id, t0]) => {
      const at = received.get(id);
      if (at === undefined) throw new Error(`referral ${id} did not reach ${TO} within ${options.spacingMs + 2000} ms`);
      return at - t0;
    });
    const delivery = ids.map((id) => (received.get(id) as number) - (queued.get(id) ?? Number.NaN));
    return {
      samples,
      p50: quantile(samples, 0.5),
      p95: quantile(samples, 0.95),
      max: quantile(samples, 1),
      callP50: quantile(calls, 0.5),
      queuedP50: quantile(delivery, 0.5),
      queuedP95: quantile(delivery, 0.95),
    };
  } finally {
    await stopAll(nodes);
    rmSync(root, { recursive: true, force: true });
  }
}

/** The nearest-rank quantile (p95 of 50 samples is the 48th smallest). */
function quantile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] as number;
}

/** A time column (ms) per id, read from a node's SQLite file after the run. */
async function timesOf(file: string, sql: string, ids: string[]): Promise<Map<string, number>> {
  const { default: SQLite } = await import('better-sqlite3');
  const db = new SQLite(file, { readonly: true });
  try {
    const get = db.prepare(sql);
    const out = new Map<string, number>();
    for (const id of ids) {
      const row = get.get(id) as { at: number } | undefined;
      if (row) out.set(id, Number(row.at));
    }
    return out;
  } finally {
    db.close();
  }
}
