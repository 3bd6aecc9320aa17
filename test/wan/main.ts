/**
 * `pnpm wan` (root): the federation across separate hosts. A liaison office and three countries, each
 * in its own network namespace with its own address, exchange referrals over mutual TLS with 3 % of
 * packets dropped, then through a relay adding latency (no netem in this kernel), then with one host
 * cut off for 60 s and healed. Checks: every referral in its recipient's inbox exactly once, every
 * status back, a host outside the directory refused at the TLS handshake, and a capture of the WAN
 * links holding none of the referrals' IPs, digests or JSON member names in clear (the same scan of
 * the operators' plain-HTTP LAN must find them). Ends with one JSON line of figures; exit 1 on a
 * failed check. Cleans up every flwan-* namespace it made, also on failure.
 */

import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTlsIdentity, loadIpIndex } from '@firstlight/node';
import { ensureBundle } from '@firstlight/node/bundle';
import { findInClear, startCapture } from './capture.js';
import { awaitInboxes, exactlyOnce, latencies, percentile, refer, type Sent, statusesBack } from './exchange.js';
import { BRIDGE_IP, createBridge, createHost, type Host, partition, setLoss, teardown } from './netns.js';
import { FEDERATION_PORT, serialOf, setUp, startProcess, stopProcess, until, type WanNode } from './nodes.js';
import { type Relay, startRelay } from './relay.js';

const LOSS_PERCENT = 3;
const RELAY_DELAY_MS = 75; // each direction: 150 ms added to every round trip
const PARTITION_MS = 60_000;
const COUNTRIES = ['TH', 'KH', 'VN'];
const log = (line: string) => process.stderr.write(`wan: ${line}\n`);

if (process.getuid?.() !== 0) {
  process.stderr.write('pnpm wan needs root (network namespaces, nftables, tshark)\n');
  process.exit(2);
}

// ip and nft live in /usr/sbin on Debian, which a shell without root's login PATH (env -i, cron, some CI
// runners) does not search: `ip netns exec … nft` failed there with "No such file or directory".
const path = (process.env.PATH ?? '').split(':');
for (const dir of ['/usr/sbin', '/sbin']) if (!path.includes(dir)) path.push(dir);
process.env.PATH = path.filter(Boolean).join(':');

const root = mkdtempSync(join(tmpdir(), 'firstlight-wan-'));
const failures: string[] = [];
const check = (ok: boolean, what: string) => {
  if (!ok) failures.push(what);
  log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
};
let nodes: WanNode[] = [];
const relays: Relay[] = [];
const started = Date.now();
try {
  teardown();
  createBridge();
  const hosts = ['LIAISON', ...COUNTRIES].map((name, i) => createHost(name, i + 1));
  const stranger = createHost('STRANGER', 9);
  await ensureBundle();
  nodes = await setUp(
    root,
    hosts[0] as Host,
    COUNTRIES.map((party, i) => ({ party, host: hosts[i + 1] as Host })),
  );
  const byParty = (p: string) => nodes.find((n) => n.party === p) as WanNode;
  const national = nodes.slice(1);
  const liaison = byParty('LIAISON');
  for (const n of nodes) startProcess(n);
  await Promise.all(nodes.map((n) => until(`${n.party} healthy with a directory`, () => serialOf(n), 120_000, 250)));
  log(`${nodes.length} nodes up in ${((Date.now() - started) / 1000).toFixed(1)} s`);

  const wanCapture = await startCapture(hosts.map((h) => h.wanVeth).concat(stranger.wanVeth), join(root, 'wan.pcap'));
  const lanCapture = await startCapture(
    hosts.map((h) => h.lanVeth),
    join(root, 'lan.pcap'),
  );
  for (const h of hosts) setLoss(h, LOSS_PERCENT);
  const index = loadIpIndex();
  const all: Sent[] = [];
  const round = async (label: string, perPair: number) => {
    const sent: Sent[] = [];
    for (let k = 0; k < perPair; k++)
      for (const from of national) for (const to of COUNTRIES.filter((c) => c !== from.party)) sent.push(await refer(from, to, index));
    await awaitInboxes(national, sent, 120_000);
    await statusesBack(nodes, sent, 120_000);
    all.push(...sent);
    log(`${label}: ${sent.length} referrals delivered, statuses back`);
    return sent;
  };

  // 1. Direct links, 3 % loss.
  const direct = await round('direct', 2);

  // 2. The same through relays holding each chunk 75 ms each way: members' endpoints republished.
  const admin = liaison.client;
  const publishEndpoints = async (endpointOf: (n: WanNode) => string) => {
    for (const n of national)
      await admin.liaison.directory.addMember.mutate({
        country: n.party,
        name: n.party,
        endpoint: endpointOf(n),
        jwk: n.jwk,
        tlsPins: [n.tlsPin],
      });
    const { serial } = await admin.liaison.directory.publish.mutate({});
    await until('every node on the new directory', async () => (await Promise.all(nodes.map(serialOf))).every((s) => (s ?? 0) >= serial));
  };
  const relayOf = new Map<string, Relay>();
  for (const n of national) {
    const relay = await startRelay(BRIDGE_IP, { host: n.host.wan, port: FEDERATION_PORT }, RELAY_DELAY_MS);
    relays.push(relay);
    relayOf.set(n.party, relay);
  }
  await publishEndpoints((n) => `https://${BRIDGE_IP}:${relayOf.get(n.party)?.port}`);
  const delayed = await round(`latency (+${2 * RELAY_DELAY_MS} ms round trip)`, 2);
  await publishEndpoints((n) => n.federationUrl);

  // 3. KH cut off for 60 s while the others refer to it; then healed.
  const cut = byParty('KH');
  partition(cut.host);
  const backlog: Sent[] = [];
  for (const from of national.filter((n) => n !== cut)) for (let k = 0; k < 3; k++) backlog.push(await refer(from, 'KH', index));
  log(`KH partitioned; ${backlog.length} referrals queued toward it`);
  await new Promise((r) => setTimeout(r, Math.max(0, PARTITION_MS - (Date.now() - (backlog[0]?.referredAt ?? Date.now())))));
  setLoss(cut.host, LOSS_PERCENT);
  const healedAt = Date.now();
  await awaitInboxes([cut], backlog, 600_000);
  const recoveryMs = Math.max(...backlog.map((s) => (s.receivedAt ?? 0) - healedAt));
  await statusesBack(nodes, backlog, 600_000);
  all.push(...backlog);
  log(`KH healed: backlog in its inbox ${recoveryMs} ms after the heal`);

  // Checks.
  const problems = await exactlyOnce(national, all);
  check(
    problems.length === 0,
    `every referral (${all.length}) in its recipient's inbox exactly once${problems.length ? `: ${problems.join('; ')}` : ''}`,
  );
  const overview = await admin.liaison.overview.query({});
  check(
    overview.headline.referrals === all.length,
    `the liaison office holds a copy of each (${overview.headline.referrals}/${all.length})`,
  );

  const id = createTlsIdentity('stranger');
  writeFileSync(join(root, 'stranger-key.pem'), id.keyPem, { mode: 0o600 });
  writeFileSync(join(root, 'stranger-cert.pem'), id.certPem);
  const script = fileURLToPath(new URL('./stranger.mjs', import.meta.url));
  const knocks = nodes.map((n) => {
    const out = execFileSync(
      'ip',
      [
        'netns',
        'exec',
        stranger.ns,
        process.execPath,
        script,
        n.host.wan,
        String(FEDERATION_PORT),
        join(root, 'stranger-key.pem'),
        join(root, 'stranger-cert.pem'),
      ],
      { encoding: 'utf8' },
    );
    return { party: n.party, ...(JSON.parse(out) as { handshake: boolean; answer: string; error: string | null }) };
  });
  check(
    knocks.every((k) => k.answer === ''),
    `a host outside the directory gets no HTTP answer from any member (${knocks.map((k) => `${k.party}: ${k.answer === '' ? 'closed at handshake' : 'ANSWERED'}`).join(', ')})`,
  );

  await wanCapture.stop();
  await lanCapture.stop();
  const needles = [
    ...all.map((s) => s.ip),
    ...all.map((s) => s.digest.slice('sha256:'.length)),
    '"envelopes"',
    '"receiptBatch"',
    '"seenAt"',
    '"evidence"',
    'federation.deliver',
    'eyJhbGciOiJFZERTQSIs', // the start of every JWS header: a signed message in clear
  ];
  const wan = findInClear(wanCapture.file, needles);
  check(
    wan.found.length === 0 && wan.bytes > 10_000,
    `WAN capture (${wan.streams} TCP streams, ${wan.bytes} payload bytes): nothing in clear${wan.found.length ? ` — FOUND ${wan.found.slice(0, 5).join(', ')}` : ''}`,
  );
  const lan = findInClear(lanCapture.file, needles);
  check(
    lan.found.some((n) => all.some((s) => s.ip === n)),
    `control: the same scan finds referral IPs in the operators' plain-HTTP LAN capture (${lan.found.length} needles)`,
  );

  const figures = {
    hosts: hosts.length,
    referrals: all.length,
    lossPercent: LOSS_PERCENT,
    referToInboxMs: {
      direct: { p50: percentile(latencies(direct), 50), p95: percentile(latencies(direct), 95) },
      addedLatency: { rttAddedMs: 2 * RELAY_DELAY_MS, p50: percentile(latencies(delayed), 50), p95: percentile(latencies(delayed), 95) },
    },
    partition: { seconds: PARTITION_MS / 1000, backlog: backlog.length, recoveryMsAfterHeal: recoveryMs, within5s: recoveryMs <= 5000 },
    strangerRefused: knocks.every((k) => k.answer === ''),
    clearTextFound: wan.found.length,
    checksFailed: failures.length,
    seconds: Math.round((Date.now() - started) / 1000),
  };
  process.stdout.write(`${JSON.stringify(figures)}\n`);
} catch (error) {
  failures.push(error instanceof Error ? error.message : String(error));
  log(`FAIL ${error instanceof Error ? error.stack : String(error)}`);
  log(`node logs kept in ${root}`);
} finally {
  for (const r of relays) await r.close();
  await Promise.all(nodes.map(stopProcess));
  teardown();
  if (failures.length === 0) rmSync(root, { recursive: true, force: true });
}
process.exit(failures.length === 0 ? 0 : 1);
