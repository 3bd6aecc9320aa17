/**
 * PROTOCOL.md §3.1 and §3.2, the directory and key rotation, live. The kit (the target's directory
 * authority) has the target take the next serial, which rotates country A's key (the old one revoked,
 * a new one added): that is the rotation fixture, made once per run by the first check that needs it.
 * Then it offers an older serial and the defective directories of the protocol's directory vectors,
 * each announced as newer, and checks the target keeps what it holds. These checks come last in the
 * catalogue: the rotation leaves the target on a later serial, and the check that country A's rotating
 * key is accepted must run before it.
 */
import { encodeBase64url, JWS_TYP, signDirectory } from '@firstlight/protocol';
import { type Check, type CheckContext, skip } from '../catalogue.js';
import { fixtureHolds } from '../fixtures.js';
import { KIT_KEYS, rotationKeys } from '../keys.js';
import { deliver, manual } from '../probe.js';
import { kitReferral, referralHeader } from '../referrals.js';
import type { VectorSet } from '../vector-replay.js';

/** Directory vectors whose case cannot be observed or driven from outside, and why. */
const SKIPPED: Record<string, string> = {
  'directory-same-serial':
    'taking the serial already held again changes nothing a target shows over HTTP (health reports the same serial either way)',
  'directory-in-grace':
    "depends on the target's configured grace period, and would leave it on an expired directory for the checks that follow",
  'directory-grace-over':
    "depends on the target's configured grace period, and would leave it on an expired directory for the checks that follow",
  'directory-wrong-anchor':
    'the anchor is pinned when the target is initialised (it pins the kit); live, a directory from another authority is the forged-authority case',
  'directory-v2-tls-pins':
    'the kit speaks the wire over plain HTTP: a directory pinning TLS keys is exercised by the node TLS tests and `pnpm wan`',
};

/** A referral from country A signed with this key. */
const sendAs = (ctx: CheckContext, key = rotationKeys(ctx.directory.serial).old) =>
  manual(referralHeader(key), kitReferral(ctx.countries[0], ctx.target.country), key);

/** Serves `jws`, announces a newer serial, and checks the target fetched it yet kept the rotated serial and its revocation. */
async function keepsWhatItHolds(ctx: CheckContext, jws: string): Promise<string | null> {
  const { kit, target } = ctx;
  const rotation = await ctx.fixtures.rotation();
  const current = kit.serve(jws);
  try {
    const before = kit.directoryFetches;
    await kit.announce(target, rotation.serial + 1);
    const deadline = Date.now() + ctx.directoryWaitMs;
    while (kit.directoryFetches === before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    if (kit.directoryFetches === before) return 'the target never fetched the directory after federation.directoryPublished';
    await new Promise((r) => setTimeout(r, 500));
    const held = await kit.heldSerial(target);
    if (held !== rotation.serial) return `the target now holds serial ${held}: it took a directory it must refuse`;
    const old = sendAs(ctx, rotation.old);
    const out = await deliver(target, JSON.stringify({ envelopes: [old] }));
    const problem = await ctx.probe.receiptFor(old, out.receipts?.[0], 'ERR_KEY_REVOKED');
    return problem ? `the old key after this directory: ${problem}` : null;
  } finally {
    kit.serve(current);
  }
}

/** The defective directory each refused directory vector stands for, re-created with the kit's keys for the serial after the rotation. */
async function defective(ctx: CheckContext, name: string): Promise<string | null> {
  const { kit, target } = ctx;
  const [a] = ctx.countries;
  const first = ctx.directory.serial;
  if (name === 'directory-stale-serial') return ctx.initialJws;
  const next = kit.build(target, first + 2, { rotatedFrom: first });
  const authority = KIT_KEYS.authority;
  const directoryHeader = { alg: 'EdDSA', kid: authority.kid, typ: JWS_TYP.directory };
  const withKid = (kid: string) => ({
    ...next,
    members: next.members.map((m) => (m.country === a ? { ...m, keys: m.keys.map((k, i) => (i === 0 ? { ...k, kid } : k)) } : m)),
  });
  switch (name) {
    case 'directory-forged-authority':
      return signDirectory({ ...next, authority: KIT_KEYS.outsider.publicJwk }, KIT_KEYS.outsider);
    case 'directory-tampered': {
      const [gh, , gs] = (await signDirectory(next, authority)).split('.');
      return `${gh}.${encodeBase64url(JSON.stringify({ ...next, revoked: [] }))}.${gs}`;
    }
    case 'directory-kid-mismatch':
      return manual(directoryHeader, withKid(KIT_KEYS.b.kid), authority);
    case 'directory-kid-not-thumbprint':
      return manual(directoryHeader, withKid(KIT_KEYS.outsider.kid), authority);
    case 'directory-typ':
      return manual({ ...directoryHeader, typ: JWS_TYP.referral }, next, authority);
    case 'directory-v1-tls-pins':
    case 'directory-v2-bad-pin': {
      const pin = name === 'directory-v1-tls-pins' ? encodeBase64url(new Uint8Array(32).fill(0x71)) : 'sha256';
      const v = name === 'directory-v1-tls-pins' ? 1 : 2;
      return manual(
        directoryHeader,
        { ...next, v, members: next.members.map((m) => (m.country === a ? { ...m, tlsPins: [pin] } : m)) },
        authority,
      );
    }
    case 'directory-v3':
      return manual(directoryHeader, { ...next, v: 3 }, authority);
    default:
      return null;
  }
}

const rotationChecks: Check[] = [
  {
    id: 'rotating-key-accepted',
    section: '§3.2',
    title: "country A's rotating key is accepted under the serial the target holds when the run begins",
    // Before the rotation fixture, by its place in the catalogue: after it, this key is revoked.
    run: (ctx) => ctx.probe.single(sendAs(ctx), 'accepted'),
  },
  {
    id: 'directory-rotation-taken',
    section: '§3.1',
    title: "the target takes the next serial, which revokes country A's rotating key and adds a new one",
    run: (ctx) => fixtureHolds(ctx.fixtures.rotation),
  },
  {
    id: 'rotated-old-key-refused',
    section: '§3.2',
    title: 'after the rotation, a message signed with the old key (ERR_KEY_REVOKED)',
    run: async (ctx) => ctx.probe.single(sendAs(ctx, (await ctx.fixtures.rotation()).old), 'ERR_KEY_REVOKED'),
  },
  {
    id: 'rotated-new-key-accepted',
    section: '§3.2',
    title: 'after the rotation, a message signed with the new key is accepted',
    run: async (ctx) => ctx.probe.single(sendAs(ctx, (await ctx.fixtures.rotation()).new), 'accepted'),
  },
];

/** One check per directory vector: taken (the rotated serial), refused while the target keeps what it holds, or skipped. */
function directoryVectorChecks(set: VectorSet): Check[] {
  return set.vectors
    .filter((v) => v.kind === 'directory')
    .map((v) => ({
      id: `vector-${v.name}`,
      section: '§3.1',
      title: `directory vector ${v.name}: ${v.description} (${v.expect.ok ? 'taken' : v.expect.code})`,
      run: async (ctx: CheckContext) => {
        if (SKIPPED[v.name]) return skip(SKIPPED[v.name] as string);
        if (v.name === 'directory-valid') {
          const { serial } = await ctx.fixtures.rotation();
          return (await ctx.kit.heldSerial(ctx.target)) === serial ? null : 'the target holds another serial';
        }
        const jws = await defective(ctx, v.name);
        return jws === null ? skip('the kit has no live recipe for this directory vector') : keepsWhatItHolds(ctx, jws);
      },
    }));
}

export const directoryChecks = (set: VectorSet): Check[] => [...rotationChecks, ...directoryVectorChecks(set)];
