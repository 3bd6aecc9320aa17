import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusters } from '../liaison/clusters.js';
import { createTestFederation, type TestFederation } from '../testing/federation.js';
import { refer } from '../testing/fixtures.js';
import { runCli } from '../testing/run-cli.js';
import { testsUsePostgres } from '../testing/scratch-db.js';

const dialect = testsUsePostgres() ? 'PostgreSQL' : 'SQLite';
const OUTCOME = { suspectsIdentified: 12, arrests: 9, premisesSearched: 1, callCentresDismantled: 1 };

const run = runCli;
const ISO_SECOND = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

/** Fields named like times (iat, createdAt, created_at, lastContact…); brokenAt is an entry number. */
const TIME_KEY = /^(iat|exp|nbf|lastContact)$|At$|_at$/;

/** Every time in --json output is ISO 8601 text (json-times.ts), never a number in some unit: paths of the offenders. */
function epochTimes(value: unknown, path = ''): string[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => epochTimes(v, `${path}[${i}]`));
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([k, v]) =>
    TIME_KEY.test(k) && k !== 'brokenAt' && typeof v === 'number' ? [`${path}.${k}`] : epochTimes(v, `${path}.${k}`),
  );
}

/** Runs a command that must succeed and parses its --json output, whose times must all be ISO 8601 text. */
async function json(args: string[]): Promise<unknown> {
  const result = await run([...args, '--json']);
  if (result.code !== 0) throw new Error(`firstlight ${args.join(' ')} exited ${result.code}: ${result.stderr}`);
  const parsed: unknown = JSON.parse(result.stdout);
  expect(epochTimes(parsed), `firstlight ${args.join(' ')} --json`).toEqual([]);
  return parsed;
}

/** A refusal: the exit code, one `error CODE: …` line and no stack trace. */
function expectRefused(result: { code: number; stdout: string; stderr: string }, exit: number, code: string) {
  expect(result.code).toBe(exit);
  expect(result.stdout).toBe('');
  expect(result.stderr).toMatch(new RegExp(`^error ${code}: `));
  expect(result.stderr).not.toMatch(/\n\s+at /);
}

describe(`firstlight read commands on a live federation (${dialect})`, () => {
  let f: TestFederation;
  let th: string;
  let lo: string;
  /** TH → KH, answered with two statuses; VN → KH on the same network with the same evidence; TH → VN while VN is down. */
  const sent = { answered: '', fromVn: '', dead: '' };

  beforeAll(async () => {
    // Dead-lettered one second after the first failure, so a message to a stopped peer is a problem at once.
    f = await createTestFederation({ countries: ['TH', 'KH', 'VN'], override: { deadLetterAfterSeconds: 1 } });
    th = f.node('TH').ctx.dataDir;
    lo = f.liaison.ctx.dataDir;
    const officer = { TH: await f.token(f.node('TH'), 'officer'), VN: await f.token(f.node('VN'), 'officer') };
    const khOfficer = await f.token(f.node('KH'), 'officer');
    sent.answered = (await refer(f, f.node('TH'), officer.TH, 'KH', { offset: 0, evidenceText: 'one call centre page' })).id;
    sent.fromVn = (await refer(f, f.node('VN'), officer.VN, 'KH', { offset: 1, evidenceText: 'one call centre page' })).id;
    const kh = f.client(f.node('KH'), khOfficer);
    await f.until(async () => (await kh.bureau.inbox.list.query()).some((r) => r.id === sent.answered));
    await kh.bureau.inbox.updateStatus.mutate({ referralId: sent.answered, state: 'located' });
    await kh.bureau.inbox.updateStatus.mutate({ referralId: sent.answered, state: 'action_taken', outcome: OUTCOME });
    const thReader = f.client(f.node('TH'), officer.TH);
    await f.until(async () => (await thReader.bureau.referrals.get.query({ id: sent.answered })).statuses.length === 2);

    await f.node('VN').stop();
    sent.dead = (await refer(f, f.node('TH'), officer.TH, 'VN', { evidenceText: 'another page' })).id;
    await f.until(async () => {
      const d = (await thReader.bureau.referrals.get.query({ id: sent.dead })).delivery.find((x) => x.peer === 'VN');
      return d?.state === 'dead';
    });
    const analyst = f.client(f.liaison, await f.token(f.liaison, 'analyst'));
    await f.until(async () => (await analyst.liaison.overview.query({})).headline.statuses === 2);
  }, 180_000);
  afterAll(() => f?.close());

  it("`referrals` shows the origin what came back: the recipient's latest state, outcome and delivery", async () => {
    const rows = (await json(['referrals', '--data', th])) as Array<Record<string, unknown>>;
    expect(rows.map((r) => r.id).sort()).toEqual([sent.answered, sent.dead].sort());
    const answered = rows.find((r) => r.id === sent.answered);
    expect(answered).toMatchObject({ to: 'KH', state: 'action_taken', outcome: OUTCOME });
    expect(answered?.delivery).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ peer: 'KH', state: 'delivered' }),
        expect.objectContaining({ peer: 'LIAISON', state: 'delivered' }),
      ]),
    );

    const unanswered = (await json(['referrals', '--data', th, '--state', 'sent'])) as Array<Record<string, unknown>>;
    expect(unanswered.map((r) => r.id)).toEqual([sent.dead]);

    const table = await run(['referrals', '--data', th, '--state', 'action_taken']);
    expect(table.code).toBe(0);
    expect(table.stdout).toContain(sent.answered);
    expect(table.stdout).not.toContain(sent.dead);
    expect(table.stdout).toMatch(
      /action_taken\s+delivered, accepted\s+delivered, accepted\s+12 suspects, 9 arrests, 1 premises, 1 call centres/,
    );
  }, 60_000);

  it('`referral show` gives who signed each status and when, the signed receipts and the delivery attempts', async () => {
    const shown = (await json(['referral', 'show', '--data', th, '--id', sent.answered])) as {
      statuses: Array<Record<string, unknown>>;
      delivery: Array<Record<string, unknown>>;
    };
    expect(shown.statuses.map((s) => [s.from, s.state, s.outcome])).toEqual([
      ['KH', 'located', null],
      ['KH', 'action_taken', OUTCOME],
    ]);
    // --json times are ISO 8601 UTC text, whatever unit the domain keeps them in.
    for (const s of shown.statuses) expect(s.iat).toMatch(ISO_SECOND);
    expect((shown as unknown as { createdAt: unknown }).createdAt).toMatch(ISO_SECOND);
    const toKh = shown.delivery.find((d) => d.peer === 'KH');
    expect(toKh).toMatchObject({
      state: 'delivered',
      attempts: expect.any(Number),
      receipt: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/),
    });

    const human = await run(['referral', 'show', '--data', th, '--id', sent.answered]);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/KH\s+action_taken\s+12 suspects/);
    expect(human.stdout).toMatch(/KH\s+delivered, accepted\s+\d+\s+accepted by KH \d{4}-/);
    expect(human.stdout).toMatch(/LIAISON\s+delivered, accepted\s+\d+\s+accepted by LIAISON/);
  }, 60_000);

  it('`outbox problems` lists the dead letter and `outbox retry` delivers it once the peer is back', async () => {
    const problems = (await json(['outbox', 'problems', '--data', th])) as Array<Record<string, unknown>>;
    const dead = problems.find((p) => p.message_id === sent.dead);
    expect(dead).toMatchObject({ peer: 'VN', state: 'dead', kind: 'referral', last_error: expect.stringMatching(/\S/) });

    await f.restart('VN');
    expect(await json(['outbox', 'retry', '--data', th, '--id', String(dead?.id)])).toEqual({ id: dead?.id, requeued: true, due: 1 });
    // The running TH node picks the requeued message up by itself.
    await f.until(async () => {
      const shown = (await json(['referral', 'show', '--data', th, '--id', sent.dead])) as { delivery: Array<Record<string, unknown>> };
      return shown.delivery.find((d) => d.peer === 'VN')?.state === 'delivered';
    }, 60_000);
    expect((await json(['outbox', 'problems', '--data', th])) as unknown[]).toEqual([]);

    // Nothing left to requeue: the same rule as bureau.outbox.retry.
    expectRefused(await run(['outbox', 'retry', '--data', th, '--id', String(dead?.id)]), 1, 'ERR_NOT_FOUND');
  }, 120_000);

  it('`overview` counts the referrals per country and the headline figures from the signed statuses', async () => {
    const view = (await json(['overview', '--data', lo, '--operation', 'first-light-2015'])) as {
      operation: { id: string } | null;
      headline: Record<string, number>;
      perCountry: Array<{ country: string; sent: number; received: number }>;
    };
    expect(view.operation?.id).toBe('first-light-2015');
    expect(view.headline).toMatchObject({ referrals: 3, statuses: 2, ...OUTCOME });
    const byCountry = Object.fromEntries(view.perCountry.map((c) => [c.country, [c.sent, c.received]]));
    expect(byCountry).toMatchObject({ TH: [2, 0], VN: [1, 1], KH: [0, 2] });

    const human = await run(['overview', '--data', lo]);
    expect(human.stdout).toContain('3 referrals · 2 signed statuses');
    expect(human.stdout).toContain('12 suspects identified · 9 arrests · 1 premises searched · 1 call centres dismantled');
  }, 60_000);

  it('`clusters --json` prints exactly what the correlation returns; the table shows each cluster with its countries', async () => {
    const printed = await json(['clusters', '--data', lo]);
    expect(printed).toEqual(JSON.parse(JSON.stringify(await clusters(f.liaison.ctx, { limit: 100 }))));
    const human = await run(['clusters', '--data', lo]);
    expect(human.code).toBe(0);
    // TH and VN both sent a referral to the same KH network with the same evidence file: one suspected call centre.
    expect(human.stdout).toMatch(/^1\. countries TH, VN · 2 referrals$/m);
  }, 60_000);

  it('`health` lists every member with its last contact, and none silent that was just heard from', async () => {
    const view = (await json(['health', '--data', lo])) as { serial: number; members: Array<Record<string, unknown>> };
    expect(view.serial).toBeGreaterThan(0);
    const th = view.members.find((m) => m.country === 'TH');
    expect(th).toMatchObject({ role: 'national', lastContact: expect.stringMatching(ISO_SECOND), silent: false });
    expect(view.members.map((m) => m.country)).toEqual(expect.arrayContaining(['TH', 'KH', 'VN']));
  }, 60_000);

  it('refuses a command meant for the other kind of node with ERR_WRONG_ROLE, exit 2', async () => {
    const [liaisonOnNational, nationalOnLiaison] = await Promise.all([
      run(['overview', '--data', th]),
      run(['referrals', '--data', lo, '--json']),
    ]);
    expectRefused(liaisonOnNational, 2, 'ERR_WRONG_ROLE');
    expect(liaisonOnNational.stderr).toContain('`firstlight overview` is a command for the liaison office');
    expectRefused(nationalOnLiaison, 2, 'ERR_WRONG_ROLE');
    expect(nationalOnLiaison.stderr).toContain('is the liaison office (LIAISON)');
  }, 60_000);

  it('refuses a bad flag value with the flag named, exit 2, before touching the node', async () => {
    const [state, id, retry, operation] = await Promise.all([
      run(['referrals', '--data', th, '--state', 'arrested']),
      run(['referral', 'show', '--data', th, '--id', '42']),
      run(['outbox', 'retry', '--data', th, '--id', 'first']),
      run(['clusters', '--data', lo, '--operation', 'First Light']),
    ]);
    expectRefused(state, 2, 'ERR_INPUT');
    expect(state.stderr).toContain('--state must be one of sent, acknowledged,');
    expectRefused(id, 2, 'ERR_INPUT');
    expect(id.stderr).toContain('--id must be a referral id');
    expectRefused(retry, 2, 'ERR_INPUT');
    expect(retry.stderr).toContain('--id must be an outbox message id');
    expectRefused(operation, 2, 'ERR_INPUT');
    expect(operation.stderr).toContain('--operation must be a lowercase slug');
  }, 60_000);
});
