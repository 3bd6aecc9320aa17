import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestFederation, type TestFederation } from '../src/testing/federation.js';
import { CANARY } from '../src/testing/fixtures.js';

const LIMIT = 4096;

interface Answer {
  status: number;
  contentType: string | undefined;
  text: string;
  body: { digest?: string; size?: number; error?: { code: string; message: string } };
}

/** POSTs the body in chunks over real HTTP (chunked transfer: no Content-Length to trust). */
function upload(url: string, chunks: Buffer[], headers: Record<string, string>): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { 'content-type': 'application/octet-stream', ...headers } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        text += c;
      });
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, contentType: res.headers['content-type'], text, body: JSON.parse(text) as Answer['body'] }),
      );
    });
    // The server may answer 413 and stop reading before the last chunk: that is the point.
    req.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE' && error.code !== 'ECONNRESET') reject(error);
    });
    const write = (i: number) => {
      if (i === chunks.length) return void req.end();
      req.write(chunks[i], () => setImmediate(() => write(i + 1)));
    };
    write(0);
  });
}

describe('evidence upload: size limit and operator auth over HTTP', () => {
  let f: TestFederation;
  const tokens = { officer: '', admin: '', auditor: '' };
  let complaintId: string;
  beforeAll(async () => {
    f = await createTestFederation({ countries: ['TH'], override: { evidenceMaxBytes: LIMIT } });
    for (const role of ['officer', 'admin', 'auditor'] as const) tokens[role] = await f.token(f.node('TH'), role);
    complaintId = (
      await f.client(f.node('TH'), tokens.officer).bureau.complaints.create.mutate({
        victimName: CANARY.name,
        victimContact: CANARY.contact,
        amountLost: 1000,
        currency: 'THB',
        scamType: 'fake_courier',
        narrative: CANARY.narrative,
        occurredAt: '2015-06-01',
        reportedAt: '2015-06-02',
      })
    ).id;
  });
  afterAll(() => f.close());

  const evidenceDir = () => join(f.node('TH').ctx.dataDir, 'evidence');
  const stored = async () => {
    const rows = await f.node('TH').ctx.db.selectFrom('evidence').select(['digest', 'size']).execute();
    const files = existsSync(evidenceDir()) ? readdirSync(evidenceDir()).sort() : [];
    return { rows: rows.length, files };
  };
  const post = async (body: Buffer | string, options: { token?: string | null; query?: string; url?: string } = {}) => {
    const token = options.token === undefined ? tokens.officer : options.token;
    const headers: Record<string, string> = { 'content-type': 'text/plain' };
    if (token) headers.authorization = `Bearer ${token}`;
    const query = options.query ?? `complaintId=${complaintId}&filename=page.txt`;
    const response = await fetch(`${options.url ?? f.node('TH').url}/bureau/evidence?${query}`, { method: 'POST', headers, body });
    const text = await response.text();
    return { status: response.status, contentType: response.headers.get('content-type'), text, body: JSON.parse(text) as Answer['body'] };
  };
  const expectError = (
    answer: { status: number; contentType: string | null | undefined; text: string; body: Answer['body'] },
    status: number,
    code: string,
  ) => {
    expect(answer.status).toBe(status);
    expect(answer.contentType).toBe('application/json');
    expect(answer.body.error?.code).toBe(code);
    expect(answer.body.error?.message.length).toBeGreaterThan(10);
    expect(answer.text).not.toMatch(/\bat .*\.[jt]s:\d+|stack|node_modules/);
  };

  it('stores a file of exactly the limit and answers its SHA-256', async () => {
    const body = Buffer.alloc(LIMIT, 'a');
    const answer = await post(body);
    expect(answer.status).toBe(201);
    expect(answer.body).toEqual({ digest: `sha256:${createHash('sha256').update(body).digest('hex')}`, size: LIMIT });
    expect(readFileSync(join(evidenceDir(), (answer.body.digest ?? '').slice(7)))).toEqual(body);
  });

  it('refuses a declared body over the limit with 413 ERR_TOO_LARGE and stores nothing', async () => {
    const before = await stored();
    const answer = await post(Buffer.alloc(LIMIT + 1, 'b'));
    expectError(answer, 413, 'ERR_TOO_LARGE');
    expect(answer.body.error?.message).toContain(String(LIMIT));
    expect(await stored()).toEqual(before);
  });

  it('refuses a streamed body (no Content-Length) once it passes the limit, and leaves no partial file', async () => {
    const before = await stored();
    const chunks = Array.from({ length: 12 }, (_, i) => Buffer.alloc(1024, 97 + i));
    const answer = await upload(`${f.node('TH').url}/bureau/evidence?complaintId=${complaintId}&filename=big.bin`, chunks, {
      authorization: `Bearer ${tokens.officer}`,
    });
    expectError({ ...answer }, 413, 'ERR_TOO_LARGE');
    expect(await stored()).toEqual(before);
    expect((await stored()).files.some((name) => name.startsWith('.upload-'))).toBe(false);
    // Over the limit in its first chunk: refused before the temp file has even finished opening.
    const oneChunk = await upload(
      `${f.node('TH').url}/bureau/evidence?complaintId=${complaintId}&filename=one.bin`,
      [Buffer.alloc(LIMIT + 1, 'z')],
      {
        authorization: `Bearer ${tokens.officer}`,
      },
    );
    expectError({ ...oneChunk }, 413, 'ERR_TOO_LARGE');
    await new Promise((r) => setTimeout(r, 100));
    expect(await stored()).toEqual(before);
    // The node is still serving after the refused stream.
    const small = await upload(
      `${f.node('TH').url}/bureau/evidence?complaintId=${complaintId}&filename=small.bin`,
      [Buffer.from('ok then')],
      {
        authorization: `Bearer ${tokens.officer}`,
      },
    );
    expect(small.status).toBe(201);
  });

  it('refuses a missing or unknown token with 401 ERR_UNAUTHORIZED and other roles with 403 ERR_FORBIDDEN, storing nothing', async () => {
    const before = await stored();
    expectError(await post('secret page', { token: null }), 401, 'ERR_UNAUTHORIZED');
    expectError(await post('secret page', { token: 'flt_not-a-real-token' }), 401, 'ERR_UNAUTHORIZED');
    expectError(await post(Buffer.alloc(LIMIT + 10, 'c'), { token: null }), 401, 'ERR_UNAUTHORIZED');
    expectError(await post('secret page', { token: `${tokens.officer}x` }), 401, 'ERR_UNAUTHORIZED');
    for (const role of ['admin', 'auditor'] as const) expectError(await post('secret page', { token: tokens[role] }), 403, 'ERR_FORBIDDEN');
    // A liaison office token means nothing on a national node, and the liaison office takes no evidence.
    const liaisonAdmin = await f.token(f.liaison, 'admin');
    expectError(await post('secret page', { token: liaisonAdmin }), 401, 'ERR_UNAUTHORIZED');
    expectError(await post('secret page', { token: liaisonAdmin, url: f.liaison.url }), 403, 'ERR_FORBIDDEN');
    expect(await stored()).toEqual(before);
  });

  it('answers bad queries, an unknown complaint and an empty file with stable codes', async () => {
    const before = await stored();
    expectError(await post('page', { query: 'filename=x.txt' }), 400, 'ERR_INPUT');
    expectError(await post('page', { query: `complaintId=not-a-uuid&filename=x.txt` }), 400, 'ERR_INPUT');
    expectError(await post('page', { query: `complaintId=${complaintId}` }), 400, 'ERR_INPUT');
    expectError(await post('page', { query: `complaintId=${complaintId}&filename=x&extra=1` }), 400, 'ERR_INPUT');
    expectError(await post('page', { query: 'complaintId=0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b&filename=x.txt' }), 404, 'ERR_NOT_FOUND');
    expectError(await post(''), 400, 'ERR_INPUT');
    expect(await stored()).toEqual(before);
    // GET is the download (a logged read, test/privacy-api.test.ts): without a token, nothing.
    const get = await fetch(`${f.node('TH').url}/bureau/evidence`);
    expect(get.status).toBe(401);
    expect(((await get.json()) as Answer['body']).error?.code).toBe('ERR_UNAUTHORIZED');
    const put = await fetch(`${f.node('TH').url}/bureau/evidence`, { method: 'PUT', body: 'x' });
    expect(put.status).toBe(404);
    expect(((await put.json()) as Answer['body']).error?.code).toBe('ERR_NOT_FOUND');
  });
});
