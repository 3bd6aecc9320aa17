/**
 * What every browser test needs: the built console (rebuilt when the source is newer), Debian's
 * Chromium driven by playwright-core (no browser download), sign-in, navigation by URL, and a check
 * that screenshots a page into artifacts/ and runs axe-core in it (no violations allowed).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { expect } from 'vitest';

export const root = resolve(import.meta.dirname, '..');
export const dist = join(root, 'dist');
export const artifacts = join(root, 'artifacts');
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** The newest modification time under `dir` (ms). */
function newest(dir: string): number {
  return Math.max(
    0,
    ...readdirSync(dir, { withFileTypes: true }).map((e) =>
      e.isDirectory() ? newest(join(dir, e.name)) : statSync(join(dir, e.name)).mtimeMs,
    ),
  );
}

/** Builds dist/ when it is missing or older than the source: a stale build would test yesterday's console. */
export function buildConsole(): void {
  const built = existsSync(join(dist, 'index.html')) ? statSync(join(dist, 'index.html')).mtimeMs : 0;
  if (built < Math.max(newest(join(root, 'src')), statSync(join(root, 'index.html')).mtimeMs))
    execFileSync(process.execPath, [join(root, 'node_modules/vite/bin/vite.js'), 'build'], { cwd: root, stdio: 'ignore' });
  mkdirSync(artifacts, { recursive: true });
}

export function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** Generous waits: CI machines are slower and busier than a laptop; a real failure still fails. */
export async function newPage(browser: Browser, options?: Parameters<Browser['newPage']>[0]): Promise<Page> {
  const page = await browser.newPage({ locale: 'en-GB', timezoneId: 'Asia/Bangkok', ...options });
  page.setDefaultTimeout(90_000);
  return page;
}

export async function signIn(browser: Browser, url: string, token: string, viewport = { width: 1280, height: 900 }): Promise<Page> {
  const page = await newPage(browser, { viewport });
  await page.goto(url);
  await page.getByLabel('Operator token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
  return page;
}

/** axe-core in the page: no violations, and a screenshot for the artifacts. */
export async function check(page: Page, name: string) {
  await page.waitForTimeout(300);
  await page.screenshot({ path: join(artifacts, `${name}.png`), fullPage: true });
  await page.addScriptTag({ content: axeSource });
  const violations = (await page.evaluate(async () => {
    const axe = (
      window as unknown as {
        axe: { run: (ctx: Document, o: unknown) => Promise<{ violations: Array<{ id: string; help: string; nodes: unknown[] }> }> };
      }
    ).axe;
    const r = await axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map(
      (v) =>
        `${v.id}: ${v.help} (${v.nodes.length}) ${JSON.stringify((v.nodes as Array<{ target: unknown; failureSummary?: string }>).slice(0, 2).map((n) => [n.target, n.failureSummary]))}`,
    );
  })) as string[];
  expect(violations, name).toEqual([]);
}

/** Goes to a console URL (`inbox`, `received/ID`, `inbox?state=received`) as a person following a link would. */
export async function go(page: Page, path: string) {
  await page.evaluate((h) => {
    window.location.hash = h;
  }, `#/${path}`);
}

/** The hash part of the page's URL, e.g. "#/inbox?state=received". */
export const hashOf = (page: Page) => new URL(page.url()).hash;
