/**
 * A national node's directory judged once as it starts, so that a wrong trust anchor is said in the
 * terminal at once rather than as a log line a minute later. It fetches the liaison office's current
 * directory and verifies it against the pinned anchor:
 * - it verifies: nothing to say;
 * - it is signed by another authority key and the node holds no directory it trusts: the node could
 *   trust nothing from the federation, so it refuses to start (ERR_CONFIG, with what to fix);
 * - it is signed by another key but a directory the anchor verified is held from disk: the node starts
 *   on that one, with a warning (the liaison office, or whoever answers at its URL, is not the authority);
 * - the liaison office is unreachable or has published nothing yet: a warning; the node retries on its
 *   timer, so the order in which nodes start does not matter.
 * Never accepts a directory the anchor does not verify.
 */
import { ProtocolError } from '@firstlight/protocol';
import type { NodeContext } from '../context.js';
import { NodeError } from '../errors.js';

/** Verdicts that mean the directory came from another authority than the pinned anchor. */
const ANOTHER_AUTHORITY = new Set(['ERR_DIRECTORY_ANCHOR', 'ERR_SIGNATURE_INVALID']);

/** Warnings to show the operator (none: the directory is current); throws when the node can trust nothing. */
export async function checkDirectoryAtStart(ctx: NodeContext): Promise<string[]> {
  const { config, directory, dataDir } = ctx;
  const result = await directory
    .refresh()
    .catch((error: unknown) => ({ ok: false, error: new ProtocolError('ERR_DIRECTORY_INVALID', String(error)) }) as const);
  if (result.ok) return [];
  const held = directory.current();
  const { code, message } = result.error;
  if (code === 'ERR_DIRECTORY_STALE') return []; // it served an older serial than the one held: nothing wrong here
  if (ANOTHER_AUTHORITY.has(code)) {
    const fix =
      `ask the liaison office for its trust anchor (\`firstlight init --role liaison\` or \`firstlight directory init\` prints it there) ` +
      `and set "anchor" in ${dataDir}/config.json, or correct "liaisonUrl" if ${config.liaisonUrl} is not your liaison office`;
    if (!held)
      throw new NodeError(
        'ERR_CONFIG',
        `the directory served at ${config.liaisonUrl} does not verify with this node's trust anchor ${config.anchor} (${code}: ${message}), ` +
          `so this node could trust nothing from the federation: ${fix}`,
      );
    return [
      `${code}: the directory served at ${config.liaisonUrl} does not verify with this node's trust anchor (${message}); ` +
        `serving on the directory held from disk (serial ${held.directory.serial}) — ${fix}`,
    ];
  }
  if (held) return [`${code}: could not refresh the directory (${message}); serving on serial ${held.directory.serial} held from disk`];
  return [
    `${code}: no directory yet (${message}): until one arrives this node can neither send nor accept messages; ` +
      `it fetches again every ${config.directoryRefreshSeconds} s`,
  ];
}
