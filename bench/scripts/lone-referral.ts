// Latency of a lone referral on an idle federation (liaison office + TH + KH as processes): from the
// bureau call's start to the recipient's received_at. tsx scripts/lone-referral.ts [count] [spacingMs] [portBase]
import { loneReferralLatency } from '../src/latency.js';

const count = Number(process.argv[2] ?? 50);
const spacingMs = Number(process.argv[3] ?? 400);
const portBase = Number(process.argv[4] ?? 10_500);
const r = await loneReferralLatency({ count, spacingMs, portBase, log: (s) => console.error(s) });
const f = (x: number) => x.toFixed(1);
console.log(
  `${count} lone referrals TH → KH: p50 ${f(r.p50)} ms, p95 ${f(r.p95)} ms, max ${f(r.max)} ms (bureau call alone p50 ${f(r.callP50)} ms; outbox row to inbox p50 ${f(r.queuedP50)} ms, p95 ${f(r.queuedP95)} ms)`,
);
console.log(`samples: ${r.samples.map((s) => s.toFixed(0)).join(' ')}`);
