/**
 * The replay's state file (<data>/simulation.json, mode 0600): how the federation was set up (countries,
 * ports, seed, tokens) and how far the replay's clock has run. Written whole through a temporary file,
 * read through its schema; a file this version cannot read is refused with what to do, never guessed at.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

export class SimError extends Error {}

export const stateSchema = z.object({
  // 3: the nodes federate over mutual TLS (an older data folder was set up for plain HTTP: --fresh).
  version: z.literal(3),
  countries: z.array(z.string()),
  scenario: z.string(),
  anchor: z.string(),
  portBase: z.int(),
  seed: z.int(),
  referralsPlanned: z.int(),
  /** How far the replay's clock has run, in operation days. */
  replayDay: z.number().min(0),
  tokens: z.record(z.string(), z.record(z.string(), z.string())),
});
export type State = z.infer<typeof stateSchema>;

const stateFile = (root: string) => join(root, 'simulation.json');

export function saveState(root: string, state: State): void {
  writeFileSync(`${stateFile(root)}.tmp`, JSON.stringify(state, null, 1), { mode: 0o600 });
  renameSync(`${stateFile(root)}.tmp`, stateFile(root));
}

export function loadState(root: string): State | null {
  if (!existsSync(stateFile(root))) return null;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(stateFile(root), 'utf8'));
  } catch {
    throw new SimError(`${stateFile(root)} is not a simulation state file; run with --fresh to start over`);
  }
  const parsed = stateSchema.safeParse(raw);
  if (!parsed.success)
    throw new SimError(`${stateFile(root)} was written by another version of the simulation; run with --fresh to start over`);
  return parsed.data;
}
