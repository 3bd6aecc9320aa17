/**
 * Directory updates, live: the kit (the target's directory authority) publishes a later serial that
 * rotates country A's key (the old one revoked, a new one added) and checks the target refuses the old
 * key and takes the new one; then it offers an older serial and the defective directories of the
 * protocol's directory vectors, each announced as newer, and checks the target keeps what it holds.
 * It leaves the target on the rotated serial.
 */
import { encodeBase64url, JWS_TYP, signDirectory } from '@firstlight/protocol';
import { kitReferral, referralHeader } from './base-checks.js';
import { fakeCountries, KIT_KEYS, rotationKeys } from './keys.js';
import type { ConformanceKit } from './kit.js';
import { deliver, manual, type Probe } from './probe.js';
import { loadVectors, type VectorSet } from './vector-replay.js';

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
};

export async function runDirectoryChecks(probe: Probe, kit: ConformanceKit, waitMs: number, set: VectorSet = loadVectors()) {
  const { target } = probe;
  const [a] = fakeCountries(target.country);
  const serial = probe.directory.serial;
  const rotation = rotationKeys(serial);
  const sendAs = (key = rotation.old) => manual(referralHeader(key), kitReferral(a, target.country), key);
  const heldJws = kit.served;

  await probe.single(`country A's current key is accepted under serial ${serial}`, sendAs(rotation.old), 'accepted');
  const rotated = await probe.check(
    `the target takes serial ${serial + 1}, which revokes country A's old key and adds a new one`,
    async () =>
      (await kit.publishTo(target, serial + 1, waitMs, { rotatedFrom: serial }))
        ? null
        : `the target still holds serial ${await kit.heldSerial(target)}`,
  );
  if (!rotated) return;
  await probe.single('after the rotation, a message signed with the old key (ERR_KEY_REVOKED)', sendAs(rotation.old), 'ERR_KEY_REVOKED');
  await probe.single('after the rotation, a message signed with the new key is accepted', sendAs(rotation.new), 'accepted');

  /** Serves `jws`, announces a newer serial, and checks the target fetched it yet kept serial+1 and the revocation. */
  const refused = (name: string, jws: string) =>
    probe.check(name, async () => {
      const current = kit.serve(jws);
      try {
        const before = kit.directoryFetches;
        await kit.announce(target, serial + 2);
        const deadline = Date.now() + waitMs;
        while (kit.directoryFetches === before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
        if (kit.directoryFetches === before) return 'the target never fetched the directory after federation.directoryPublished';
        await new Promise((r) => setTimeout(r, 500));
        const held = await kit.heldSerial(target);
        if (held !== serial + 1) return `the target now holds serial ${held}: it took a directory it must refuse`;
        const old = sendAs(rotation.old);
        return probe
          .receiptFor(old, (await deliver(target, JSON.stringify({ envelopes: [old] }))).receipts?.[0], 'ERR_KEY_REVOKED')
          .then((p) => (p ? `the old key after this directory: ${p}` : null));
      } finally {
        kit.serve(current);
      }
    });

  await refused(`directory vector directory-stale-serial: serial ${serial} offered after ${serial + 1} (ERR_DIRECTORY_STALE)`, heldJws);

  const next = kit.build(target, serial + 2, { rotatedFrom: serial });
  const authority = KIT_KEYS.authority;
  const directoryHeader = { alg: 'EdDSA', kid: authority.kid, typ: JWS_TYP.directory };
  const good = await signDirectory(next, authority);
  const [gh, , gs] = good.split('.');
  const withKid = (kid: string) => ({
    ...next,
    members: next.members.map((m) => (m.country === a ? { ...m, keys: m.keys.map((k, i) => (i === 0 ? { ...k, kid } : k)) } : m)),
  });
  const recipes: Record<string, () => Promise<string>> = {
    'directory-forged-authority': () => signDirectory({ ...next, authority: KIT_KEYS.outsider.publicJwk }, KIT_KEYS.outsider),
    'directory-tampered': async () => `${gh}.${encodeBase64url(JSON.stringify({ ...next, revoked: [] }))}.${gs}`,
    'directory-kid-mismatch': async () => manual(directoryHeader, withKid(KIT_KEYS.b.kid), authority),
    'directory-kid-not-thumbprint': async () => manual(directoryHeader, withKid(KIT_KEYS.outsider.kid), authority),
    'directory-typ': async () => manual({ ...directoryHeader, typ: JWS_TYP.referral }, next, authority),
  };
  for (const v of set.vectors) {
    if (v.kind !== 'directory') continue;
    const name = `directory vector ${v.name}: ${v.description} (${v.expect.ok ? 'taken' : v.expect.code})`;
    if (v.name === 'directory-stale-serial') continue;
    if (v.name === 'directory-valid') {
      await probe.check(name, async () => ((await kit.heldSerial(target)) === serial + 1 ? null : 'the target holds another serial'));
      continue;
    }
    const recipe = recipes[v.name];
    if (recipe) await refused(name, await recipe());
    else probe.skip(name, SKIPPED[v.name] ?? 'the kit has no live recipe for this directory vector');
  }
}
