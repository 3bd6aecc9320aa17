import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Gauge } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningNode } from '../src/node.js';
import { createTestFederation, type TestFederation } from '../src/testing/federation.js';
import { CANARY, ipIn, refer, signReferral } from '../src/testing/fixtures.js';
import { refusal } from './helpers/refusal.js';

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Parses the Prometheus text exposition format strictly: any line that is not HELP, TYPE or a sample fails. */
function parseExposition(text: string): { samples: Sample[]; types: Map<string, string> } {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const help = /^# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) .+$/.exec(line);
    if (help) continue;
    const type = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$/.exec(line);
    if (type) {
      types.set(type[1] as string, type[2] as string);
      continue;
    }
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (-?[0-9.e+-]+|NaN|\+Inf|-Inf)$/.exec(line);
    if (!sample) throw new Error(`not Prometheus text format: ${JSON.stringify(line)}`);
    const labels: Record<string, string> = {};
    for (const pair of (sample[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g))
      labels[pair[1] as string] = pair[2] as string;
    samples.push({ name: sample[1] as string, labels, value: Number(sample[3]) });
  }
  return { samples, types };
}

/** Metrics readers' tokens by party (auditor at a bureau, admin at the liaison office); they outlive a restart. */
const readers = new Map<string, string>();

async function scrape(node: RunningNode, init: RequestInit = {}) {
  const token = readers.get(node.ctx.config.party);
  const response = await fetch(`${node.url}/metrics`, { headers: token ? { authorization: `Bearer ${token}` } : {}, ...init });
  const text = await response.text();
  return { status: response.status, contentType: response.headers.get('content-type'), text };
}

function value(samples: Sample[], name: string, labels: Record<string, string>): number | undefined {
  return samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
}

describe('Prometheus metrics at /metrics', () => {
  let f: TestFederation;
  let officer: string;
  let sent: { id: string; jws: string };
  beforeAll(async () => {
    f = await createTestFederation({ countries: ['TH', 'KH'] });
    officer = await f.token(f.node('TH'), 'officer');
    sent = await refer(f, f.node('TH'), officer, 'KH');
    const client = f.client(f.node('TH'), officer);
    await f.until(async () => (await client.bureau.referrals.get.query({ id: sent.id })).delivery.every((d) => d.state === 'delivered'));
    for (const node of [f.node('TH'), f.node('KH')]) readers.set(node.ctx.config.party, await f.token(node, 'auditor'));
    readers.set(f.liaison.ctx.config.party, await f.token(f.liaison, 'admin'));
  });

  it('answers only a token that may read operational figures: 401 without one, 403 for an officer', async () => {
    const th = f.node('TH');
    const answer = async (headers: Record<string, string>) => {
      const response = await fetch(`${th.url}/metrics`, { headers });
      return { status: response.status, body: (await response.json()) as { error: { code: string } } };
    };
    expect(await answer({})).toMatchObject({ status: 401, body: { error: { code: 'ERR_UNAUTHORIZED' } } });
    expect(await answer({ authorization: 'Bearer flt_not-a-token' })).toMatchObject({
      status: 401,
      body: { error: { code: 'ERR_UNAUTHORIZED' } },
    });
    expect(await answer({ authorization: `Bearer ${officer}` })).toMatchObject({ status: 403, body: { error: { code: 'ERR_FORBIDDEN' } } });
    expect((await scrape(th)).status).toBe(200);
  });
  afterAll(() => f.close());

  it('serves the text exposition format, counting the messages sent and received after a delivery', async () => {
    const th = await scrape(f.node('TH'));
    expect(th.status).toBe(200);
    expect(th.contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    const { samples, types } = parseExposition(th.text);
    expect(types.get('firstlight_messages_total')).toBe('counter');
    expect(types.get('firstlight_rejections_total')).toBe('counter');
    expect(types.get('firstlight_outbox_depth')).toBe('gauge');
    expect(types.get('firstlight_delivery_seconds')).toBe('histogram');
    for (const peer of ['KH', 'LIAISON']) {
      expect(value(samples, 'firstlight_messages_total', { direction: 'out', type: 'referral', outcome: 'accepted', party: 'TH' })).toBe(2);
      expect(value(samples, 'firstlight_delivery_seconds_count', { peer, party: 'TH' }), peer).toBe(1);
    }
    const kh = parseExposition((await scrape(f.node('KH'))).text).samples;
    expect(value(kh, 'firstlight_messages_total', { direction: 'in', type: 'referral', outcome: 'accepted', party: 'KH' })).toBe(1);
  });

  it('counts an incoming rejection by its code', async () => {
    const now = Math.floor(Date.now() / 1000);
    const jws = await signReferral(f.node('TH').ctx.keys.signingKey(now), {
      from: 'TH',
      to: 'KH',
      iat: now,
      ip: ipIn(f, 'KH', 3),
      evidence: [`sha256:${'ef'.repeat(32)}`],
    });
    const [h, p, s] = jws.split('.');
    const payload = JSON.parse(Buffer.from(p ?? '', 'base64url').toString()) as Record<string, unknown>;
    const tampered = `${h}.${Buffer.from(JSON.stringify({ ...payload, action: 'arrest' })).toString('base64url')}.${s}`;
    const response = await fetch(`${f.node('KH').url}/trpc/federation.deliver`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ envelopes: [tampered] }),
    });
    expect(response.status).toBe(200);
    const kh = parseExposition((await scrape(f.node('KH'))).text).samples;
    expect(value(kh, 'firstlight_rejections_total', { direction: 'in', code: 'ERR_SIGNATURE_INVALID' })).toBe(1);
    expect(value(kh, 'firstlight_messages_total', { direction: 'in', type: 'referral', outcome: 'rejected' })).toBe(1);
  });

  it('shows the outbox depth toward a peer that is down, and back to zero once it has been delivered', async () => {
    await f.node('KH').stop();
    const queued = await refer(f, f.node('TH'), officer, 'KH', { offset: 20 });
    const client = f.client(f.node('TH'), officer);
    await f.until(async () => {
      const { samples } = parseExposition((await scrape(f.node('TH'))).text);
      return value(samples, 'firstlight_outbox_depth', { peer: 'KH' }) === 1;
    });
    await f.restart('KH');
    await f.until(async () => (await client.bureau.referrals.get.query({ id: queued.id })).delivery.every((d) => d.state === 'delivered'));
    await f.until(async () => {
      const { samples } = parseExposition((await scrape(f.node('TH'))).text);
      return value(samples, 'firstlight_outbox_depth', { peer: 'KH' }) === 0;
    }, 5_000);
  });

  it('never exposes tokens, keys, personal data, IPs or message ids', async () => {
    const secrets = [officer, await f.token(f.node('TH'), 'admin'), CANARY.name, CANARY.contact, CANARY.narrative, sent.id, ipIn(f, 'KH')];
    for (const node of [f.node('TH'), f.node('KH'), f.liaison]) {
      const keyDir = join(node.ctx.dataDir, 'keys');
      for (const file of readdirSync(keyDir).filter((n) => n.endsWith('.pem'))) {
        const pem = readFileSync(join(keyDir, file), 'utf8');
        secrets.push(pem.split('\n').filter((l) => l && !l.startsWith('-----'))[0] ?? pem, file.replace(/\.pem$/, ''));
      }
    }
    for (const node of [f.node('TH'), f.node('KH'), f.liaison]) {
      const { status, text } = await scrape(node);
      expect(status).toBe(200);
      for (const secret of secrets) expect(text, `${node.ctx.config.party} leaks ${secret.slice(0, 12)}…`).not.toContain(secret);
    }
  });

  it('gives the same counters to an auditor over bureau.metrics, and refuses an officer', async () => {
    const auditor = await f.token(f.node('TH'), 'auditor');
    const json = await f.client(f.node('TH'), auditor).bureau.metrics.query();
    const messages = json.metrics.find((m) => m.name === 'firstlight_messages_total');
    expect(messages?.values.some((v) => v.labels.direction === 'out' && v.labels.outcome === 'accepted' && v.value >= 2)).toBe(true);
    expect(await refusal(f.client(f.node('TH'), officer).bureau.metrics.query())).toMatchObject({ status: 403, code: 'ERR_FORBIDDEN' });
    expect(await refusal(f.client(f.node('TH')).bureau.metrics.query())).toMatchObject({ status: 401, code: 'ERR_UNAUTHORIZED' });
  });

  it('answers a failing collector with a 500 and a stable code, and keeps serving', async () => {
    const node = f.node('KH');
    new Gauge({
      name: 'firstlight_test_broken',
      help: 'a collector that fails',
      registers: [node.ctx.metrics.registry],
      collect() {
        throw new Error('collector exploded at /secret/path.ts:12');
      },
    });
    try {
      const failed = await scrape(node);
      expect(failed.status).toBe(500);
      expect(failed.text).not.toContain('/secret/path');
      expect(JSON.parse(failed.text)).toMatchObject({ error: { code: 'ERR_INTERNAL' } });
    } finally {
      node.ctx.metrics.registry.removeSingleMetric('firstlight_test_broken');
    }
    expect((await scrape(node)).status).toBe(200);
  });
});
