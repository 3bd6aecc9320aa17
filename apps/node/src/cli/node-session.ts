/**
 * Opening a node for one CLI command: the --data option every command shares, the node opened and
 * always closed again, and the node-role check of commands that only one kind of node can answer.
 * Never prints anything itself: the command decides what to show.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { Option } from 'commander';
import { configPath } from '../config/config.js';
import { NodeError } from '../errors.js';
import { createLogger } from '../logging/logger.js';
import { type OpenedNode, openNode } from '../node.js';

export const dataOption = () => new Option('--data <dir>', 'the node data directory').env('FIRSTLIGHT_DATA').makeOptionMandatory();

/**
 * --data must name a node's data directory: a mistyped path is a usage error (exit 2) that says so,
 * not a failure of the node. `init` creates the directory and does not come through here.
 */
export function requireNodeData(data: string): string {
  const dir = resolve(data);
  if (!existsSync(configPath(dir)))
    throw new NodeError(
      'ERR_INPUT',
      `--data ${data} holds no node (no config.json${existsSync(dir) ? '' : '; the directory does not exist'}): ` +
        `give the data directory of a node, or create one with \`firstlight init --data ${data} …\``,
    );
  return dir;
}

/** Opens the node in --data for one command; with `role`, refuses first if it is the other kind of node. */
export async function withNode<T>(
  data: string,
  fn: (node: OpenedNode) => Promise<T>,
  role?: { role: 'national' | 'liaison'; command: string },
): Promise<T> {
  const dataDir = requireNodeData(data);
  // A one-shot command prints its result; the node's info lines (directory accepted, …) would be noise
  // next to it. Warnings and errors still show; FIRSTLIGHT_LOG_LEVEL overrides.
  const node = await openNode({ dataDir, logger: createLogger({ level: process.env.FIRSTLIGHT_LOG_LEVEL ?? 'warn' }) });
  try {
    if (role) requireNodeRole(node, role.role, role.command, data);
    return await fn(node);
  } finally {
    await node.close();
  }
}

const ROLE_NAMES = { national: 'a national bureau', liaison: 'the liaison office' } as const;

/**
 * Refuses a command meant for the other kind of node (ERR_WRONG_ROLE, a usage error): a national node
 * holds no liaison copies and the liaison office sends no referrals, so an answer would be empty and wrong.
 */
export function requireNodeRole(node: OpenedNode, role: 'national' | 'liaison', command: string, data: string): void {
  const { config } = node.ctx;
  if (config.role === role) return;
  throw new NodeError(
    'ERR_WRONG_ROLE',
    `\`firstlight ${command}\` is a command for ${ROLE_NAMES[role]}, but ${data} is ${ROLE_NAMES[config.role]} (${config.party}); ` +
      `run it with the --data directory of ${ROLE_NAMES[role]}`,
  );
}
