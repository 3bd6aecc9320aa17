/**
 * The kit's catalogue, without a target: every registered check has a stable kebab-case id and cites a
 * section that PROTOCOL.md really has; `--list` prints every one of them; `--only` selectors pick by
 * id or by section (a section takes its subsections and its numbered checks, and nothing else), and an
 * unknown one is refused.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { selectChecks, selectors, UnknownSelectorError } from '../src/kit/catalogue.js';
import { catalogue } from '../src/kit/checks/index.js';

const TEST_DIR = fileURLToPath(new URL('..', import.meta.url));
const PROTOCOL = fileURLToPath(new URL('../../docs/PROTOCOL.md', import.meta.url));
const TSX = join(TEST_DIR, 'node_modules/.bin/tsx');
const checks = catalogue();

/** The section numbers PROTOCOL.md has headings for, and the numbered checks of §3's verification order. */
function protocolSections(): Set<string> {
  const text = readFileSync(PROTOCOL, 'utf8');
  const sections = new Set([...text.matchAll(/^#{2,3} (\d+(?:\.\d+)*)\.? /gm)].map((m) => `§${m[1]}`));
  const order = text.slice(text.indexOf('## 3. '), text.indexOf('### 3.1 '));
  for (const m of order.matchAll(/^(\d+)\. \*\*/gm)) sections.add(`§3 check ${m[1]}`);
  return sections;
}

const kitCli = (...args: string[]) => spawnSync(TSX, ['src/kit/main.ts', ...args], { cwd: TEST_DIR, encoding: 'utf8' });

describe('the conformance catalogue', () => {
  it('gives every check a unique kebab-case id and a section PROTOCOL.md has', () => {
    const sections = protocolSections();
    expect(sections).toContain('§3 check 12');
    expect(sections).toContain('§2.3.2');
    expect(checks.length).toBeGreaterThanOrEqual(165);
    expect(new Set(checks.map((c) => c.id)).size).toBe(checks.length);
    expect(checks.filter((c) => !/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/.test(c.id)).map((c) => c.id)).toEqual([]);
    expect(checks.filter((c) => !sections.has(c.section)).map((c) => `${c.id}: ${c.section}`)).toEqual([]);
  });

  it('--list prints every registered check with its section, id and title', () => {
    const run = kitCli('--list');
    expect(run.status).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines.at(-1)).toBe(`${checks.length} checks`);
    for (const [i, c] of checks.entries()) expect(lines[i]?.split(/ {2,}/)).toEqual([c.section, c.id, c.title]);
    const json = kitCli('--list', '--json');
    expect(JSON.parse(json.stdout)).toEqual({ checks: checks.map(({ id, section, title }) => ({ id, section, title })) });
  });

  it('--list with --only prints exactly the checks it picks', () => {
    const run = kitCli('--list', '--json', '--only', 'alg-none,§3.2', '--only', '2.5');
    expect(run.status).toBe(0);
    expect((JSON.parse(run.stdout) as { checks: Array<{ id: string }> }).checks.map((c) => c.id)).toEqual([
      'ip-private',
      'ip-cgnat',
      'alg-none',
      ...checks.filter((c) => c.section === '§2.5' && c.id.startsWith('vector-ip-unroutable-')).map((c) => c.id),
      'rotating-key-accepted',
      'rotated-old-key-refused',
      'rotated-new-key-accepted',
    ]);
  });

  it('picks by id, by section with its subsections and numbered checks, and nothing else', () => {
    const pick = (...values: string[]) => selectChecks(checks, selectors(...values)).map((c) => c.id);
    expect(pick('key-revoked')).toEqual(['key-revoked']);
    expect(pick('§3 check 1')).toEqual(checks.filter((c) => c.section === '§3 check 1').map((c) => c.id));
    expect(pick('§3 check 1')).not.toContain('expired'); // §3 check 10
    expect(pick('3.1')).not.toContain('jws-too-large'); // §3 check 1
    const two = pick('2.3');
    expect(new Set(checks.filter((c) => two.includes(c.id)).map((c) => c.section))).toEqual(new Set(['§2.3', '§2.3.1', '§2.3.2']));
    const three = new Set(checks.filter((c) => pick('§3').includes(c.id)).map((c) => c.section.split(/[ .]/)[0]));
    expect(three).toEqual(new Set(['§3']));
    expect(pick('key-revoked', ' § 3   CHECK 4 ')).toEqual(pick('3 check 4'));
    expect(pick()).toHaveLength(checks.length);
  });

  it('refuses an unknown id or section, saying how to see the valid ones', () => {
    expect(() => selectChecks(checks, selectors('key-revoked', 'no-such-check', '9.9'))).toThrow(UnknownSelectorError);
    expect(() => selectChecks(checks, selectors('no-such-check'))).toThrow('`pnpm conformance --list` prints');
    expect(() => selectors('Not An Id!')).toThrow('neither a check id');
  });
});
