/**
 * tRPC's request batching (?batch=1) is not part of the protocol (PROTOCOL.md §5): a node answers one
 * procedure per request, and refuses a batch with a stated client error, not a 500.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestFederation, type TestFederation } from '../src/testing/federation.js';

describe('tRPC batching', () => {
  let f: TestFederation;
  beforeAll(async () => {
    f = await createTestFederation({ countries: ['TH'] });
  });
  afterAll(() => f.close());

  it('refuses ?batch=1 on the federation API with a client error and a stable code', async () => {
    const url = `${f.node('TH').url}/trpc/federation.health,federation.health?batch=1&input=${encodeURIComponent('{}')}`;
    const response = await fetch(url);
    expect(response.status).toBe(400);
    const body = JSON.stringify(await response.json());
    expect(body).toContain('ERR_INPUT');
    expect(body).not.toMatch(/at .*\.(ts|js):\d+/);
    // The same procedure, asked alone, answers.
    expect((await fetch(`${f.node('TH').url}/trpc/federation.health`)).status).toBe(200);
  });
});
