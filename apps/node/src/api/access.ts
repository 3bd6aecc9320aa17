/**
 * Who may do what: the one table of access rules. Every operator procedure is guarded by one rule
 * (`guard`), and `session.whoami` answers the rules the caller passes, so the console shows exactly the
 * pages the server will serve. Never check a role by hand elsewhere: add or change a rule here.
 */
import type { Role } from '../auth/tokens.js';
import { operatorProcedure } from './trpc.js';

export const ACCESS = {
  /** A national bureau's cases: inbox, referrals sent, complaints (read). */
  'bureau.read': { node: 'national', roles: ['officer', 'auditor'] },
  /** Acting on cases: filing complaints, referring, signing statuses. */
  'bureau.act': { node: 'national', roles: ['officer'] },
  /** The audit log, delivery problems, outbox depth and metrics. */
  'bureau.audit': { node: 'national', roles: ['auditor', 'admin'] },
  /** A national node's administration: tokens, keys, retrying dead letters. */
  'bureau.admin': { node: 'national', roles: ['admin'] },
  /** Personal data's oversight: who read a complaint and why, what is past its review date. */
  'bureau.privacy': { node: 'national', roles: ['auditor', 'admin'] },
  /** Personal data's review: extending a review date, erasing. */
  'bureau.review': { node: 'national', roles: ['admin'] },
  /** The liaison office's view of the operation. */
  'liaison.read': { node: 'liaison', roles: ['analyst', 'admin'] },
  /** The liaison office's administration: directory, tokens. */
  'liaison.admin': { node: 'liaison', roles: ['admin'] },
} as const satisfies Record<string, { node: 'national' | 'liaison'; roles: readonly Role[] }>;

export type Access = keyof typeof ACCESS;

/** The tRPC procedure builder for one rule: a valid token on the right kind of node with one of its roles. */
export function guard(access: Access) {
  const rule = ACCESS[access];
  return operatorProcedure(rule.node, rule.roles);
}

/** The rules a role on a node passes (whoami), in the table's order. */
export function accessOf(nodeRole: 'national' | 'liaison', role: Role): Access[] {
  return (Object.keys(ACCESS) as Access[]).filter((a) => {
    const rule: { node: string; roles: readonly Role[] } = ACCESS[a];
    return rule.node === nodeRole && rule.roles.includes(role);
  });
}

/** Every rule of a node's kind with the roles it admits (whoami: the console says who may open a page). */
export function rulesOf(nodeRole: 'national' | 'liaison'): Partial<Record<Access, readonly Role[]>> {
  return Object.fromEntries((Object.keys(ACCESS) as Access[]).filter((a) => ACCESS[a].node === nodeRole).map((a) => [a, ACCESS[a].roles]));
}
