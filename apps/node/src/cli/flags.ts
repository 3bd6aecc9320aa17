/**
 * Command-line flags checked with zod, once, before a command touches its node. A bad value is an
 * ERR_INPUT naming the flag as it is typed (--state, not "state"), so the CLI exits 2 with what to fix.
 */
import type { z } from 'zod';
import { NodeError } from '../errors.js';

const flagName = (key: PropertyKey) => `--${String(key).replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

export function parseFlags<S extends z.ZodType>(schema: S, options: unknown): z.infer<S> {
  const parsed = schema.safeParse(options);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => {
    const [key] = issue.path;
    return key === undefined ? issue.message : `${flagName(key)} ${issue.message}`;
  });
  throw new NodeError('ERR_INPUT', problems.join('; '));
}
