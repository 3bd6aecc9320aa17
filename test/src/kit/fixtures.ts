/**
 * The run's setup steps: state a check needs beforehand (a referral the target already accepted; the
 * target on the next serial, with country A's rotating key revoked and a new one added), made the first
 * time a check asks for it and then shared by every check that does. So any one check runs alone: it
 * asks for its fixture and gets it made. A fixture the target foils fails every check that needs it,
 * with the reason; never a skip, since running one check alone must not hide a failure.
 */
import type { SigningKey } from '@firstlight/protocol';
import type { CheckContext } from './catalogue.js';
import { KIT_KEYS, rotationKeys } from './keys.js';
import { deliver, manual } from './probe.js';
import { kitReferral, referralHeader } from './referrals.js';

/** A setup step the target did not let happen; the checks that need it fail with this reason. */
export class SetupFailed extends Error {
  readonly code = 'ERR_SETUP';
  constructor(
    readonly fixture: string,
    readonly reason: string,
  ) {
    super(`needs the setup step "${fixture}", which failed: ${reason}`);
  }
}

export interface AcceptedReferral {
  jws: string;
  message: ReturnType<typeof kitReferral>;
  /** The receipt the target answered it with, the first time. */
  receipt: string;
}

export interface Rotation {
  /** The serial the target now holds (the run's first serial + 1). */
  serial: number;
  old: SigningKey;
  new: SigningKey;
}

export interface Fixtures {
  /** A valid referral from country A, delivered once and accepted (what resends, tampering and re-encoding start from). */
  acceptedReferral(): Promise<AcceptedReferral>;
  /** The target on the next serial, which revokes country A's rotating key and adds a new one. Irreversible for the run. */
  rotation(): Promise<Rotation>;
}

/** A fixture made at most once: every later call gets the same result (or the same failure). */
const once = <T>(make: () => Promise<T>): (() => Promise<T>) => {
  let made: Promise<T> | null = null;
  return () => {
    made ??= make();
    return made;
  };
};

export function createFixtures(ctx: Omit<CheckContext, 'fixtures'>): Fixtures {
  const { target, kit, probe } = ctx;
  const [a] = ctx.countries;
  return {
    acceptedReferral: once(async () => {
      const message = kitReferral(a, target.country);
      const jws = manual(referralHeader(KIT_KEYS.a), message, KIT_KEYS.a);
      const out = await deliver(target, JSON.stringify({ envelopes: [jws] }));
      if (out.status !== 200) throw new SetupFailed('accepted referral', `HTTP ${out.status}: ${out.text.slice(0, 120)}`);
      const receipt = out.receipts?.[0];
      const problem = await probe.receiptFor(jws, receipt, 'accepted', { id: message.id, to: a });
      if (problem !== null || receipt === undefined)
        throw new SetupFailed('accepted referral', `a valid referral: ${problem ?? 'no receipt'}`);
      return { jws, message, receipt };
    }),
    rotation: once(async () => {
      const first = ctx.directory.serial;
      if (!(await kit.publishTo(target, first + 1, ctx.directoryWaitMs, { rotatedFrom: first })))
        throw new SetupFailed('rotation', `the target still holds serial ${await kit.heldSerial(target)}, not ${first + 1}`);
      return { serial: first + 1, ...rotationKeys(first) };
    }),
  };
}

/** The check a fixture stands for: it passes when the fixture is made, and fails with its reason (not as a dependent). */
export const fixtureHolds = (make: () => Promise<unknown>): Promise<string | null> =>
  make().then(
    () => null,
    (error: unknown) => {
      if (error instanceof SetupFailed) return error.reason;
      throw error;
    },
  );
