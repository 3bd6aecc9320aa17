/**
 * First run of a replay: a liaison office and one national node per country, initialised in the data
 * folder, every member in the directory, the operation created, and a token for every role of every
 * node (so a person can open every page). Tokens are written once to <data>/tokens.txt (mode 0600) and
 * kept in the state file (0600); they are printed to the terminal that started the replay, never logged.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  addMember,
  createLogger,
  createOperation,
  createToken,
  initNode,
  LIAISON_ROLES,
  NATIONAL_ROLES,
  openNode,
  publishDirectory,
} from '@firstlight/node';
import type { Country, Scenario } from './scenario.js';

export type Tokens = Record<string, Record<string, string>>;

/** Each node's operators' listener (bureau API, console): what the replay's clients and printed URLs use. */
export const urlOf = (portBase: number, i: number) => `http://127.0.0.1:${portBase + i}`;
/**
 * Each node's federation listener (mutual TLS, the nodes' own traffic; docs/OPERATIONS.md §9) sits this
 * many ports above its operators' listener: 100 while the federation has at most 100 nodes (23 and 76
 * countries, and every data folder set up so far), else the next hundred that clears every operators'
 * port (200 for 196 countries and the liaison office), so the two ranges never overlap.
 */
export const federationOffset = (nodes: number) => Math.max(100, Math.ceil(nodes / 100) * 100);
const federationUrlOf = (portBase: number, offset: number, i: number) => `https://127.0.0.1:${portBase + offset + i}`;

export async function setupFederation(root: string, portBase: number, scenario: Scenario): Promise<{ anchor: string; tokens: Tokens }> {
  mkdirSync(root, { recursive: true });
  const offset = federationOffset(scenario.countries.length + 1);
  const quiet = createLogger({ level: 'silent' });
  const lo = await initNode({
    data: join(root, 'LIAISON'),
    role: 'liaison',
    name: scenario.liaison.name,
    host: '127.0.0.1',
    port: portBase + offset,
    operatorPort: portBase,
  });
  const anchor = lo.anchor as string;
  const tokens: Tokens = {};
  const keys: Array<{ country: Country; jwk: unknown; url: string; tlsPin: string }> = [];
  for (const [i, country] of scenario.countries.entries()) {
    const url = federationUrlOf(portBase, offset, i + 1);
    const init = await initNode({
      data: join(root, country.code),
      role: 'national',
      country: country.code,
      name: country.name,
      host: '127.0.0.1',
      port: portBase + offset + i + 1,
      operatorPort: portBase + i + 1,
      liaison: federationUrlOf(portBase, offset, 0),
      anchor,
    });
    keys.push({ country, jwk: init.publicJwk, url, tlsPin: init.tlsPin });
    const node = await openNode({ dataDir: join(root, country.code), logger: quiet });
    try {
      tokens[country.code] = {};
      for (const role of NATIONAL_ROLES) {
        const made = await createToken(node.ctx.db, { name: `simulation ${role}`, role, nodeRole: 'national', now: Date.now() });
        (tokens[country.code] as Record<string, string>)[role] = made.token;
      }
    } finally {
      await node.close();
    }
  }
  const liaison = await openNode({ dataDir: join(root, 'LIAISON'), logger: quiet });
  try {
    for (const k of keys)
      await addMember(liaison.ctx.db, {
        country: k.country.code,
        name: k.country.name,
        endpoint: k.url,
        jwk: k.jwk,
        tlsPins: [k.tlsPin],
        now: Date.now(),
      });
    await createOperation(liaison.ctx.db, { ...scenario.operation, participants: scenario.countries.map((c) => c.code) });
    await publishDirectory(liaison.ctx, { validitySeconds: 365 * 86_400 });
    tokens.LIAISON = {};
    for (const role of LIAISON_ROLES) {
      const made = await createToken(liaison.ctx.db, { name: `simulation ${role}`, role, nodeRole: 'liaison', now: Date.now() });
      tokens.LIAISON[role] = made.token;
    }
  } finally {
    await liaison.close();
  }
  writeTokensFile(root, tokens, portBase, scenario);
  return { anchor, tokens };
}

export const tokensFile = (root: string) => join(root, 'tokens.txt');

function writeTokensFile(root: string, tokens: Tokens, portBase: number, scenario: Scenario): void {
  const lines = [
    '# Operator tokens of this simulation, every role of every node (synthetic federation; keep this file private).',
    `# node\turl\trole\ttoken`,
    ...Object.entries(tokens.LIAISON ?? {}).map(([role, token]) => `LIAISON\t${urlOf(portBase, 0)}\t${role}\t${token}`),
    ...scenario.countries.flatMap((c, i) =>
      Object.entries(tokens[c.code] ?? {}).map(([role, token]) => `${c.code}\t${urlOf(portBase, i + 1)}\t${role}\t${token}`),
    ),
  ];
  writeFileSync(tokensFile(root), `${lines.join('\n')}\n`, { mode: 0o600 });
}
