import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appRouter } from '../src/api/app-router.js';
import type { Role } from '../src/auth/tokens.js';
import { createTestFederation, type TestFederation } from '../src/testing/federation.js';

/** Who may call each bureau procedure. A new procedure without an entry here fails the test. */
const ALLOWED: Record<string, Role[]> = {
  'bureau.complaints.create': ['officer'],
  'bureau.complaints.createMany': ['officer'],
  'bureau.complaints.list': ['officer', 'auditor'],
  'bureau.complaints.get': ['officer', 'auditor'],
  'bureau.referrals.route': ['officer'],
  'bureau.referrals.create': ['officer'],
  'bureau.referrals.createMany': ['officer'],
  'bureau.referrals.list': ['officer', 'auditor'],
  'bureau.referrals.get': ['officer', 'auditor'],
  'bureau.inbox.list': ['officer', 'auditor'],
  'bureau.inbox.get': ['officer', 'auditor'],
  'bureau.inbox.queue': ['officer', 'auditor'],
  'bureau.inbox.since': ['officer', 'auditor'],
  'bureau.inbox.updateStatus': ['officer'],
  'bureau.inbox.updateStatuses': ['officer'],
  'bureau.tokens.create': ['admin'],
  'bureau.tokens.list': ['admin'],
  'bureau.tokens.revoke': ['admin'],
  'bureau.keys.list': ['admin'],
  'bureau.keys.rotate': ['admin'],
  'bureau.outbox.depth': ['auditor', 'admin'],
  'bureau.outbox.problems': ['auditor', 'admin'],
  'bureau.outbox.retry': ['admin'],
  'bureau.outbox.peers': ['auditor', 'admin'],
  'bureau.audit.verify': ['auditor', 'admin'],
  'bureau.audit.export': ['auditor', 'admin'],
  'bureau.audit.list': ['auditor', 'admin'],
  'bureau.metrics': ['auditor', 'admin'],
  'bureau.privacy.access': ['auditor', 'admin'],
  'bureau.privacy.due': ['auditor', 'admin'],
  'bureau.privacy.extend': ['admin'],
  'bureau.privacy.erase': ['admin'],
};

/** The rule each procedure is guarded by, for the procedures whose rule the whoami test checks against ALLOWED. */
const RULE_OF: Record<string, string> = {
  'bureau.inbox.list': 'bureau.read',
  'bureau.inbox.updateStatus': 'bureau.act',
  'bureau.audit.list': 'bureau.audit',
  'bureau.tokens.create': 'bureau.admin',
  'bureau.privacy.access': 'bureau.privacy',
  'bureau.privacy.erase': 'bureau.review',
};

const procedures = Object.entries(appRouter._def.procedures as unknown as Record<string, { _def: { type: string } }>)
  .filter(([path]) => path.startsWith('bureau.'))
  .map(([path, p]) => ({ path, type: p._def.type }));

async function call(url: string, path: string, type: string, token: string | undefined) {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  const response =
    type === 'query'
      ? await fetch(`${url}/trpc/${path}?input=${encodeURIComponent('{}')}`, { headers })
      : await fetch(`${url}/trpc/${path}`, { method: 'POST', headers, body: '{}' });
  return { status: response.status, body: (await response.json()) as { error?: { data?: { firstlightCode?: string } } } };
}

describe('operator authentication on the bureau API', () => {
  let f: TestFederation;
  const tokens: Partial<Record<Role, string>> = {};
  beforeAll(async () => {
    f = await createTestFederation({ countries: ['TH', 'KH'] });
    for (const role of ['officer', 'admin', 'auditor'] as const) tokens[role] = await f.token(f.node('TH'), role);
  });
  afterAll(() => f.close());

  it('knows who may call every bureau procedure', () => {
    expect(procedures.map((p) => p.path).sort()).toEqual(Object.keys(ALLOWED).sort());
  });

  it.each(procedures)('$path refuses a missing, unknown or foreign token and the wrong roles', async ({ path, type }) => {
    const url = f.node('TH').url;
    const missing = await call(url, path, type, undefined);
    expect(missing.status).toBe(401);
    expect(missing.body.error?.data?.firstlightCode).toBe('ERR_UNAUTHORIZED');
    expect((await call(url, path, type, 'flt_not-a-real-token')).status).toBe(401);
    // A token of another country's node means nothing here.
    const foreign = await f.token(f.node('KH'), 'admin');
    expect((await call(url, path, type, foreign)).status).toBe(401);
    for (const role of ['officer', 'admin', 'auditor'] as const) {
      const result = await call(url, path, type, tokens[role]);
      if (ALLOWED[path]?.includes(role)) expect(result.status, `${role} on ${path}`).not.toBe(403);
      else {
        expect(result.status, `${role} on ${path}`).toBe(403);
        expect(result.body.error?.data?.firstlightCode).toBe('ERR_FORBIDDEN');
      }
    }
  });

  it('stores tokens only as hashes', async () => {
    const rows = await f.node('TH').ctx.db.selectFrom('tokens').select('hash').execute();
    for (const token of Object.values(tokens)) expect(rows.some((r) => r.hash === token)).toBe(false);
    expect(rows.every((r) => /^[0-9a-f]{64}$/.test(r.hash))).toBe(true);
  });

  it('refuses a revoked token', async () => {
    const admin = f.client(f.node('TH'), tokens.admin);
    const created = await admin.bureau.tokens.create.mutate({ name: 'temp', role: 'auditor' });
    expect((await call(f.node('TH').url, 'bureau.audit.verify', 'query', created.token)).status).toBe(200);
    await admin.bureau.tokens.revoke.mutate({ id: created.id });
    expect((await call(f.node('TH').url, 'bureau.audit.verify', 'query', created.token)).status).toBe(401);
  });

  it('tells each role the access rules it passes, the same table the procedures are guarded by', async () => {
    const rules = async (token: string | undefined) => (await f.client(f.node('TH'), token).session.whoami.query()).access;
    expect(await rules(tokens.officer)).toEqual(['bureau.read', 'bureau.act']);
    expect(await rules(tokens.auditor)).toEqual(['bureau.read', 'bureau.audit', 'bureau.privacy']);
    expect(await rules(tokens.admin)).toEqual(['bureau.audit', 'bureau.admin', 'bureau.privacy', 'bureau.review']);
    for (const [access, roles] of Object.entries((await f.client(f.node('TH'), tokens.admin).session.whoami.query()).rules))
      for (const path of Object.keys(ALLOWED).filter((p) => RULE_OF[p] === access)) expect(ALLOWED[path], path).toEqual([...roles]);
  });

  it('lets the liaison administrator mint, list and revoke the office tokens, and no analyst', async () => {
    const admin = f.client(f.liaison, await f.token(f.liaison, 'admin'));
    const minted = await admin.liaison.tokens.create.mutate({ name: 'night analyst', role: 'analyst' });
    expect((await f.client(f.liaison, minted.token).session.whoami.query()).access).toEqual(['liaison.read']);
    await expect(f.client(f.liaison, minted.token).liaison.tokens.list.query()).rejects.toThrow(/may not do this/);
    await expect(admin.liaison.tokens.create.mutate({ name: 'x', role: 'officer' })).rejects.toThrow(/does not exist on a liaison node/);
    expect((await admin.liaison.tokens.list.query()).find((t) => t.id === minted.id)?.revokedAt).toBeNull();
    await admin.liaison.tokens.revoke.mutate({ id: minted.id });
    expect((await admin.liaison.tokens.list.query()).find((t) => t.id === minted.id)?.revokedAt).toBeTypeOf('number');
    await expect(f.client(f.liaison, minted.token).session.whoami.query()).rejects.toThrow();
  });
});
