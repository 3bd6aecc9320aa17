/**
 * Who reads personal data and why. A read needs a purpose: a case reference (TH-2015-0042,
 * case:4471/2015) the operator gives, kept in the privacy log. It is a reference, not prose, so that a
 * purpose cannot carry the personal data it justifies reading: letters, digits and . _ : / # - only.
 * Never accepts a read without one.
 */
import { userInfo } from 'node:os';
import { z } from 'zod';
import type { Principal } from '../auth/tokens.js';
import { NodeError } from '../errors.js';

const PURPOSE_HELP =
  'a case reference such as TH-2015-0042 (3 to 64 letters, digits and . _ : / # -, starting with a letter or digit): why this personal data is read';

export const purposeText = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:/#-]{2,63}$/, PURPOSE_HELP);

/** A free-text reason (an erasure, an extension): kept in the tombstone or the privacy log. */
export const reasonText = z.string().trim().min(3, 'give a reason of at least 3 characters').max(500);

/** The operator who reads, extends or erases: a token's identity, or the local account running the CLI. */
export interface Operator {
  id: string;
  name: string;
  role: string;
}

export function operatorOf(principal: Principal): Operator {
  return { id: principal.tokenId, name: principal.name, role: principal.role };
}

/** The CLI opens the node's files directly, with no token: the operating-system account is who acted. */
export function cliOperator(): Operator {
  const name = userInfo().username;
  return { id: `cli:${name}`, name, role: 'cli' };
}

/** The purpose of a read, or ERR_PURPOSE_REQUIRED: no purpose, no personal data. */
export function requirePurpose(value: unknown): string {
  if (value === undefined || value === null || (typeof value === 'string' && value.trim() === ''))
    throw new NodeError('ERR_PURPOSE_REQUIRED', `reading personal data needs a purpose: give ${PURPOSE_HELP}`);
  const parsed = purposeText.safeParse(value);
  if (!parsed.success) throw new NodeError('ERR_PURPOSE_REQUIRED', `the purpose must be ${PURPOSE_HELP}`);
  return parsed.data;
}
