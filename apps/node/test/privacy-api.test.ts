import { join } from 'node:path';
import { TRPCClientError } from '@trpc/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestFederation, type TestFederation } from '../src/testing/federation.js';
import { CANARY, fileComplaint } from '../src/testing/fixtures.js';
import { runCli } from '../src/testing/run-cli.js';

/** Issue #21 at the edges: the bureau API and the CLI refuse reads without a purpose and answer the access log. */
describe('personal data at the API and the CLI', () => {
  let f: TestFederation;
  let officerToken: string;
  let complaintId: string;
  let digest: string;
  const data = () => join(f.root, 'TH');

  beforeAll(async () => {
    f = await createTestFederation({ countries: ['TH', 'KH'] });
    officerToken = await f.token(f.node('TH'), 'officer');
    ({ complaintId, digest } = await fileComplaint(f, f.node('TH'), officerToken));
  });
  afterAll(() => f.close());

  const codeOf = async (call: Promise<unknown>) => {
    try {
      await call;
      return 'resolved';
    } catch (error) {
      if (!(error instanceof TRPCClientError)) throw error;
      return `${error.data?.httpStatus} ${error.data?.firstlightCode}`;
    }
  };

  it('lists complaints without personal data and opens one only with a purpose', async () => {
    const officer = f.client(f.node('TH'), officerToken);
    const list = await officer.bureau.complaints.list.query();
    expect(list.map((c) => c.id)).toContain(complaintId);
    expect(JSON.stringify(list)).not.toContain(CANARY.name);
    expect(await codeOf(officer.bureau.complaints.get.query({ id: complaintId }))).toBe('412 ERR_PURPOSE_REQUIRED');
    expect(await codeOf(officer.bureau.complaints.get.query({ id: complaintId, purpose: 'to look' }))).toBe('412 ERR_PURPOSE_REQUIRED');
    const opened = await officer.bureau.complaints.get.query({ id: complaintId, purpose: 'TH-2015-0042' });
    expect(opened.victimName).toBe(CANARY.name);
  });

  it('hands out an evidence file only to an officer or auditor who gives a purpose', async () => {
    const url = (q: string) => `${f.node('TH').url}/bureau/evidence?complaintId=${complaintId}&digest=${digest}${q}`;
    const get = async (q: string, token: string) => {
      const r = await fetch(url(q), { headers: { authorization: `Bearer ${token}` } });
      return { status: r.status, text: await r.text() };
    };
    const none = await get('', officerToken);
    expect([none.status, JSON.parse(none.text).error.code]).toEqual([412, 'ERR_PURPOSE_REQUIRED']);
    expect((await get('&purpose=TH-1', await f.token(f.node('TH'), 'admin'))).status).toBe(403);
    const other = `sha256:${'0'.repeat(64)}`;
    const missing = await fetch(url('&purpose=TH-1').replace(digest, other), { headers: { authorization: `Bearer ${officerToken}` } });
    expect(missing.status).toBe(404);
    const file = await get('&purpose=TH-2015-0042', await f.token(f.node('TH'), 'auditor'));
    expect([file.status, file.text]).toEqual([200, 'fake warrant page']);
  });

  it('from the CLI: --purpose required (exit 2), the access log answered, erasure with a tombstone', async () => {
    const refused = await runCli(['complaint', 'show', '--data', data(), '--complaint', complaintId]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('ERR_PURPOSE_REQUIRED');
    const shown = await runCli(['complaint', 'show', '--data', data(), '--complaint', complaintId, '--purpose', 'TH-2015-0099']);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain(CANARY.name);
    const erased = await runCli([
      'complaint',
      'erase',
      '--data',
      data(),
      '--complaint',
      complaintId,
      '--reason',
      'victim withdrew (DPO-3)',
    ]);
    expect(erased.code).toBe(0);
    expect(erased.stdout).toContain('erased');
    const gone = await runCli(['complaint', 'show', '--data', data(), '--complaint', complaintId, '--purpose', 'TH-2015-0099']);
    expect([gone.code, gone.stderr.includes('ERR_ERASED')]).toEqual([1, true]);
    const access = await runCli(['audit', 'access', '--data', data(), '--complaint', complaintId, '--json']);
    expect(access.code).toBe(0);
    const entries = JSON.parse(access.stdout) as Array<{
      action: string;
      item: string;
      purpose: string;
      reason: string;
      operator: { role: string };
      at: unknown;
    }>;
    // --json times are ISO 8601 UTC text, like every other command's (cli/json-times.ts).
    for (const e of entries) expect(e.at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    expect(entries.map((e) => [e.action, e.item, e.purpose || e.reason, e.operator.role])).toEqual([
      ['read', 'complaint', 'TH-2015-0042', 'officer'],
      ['read', `evidence:${digest}`, 'TH-2015-0042', 'auditor'],
      ['read', 'complaint', 'TH-2015-0099', 'cli'],
      ['erase', '', 'victim withdrew (DPO-3)', 'cli'],
    ]);
    const table = await runCli(['audit', 'access', '--data', data(), '--complaint', complaintId]);
    expect(table.stdout.split('\n')[0]).toMatch(/^seq\s+at\s+action\s+operator\s+why\s+check/);
    expect(table.stdout).toMatch(/read complaint\s+test-officer \(officer, [0-9a-f]+\)\s+TH-2015-0042\s+ok/);
    expect(table.stdout).toMatch(/erase\s+.*\(cli, cli:.*\)\s+victim withdrew \(DPO-3\)\s+ok/);
    const auditor = f.client(f.node('TH'), await f.token(f.node('TH'), 'auditor'));
    expect((await auditor.bureau.privacy.access.query({ id: complaintId })).length).toBe(4);
    const bad = await runCli(['audit', 'access', '--data', data(), '--complaint', complaintId, '--referral', complaintId]);
    expect([bad.code, bad.stderr.includes('ERR_INPUT')]).toEqual([2, true]);
  });
});
