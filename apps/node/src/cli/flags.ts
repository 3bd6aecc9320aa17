/**
 * Command-line flags checked with zod, once, before a command touches its node. A bad value is an
 * ERR_INPUT naming the flag as it is typed (--state, not "state"), so the CLI exits 2 with what to fix.
 * The schemas here are the shared kinds of value (whole numbers, dates, countries, IPs, URLs, paths,
 * the trust anchor); a command's own schema picks from them. Never reads or writes a node.
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { checkIp, isCountryCode } from '@firstlight/protocol';
import { z } from 'zod';
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

/** The two flags of every node command: --data and --json. */
export const common = { data: z.string().min(1), json: z.boolean().default(false) };

/** A whole number from min to max, given on the command line as text. */
export const wholeNumber = (min: number, max: number) => {
  const error = `must be a whole number from ${min} to ${max}`;
  return z.coerce.number({ error }).int({ error }).min(min, { error }).max(max, { error });
};

/** A non-negative amount (money lost), as text. */
export const amount = z.coerce.number({ error: 'must be a number such as 250000' }).min(0, { error: 'must not be negative' }).max(1e12);

export const country = z
  .string()
  .transform((c) => c.toUpperCase())
  .pipe(z.string().refine(isCountryCode, { error: 'must be an ISO 3166-1 alpha-2 country code, such as TH or KH' }));

export const countries = z.array(country);

export const date = z.iso.date({ error: 'must be a date written YYYY-MM-DD, such as 2015-06-01' });

export const utcTime = z.iso.datetime({ offset: false, error: 'must be a UTC time such as 2015-06-01T12:00:00Z' });

/** An IP address (whether it may be referred, routable and abroad, is the domain's ERR_IP_* answer). */
export const ip = z.string().refine(
  (v) => {
    const check = checkIp(v);
    return check.ok || check.reason !== 'invalid';
  },
  {
    error: 'must be an IPv4 or IPv6 address, such as 1.32.252.10',
  },
);

export const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL, such as http://127.0.0.1:7600' });

export const uuid = (what: string) => z.uuid({ error: `must be ${what} (a UUID)` });

/**
 * The trust anchor: the RFC 7638 thumbprint of the liaison office's directory authority key. A node
 * pins it, and trusts only a directory that key signed, so a wrong one is a node that trusts nothing.
 */
export const ANCHOR_HELP =
  "must be the liaison office's trust anchor: the thumbprint (43 characters of A-Z a-z 0-9 - _) of its directory authority key, " +
  'which `firstlight init --role liaison` (and `firstlight directory init`) prints at the liaison office; ask the liaison office for it';
export const anchor = z.string().regex(/^[A-Za-z0-9_-]{43}$/, { error: ANCHOR_HELP });

/** Why a path is not a readable file (or directory), or null when it is one. */
function pathProblem(path: string, kind: 'file' | 'directory'): string | null {
  try {
    const stat = statSync(path);
    if (kind === 'file' ? stat.isFile() : stat.isDirectory()) return null;
    return `${path} is not a ${kind}`;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return `${path}: no such ${kind}`;
    if (code === 'EACCES') return `${path}: permission denied`;
    return `${path} cannot be read (${code ?? 'error'})`;
  }
}

/** A path to an existing file or directory, checked before the command starts (the message names the path). */
const existing = (kind: 'file' | 'directory') =>
  z
    .string()
    .min(1)
    .superRefine((path, ctx) => {
      const problem = pathProblem(path, kind);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    });

export const existingFile = existing('file');
export const existingDirectory = existing('directory');

/** A file to create: its directory exists and it does not (a command that writes never overwrites). */
export const newFile = z
  .string()
  .min(1)
  .superRefine((path, ctx) => {
    const problem = existsSync(path) ? `${path} already exists: give a new file name` : pathProblem(dirname(resolve(path)), 'directory');
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });
