/**
 * The kit as a catalogue of checks (after matrix-org/complement: one check per behaviour of the spec,
 * each citing its section of docs/PROTOCOL.md, any one runnable alone). A check is `{ id, section,
 * title, run }`; the registry (checks/index.ts) gathers them; this module holds their shape, how a
 * run's outcome is told, and how `--only` selectors pick checks. A check must never rely on state
 * another check made: what it needs beforehand comes from a fixture (fixtures.ts).
 */
import type { Directory } from '@firstlight/protocol';
import { z } from 'zod';
import type { Fixtures } from './fixtures.js';
import type { ConformanceKit } from './kit.js';
import type { KitTarget, Probe } from './probe.js';
import type { VectorSet } from './vector-replay.js';

/** Makes the target send a status (any state) on the referral with this id, e.g. `firstlight status --referral ID`. */
export type TargetDriver = (referralId: string) => Promise<void>;

/** A section of PROTOCOL.md: `§3`, `§2.3.2`, or one numbered check of §3's verification order, `§3 check 4`. */
export const sectionSchema = z.string().regex(/^§\d+(\.\d+)*( check \d+)?$/, { error: 'a section is like §2.3.2 or §3 check 4' });
/** Stable, kebab-case, starting with a letter (so that it can never be mistaken for a section). */
export const checkIdSchema = z.string().regex(/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/, { error: 'a check id is kebab-case, like key-revoked' });

/** Everything a check may use: the kit, the target, the shared helpers and the run's fixtures. */
export interface CheckContext {
  kit: ConformanceKit;
  target: KitTarget;
  /** The directory the target held when the run began (the kit's), and its signed bytes. */
  directory: Directory;
  initialJws: string;
  /** The kit's countries A, B and C for this target. */
  countries: [string, string, string];
  probe: Probe;
  /** How long to wait for the target to send a message (ms). */
  waitMs: number;
  /** How long to wait for the target to take or fetch a directory (ms). */
  directoryWaitMs: number;
  driver?: TargetDriver;
  vectors: VectorSet;
  fixtures: Fixtures;
}

/** What a check's run answers: null when the behaviour holds, the reason when it does not, or a skip. */
export type CheckOutcome = null | string | { skip: string };

/** The case cannot be driven from outside (the reason says why); never counted as a failure. */
export const skip = (reason: string): { skip: string } => ({ skip: reason });

export interface Check {
  id: string;
  section: string;
  title: string;
  run(ctx: CheckContext): Promise<CheckOutcome>;
}

export type CheckStatus = 'pass' | 'fail' | 'skip';

export interface CheckResult {
  id: string;
  section: string;
  title: string;
  status: CheckStatus;
  /** Why it failed or was skipped ('' when it passed). */
  reason: string;
}

/** Numbers of a section, then `#N` for a check of §3: `§3 check 4` → ['3', '#4']. */
function sectionPath(section: string): string[] {
  const [numbers = '', check] = section.replace(/^§/, '').split(' check ');
  return [...numbers.split('.'), ...(check ? [`#${check}`] : [])];
}

/** `--only` takes a check id or a section (with or without §, any spacing): `key-revoked`, `3.1`, `§3 check 4`. */
export const selectorSchema = z.string().transform((raw, ctx) => {
  const text = raw.trim().replace(/^§\s*/, '').replace(/\s+/g, ' ').toLowerCase();
  if (/^\d+(\.\d+)*( check \d+)?$/.test(text)) return { kind: 'section' as const, text, path: sectionPath(text) };
  if (checkIdSchema.safeParse(text).success) return { kind: 'id' as const, text };
  ctx.issues.push({
    code: 'custom',
    input: raw,
    message: `--only "${raw}" is neither a check id (like key-revoked) nor a section (like §3 check 4 or 2.3.2)`,
  });
  return z.NEVER;
});
export type Selector = z.infer<typeof selectorSchema>;

/** Every `--only` value, repeatable and comma-separated, parsed. */
export const selectorsSchema = z
  .array(z.string())
  .transform((values) => values.flatMap((v) => v.split(',')).filter((v) => v.trim() !== ''))
  .pipe(z.array(selectorSchema));

/** Selectors from `--only` values (for callers in code, such as the kit's tests); throws on a malformed one. */
export const selectors = (...values: string[]): Selector[] => selectorsSchema.parse(values);

const matches = (check: Check, s: Selector) => {
  if (s.kind === 'id') return check.id === s.text;
  const path = sectionPath(check.section);
  return s.path.every((part, i) => path[i] === part);
};

/** Selectors that pick no check: the caller says so, and how to see the valid ones. */
export class UnknownSelectorError extends Error {
  readonly code = 'ERR_UNKNOWN_CHECK';
  constructor(readonly unknown: string[]) {
    super(
      `no check has the id or section ${unknown.map((u) => `"${u}"`).join(', ')}: \`pnpm conformance --list\` prints every check's id and section`,
    );
  }
}

/** The checks the selectors pick, in catalogue order (all of them when there is no selector). */
export function selectChecks(checks: Check[], selectors: Selector[]): Check[] {
  if (selectors.length === 0) return checks;
  const unknown = selectors.filter((s) => !checks.some((c) => matches(c, s))).map((s) => s.text);
  if (unknown.length > 0) throw new UnknownSelectorError(unknown);
  return checks.filter((c) => selectors.some((s) => matches(c, s)));
}
