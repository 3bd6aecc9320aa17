/**
 * The lifecycle floor (issue #22, target 1): the least CPU one referral's lifecycle can cost on this
 * machine as the federation runs it. Every Ed25519 signature and verification the lifecycle needs, and
 * every row it must write durably, at the seal and transaction sizes the federation reached
 * (federation-shape.ts). It uses node:crypto and better-sqlite3 directly and nothing of firstlight: the
 * floor is what the work needs, not what our code costs. CPU time (process.cpuUsage: every thread of
 * this process, SQLite's included), never wall time. What it counts and what it leaves out is listed in
 * bench/README.md ("The lifecycle floor"); floor-rows.ts holds the rows.
 */
import { createHash, generateKeyPairSync, hash, type KeyObject, randomBytes, sign, verify } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Deliveries, LifecycleShape } from './federation-shape.js';
import { PartyStore } from './floor-rows.js';

export interface Party {
  code: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** The protected header (alg, kid, typ) by typ, base64url: the same for every message of a kind. */
  header: (typ: string) => string;
}

export interface Message {
  id: string;
  kind: 'referral' | 'status';
  from: Party;
  to: Party;
  /** The referral a status is about (its own id for a referral). */
  referral: string;
  state: string | null;
  payload: Record<string, unknown>;
  jws: string;
  digest: string;
}

/** A signed object kept by its digest (a seal, a receipt batch). */
export interface Signed {
  jws: string;
  digest: string;
}

export type Step =
  /** One signing transaction: a bureau's bulk call (filing referrals, or moving statuses on). */
  | { kind: 'sign'; signer: Party; messages: Message[] }
  /** One delivery: sealed when it carries two or more envelopes, answered by one receipt batch. */
  | { kind: 'deliver'; from: Party; to: Party; messages: Message[]; seal: Signed | null; batch: Signed | null };

export interface LifecycleFloor {
  /** CPU per referral, µs: the whole floor, then its cryptography and its rows. */
  us: number;
  cryptoUs: number;
  rowsUs: number;
  /**
   * Per referral, what the floor did: Ed25519 signatures (the messages, the seals, the receipt batches),
   * verifications (per delivery: its seal or lone envelope by the recipient, its receipt batch by the
   * sender), SHA-256 digests, rows written (inserted or updated) and transactions committed.
   */
  signatures: number;
  seals: number;
  receiptBatches: number;
  verifications: number;
  digests: number;
  rows: number;
  transactions: number;
  /** One Ed25519 signature and one verification of a referral-sized message here, µs (measured on their own). */
  signUs: number;
  verifyUs: number;
  referrals: number;
  rounds: number;
}

const IAT = 1_750_000_000;
const STATES = ['acknowledged', 'in_progress', 'located', 'action_taken', 'closed'];
const OUTCOME = { suspectsIdentified: 3, arrests: 2, premisesSearched: 1, callCentresDismantled: 0 };

function party(code: string): Party {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const kid = createHash('sha256')
    .update(publicKey.export({ format: 'der', type: 'spki' }))
    .digest('base64url');
  const headers = new Map<string, string>();
  return {
    code,
    privateKey,
    publicKey,
    header(typ) {
      const held = headers.get(typ);
      if (held !== undefined) return held;
      const h = Buffer.from(JSON.stringify({ alg: 'EdDSA', kid, typ })).toString('base64url');
      headers.set(typ, h);
      return h;
    },
  };
}

/**
 * Ids laid out as UUIDv7 (time, then a counter here): keys a table appends to, as the node's message
 * ids are. Random keys (v4) would scatter every insert over the B-tree and cost twice as much per row.
 */
function idSource(): () => string {
  const base = Date.now();
  let n = 0;
  return () => {
    const hex = `${(base + Math.floor(n / 4096)).toString(16).padStart(12, '0')}7${(n % 4096).toString(16).padStart(3, '0')}${randomBytes(8).toString('hex')}`;
    n++;
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
  };
}

const b64 = (payload: unknown) => Buffer.from(JSON.stringify(payload)).toString('base64url');
const digestOf = (text: string) => `sha256:${hash('sha256', text)}`;

/** Measures the floor at the federation's shape: `referrals` lifecycles per round, the median round kept. */
export async function lifecycleFloor(shape: LifecycleShape, options: { referrals: number; rounds: number }): Promise<LifecycleFloor> {
  once(shape, Math.min(200, options.referrals)); // warm-up: steady state only, as the crypto figures
  const runs = Array.from({ length: options.rounds }, () => once(shape, options.referrals));
  runs.sort((a, b) => a.us - b.us);
  const median = runs[Math.floor(runs.length / 2)] as Omit<LifecycleFloor, 'signUs' | 'verifyUs' | 'rounds'>;
  return { ...median, ...edCosts(), rounds: options.rounds };
}

function once(shape: LifecycleShape, referrals: number): Omit<LifecycleFloor, 'signUs' | 'verifyUs' | 'rounds'> {
  const [origin, recipient, office] = [party('TH'), party('KH'), party('LIAISON')] as [Party, Party, Party];
  const steps = plan(shape, referrals, origin, recipient, office);
  const root = mkdtempSync(join(tmpdir(), 'firstlight-bench-floor-'));
  const stores = new Map([origin, recipient, office].map((p) => [p, new PartyStore(join(root, `${p.code}.db`), p.code)]));
  try {
    const c0 = process.cpuUsage();
    const crypto = signAndVerify(steps);
    const c1 = process.cpuUsage(c0);
    const r0 = process.cpuUsage();
    for (const step of steps) writeStep(stores, step);
    for (const store of stores.values()) store.checkpoint();
    const r1 = process.cpuUsage(r0);
    const per = (x: number) => x / referrals;
    const rows = [...stores.values()].reduce((n, s) => n + s.rows, 0);
    const transactions = [...stores.values()].reduce((n, s) => n + s.transactions, 0);
    const cryptoUs = per(c1.user + c1.system);
    const rowsUs = per(r1.user + r1.system);
    return {
      us: cryptoUs + rowsUs,
      cryptoUs,
      rowsUs,
      signatures: per(crypto.signatures),
      seals: per(crypto.seals),
      receiptBatches: per(crypto.receiptBatches),
      verifications: per(crypto.verifications),
      digests: per(crypto.digests),
      rows: per(rows),
      transactions: per(transactions),
      referrals,
    };
  } finally {
    for (const store of stores.values()) store.close();
    rmSync(root, { recursive: true, force: true });
  }
}

/**
 * The lifecycle as the federation runs it: the origin files its referrals (transactions of the filing
 * calls' size) and delivers each to its recipient and a copy to the liaison office; the recipient then
 * moves them on, one status per referral a round (transactions of the status calls' size), each
 * delivered to the origin and copied to the office. Deliveries carry the federation's envelopes per
 * delivery, as many of them unsealed (one envelope) as there were.
 */
export function plan(shape: LifecycleShape, referrals: number, origin: Party, recipient: Party, office: Party): Step[] {
  const steps: Step[] = [];
  const nextId = idSource();
  const message = (kind: Message['kind'], from: Party, to: Party, referral: string | null, state: string | null): Message => {
    const id = nextId();
    const payload =
      kind === 'referral'
        ? {
            v: 1,
            id,
            from: from.code,
            to: to.code,
            iat: IAT,
            exp: IAT + 2_592_000,
            ip: `1.32.${id.charCodeAt(0)}.${id.charCodeAt(1)}`,
            seenAt: '2015-06-01T10:00:00Z',
            evidence: [digestOf(id)],
            action: 'locate',
            urgency: 'urgent',
            operation: 'first-light-2015',
          }
        : {
            v: 1,
            id,
            from: from.code,
            to: to.code,
            iat: IAT,
            referral,
            state,
            ...(state === 'action_taken' || state === 'closed' ? { outcome: OUTCOME } : {}),
          };
    return { id, kind, from, to, referral: referral ?? id, state, payload, jws: '', digest: '' };
  };
  const phase = (signer: Party, to: Party, messages: Message[], batch: number) => {
    for (let i = 0; i < messages.length; i += batch) steps.push({ kind: 'sign', signer, messages: messages.slice(i, i + batch) });
    for (const [peer, d] of [
      [to, shape.national],
      [office, shape.liaison],
    ] as const)
      for (const group of deliveryGroups(messages, d))
        steps.push({ kind: 'deliver', from: signer, to: peer, messages: group, seal: null, batch: null });
  };
  const filed = Array.from({ length: referrals }, () => message('referral', origin, recipient, null, null));
  phase(origin, recipient, filed, Math.max(1, Math.round(shape.filingBatch)));
  // Statuses per referral: the federation's mean, spread as evenly as whole numbers allow.
  const base = Math.floor(shape.statusesPerReferral);
  const more = Math.round(referrals * (shape.statusesPerReferral - base));
  const count = (i: number) => base + (i < more ? 1 : 0);
  for (let round = 0; round < base + (more > 0 ? 1 : 0); round++) {
    const state = STATES[Math.min(round, STATES.length - 1)] as string;
    const moved = filed.filter((_, i) => count(i) > round).map((r) => message('status', recipient, origin, r.id, state));
    phase(recipient, origin, moved, Math.max(1, Math.round(shape.statusBatch)));
  }
  return steps;
}

/** Messages split into deliveries of the federation's mean size: its share of lone (unsealed) envelopes first, the rest evenly. */
export function deliveryGroups<T>(messages: T[], d: Deliveries): T[][] {
  const n = messages.length;
  if (n === 0) return [];
  const count = Math.min(n, Math.max(1, Math.round((n * d.deliveries) / Math.max(1, d.messages))));
  let alone = Math.min(count, Math.round((count * (d.deliveries - d.sealed)) / Math.max(1, d.deliveries)));
  let sealed = Math.min(count - alone, Math.floor((n - alone) / 2));
  if (sealed === 0) alone = n;
  else if (alone + sealed < count) sealed = count - alone;
  const groups: T[][] = messages.slice(0, alone).map((m) => [m]);
  const rest = messages.slice(alone);
  for (let k = 0, at = 0; k < sealed; k++) {
    const size = Math.floor(rest.length / sealed) + (k < rest.length % sealed ? 1 : 0);
    groups.push(rest.slice(at, at + size));
    at += size;
  }
  return groups;
}

/**
 * Every signature and verification of the plan, in order: each message signed by its sender (and its
 * digest taken once, for the seal and the audit); per delivery the sender's seal over the envelopes'
 * digests (two or more), the recipient's digests of what it got, its one verification (the seal, or the
 * lone envelope's own signature), its receipt batch signed, and the sender's verification of that batch.
 */
function signAndVerify(steps: Step[]): {
  signatures: number;
  seals: number;
  receiptBatches: number;
  verifications: number;
  digests: number;
} {
  const nextId = idSource();
  let signatures = 0;
  let seals = 0;
  let receiptBatches = 0;
  let verifications = 0;
  let digests = 0;
  const jws = (signer: Party, typ: string, payload: unknown): Signed => {
    const input = `${signer.header(typ)}.${b64(payload)}`;
    const text = `${input}.${sign(null, Buffer.from(input), signer.privateKey).toString('base64url')}`;
    signatures++;
    digests++;
    return { jws: text, digest: digestOf(text) };
  };
  const check = (text: string, key: KeyObject) => {
    const dot = text.lastIndexOf('.');
    verifications++;
    if (!verify(null, Buffer.from(text.slice(0, dot)), key, Buffer.from(text.slice(dot + 1), 'base64url')))
      throw new Error('the floor failed to verify its own signature');
  };
  for (const step of steps) {
    if (step.kind === 'sign') {
      for (const m of step.messages) Object.assign(m, jws(m.from, `firstlight-${m.kind}+jws`, m.payload));
      continue;
    }
    const { from, to, messages } = step;
    const envelopes = messages.map((m) => m.digest);
    step.seal =
      messages.length > 1
        ? jws(from, 'firstlight-seal+jws', { v: 1, id: nextId(), from: from.code, to: to.code, iat: IAT, envelopes })
        : null;
    if (step.seal) seals++;
    for (const m of messages) if (digestOf(m.jws) !== m.digest) throw new Error('digest mismatch');
    digests += messages.length;
    check(step.seal?.jws ?? (messages[0] as Message).jws, from.publicKey);
    const receipts = messages.map((m) => ({ ref: { id: m.id, digest: m.digest }, verdict: 'accepted' }));
    step.batch = jws(to, 'firstlight-receipt-batch+jws', { v: 1, id: nextId(), from: to.code, to: from.code, iat: IAT, receipts });
    receiptBatches++;
    check(step.batch.jws, to.publicKey);
    digests++; // the sender keeps the batch by its digest too
    digestOf(step.batch.jws);
  }
  return { signatures, seals, receiptBatches, verifications, digests };
}

/** A step's rows, in the transactions the federation used: the signer's, or the recipient's then the sender's. */
function writeStep(stores: Map<Party, PartyStore>, step: Step): void {
  if (step.kind === 'sign') {
    (stores.get(step.signer) as PartyStore).signed(step.messages);
    return;
  }
  const { seal, batch } = step;
  if (!batch) throw new Error('a delivery without its receipt batch');
  (stores.get(step.to) as PartyStore).received(step.messages, seal, batch);
  (stores.get(step.from) as PartyStore).receipted(step.to.code, step.messages, batch);
}

/** One Ed25519 signature and one verification of a referral-sized message, µs of CPU each. */
function edCosts(): { signUs: number; verifyUs: number } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const input = Buffer.alloc(560, 'e');
  const n = 2000;
  const s0 = process.cpuUsage();
  let signature = Buffer.alloc(0);
  for (let i = 0; i < n; i++) signature = sign(null, input, privateKey);
  const s1 = process.cpuUsage(s0);
  const v0 = process.cpuUsage();
  for (let i = 0; i < n; i++) verify(null, input, publicKey, signature);
  const v1 = process.cpuUsage(v0);
  return { signUs: (s1.user + s1.system) / n, verifyUs: (v1.user + v1.system) / n };
}
