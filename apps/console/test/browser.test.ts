/**
 * The console in real Chromium (Debian's /usr/bin/chromium, driven by playwright-core; no download)
 * against a real liaison office and two national nodes, each serving the built console.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { createTestFederation, type TestFederation } from '@firstlight/node/testing';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..');
const dist = join(root, 'dist');
const artifacts = join(root, 'artifacts');
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

let f: TestFederation;
let browser: Browser;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  if (!existsSync(join(dist, 'index.html')))
    execFileSync(process.execPath, [join(root, 'node_modules/vite/bin/vite.js'), 'build'], { cwd: root, stdio: 'ignore' });
  mkdirSync(artifacts, { recursive: true });
  f = await createTestFederation({ countries: ['TH', 'KH'], consoleDir: dist });
  tokens.th = await f.token(f.node('TH'), 'officer');
  tokens.kh = await f.token(f.node('KH'), 'officer');
  tokens.analyst = await f.token(f.liaison, 'analyst');
  tokens.admin = await f.token(f.liaison, 'admin');
  browser = await chromium.launch({
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
});

afterAll(async () => {
  await browser?.close();
  await f?.close();
});

/** Generous waits: CI machines are slower and busier than a laptop; a real failure still fails. */
async function newPage(options?: Parameters<Browser['newPage']>[0]): Promise<Page> {
  const page = await browser.newPage(options);
  page.setDefaultTimeout(90_000);
  return page;
}

async function signIn(url: string, token: string): Promise<Page> {
  const page = await newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(url);
  await page.getByLabel('Operator token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
  return page;
}

/** axe-core in the page: no violations, and a screenshot for the artifacts. */
async function check(page: Page, name: string) {
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

async function go(page: Page, id: string) {
  await page.evaluate((h) => {
    window.location.hash = h;
  }, `#/${id}`);
}

describe('the console', () => {
  it('refuses a wrong token in words', async () => {
    const page = await newPage();
    await page.goto(f.liaison.url);
    await check(page, 'sign-in');
    await page.getByLabel('Operator token').fill('flt_not-a-real-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('This token is not valid here');
    await page.screenshot({ path: join(artifacts, 'sign-in-refused.png') });
    await page.close();
  });

  it('carries a referral from one bureau to another and into the liaison overview', async () => {
    // Thailand files a complaint and refers the suspect IP, seeing where it routes before sending.
    const th = await signIn(f.node('TH').url, tokens.th as string);
    await go(th, 'intake');
    await th.getByRole('heading', { name: 'New complaint' }).waitFor();
    await expect(th.getByRole('note').textContent()).resolves.toContain('stays in this country');
    await th.getByLabel("Victim's name").fill('Browser Test Victim');
    await th.getByLabel("Victim's phone or e-mail").fill('+66 81 000 0000');
    await th.getByLabel('Amount lost').fill('250000');
    await th.getByLabel('What happened').fill('A fake police officer showed me an arrest warrant website.');
    await th
      .getByLabel('Evidence file')
      .setInputFiles({ name: 'warrant.html', mimeType: 'text/html', buffer: Buffer.from('<h1>fake warrant</h1>') });
    await check(th, 'national-intake');
    await th.getByRole('button', { name: 'Save complaint' }).click();
    const kh = f.node('KH');
    const ip = (() => {
      const ranges = kh.services.routing().v4RangesOf('KH');
      const big = ranges.find(([s, e]) => e - s > 1000) ?? ranges[0];
      const x = (big as [number, number])[0] + 11;
      return `${(x >>> 24) & 255}.${(x >>> 16) & 255}.${(x >>> 8) & 255}.${x & 255}`;
    })();
    await th.getByLabel('Suspect IP address').fill(ip);
    await th.getByText('This IP routes to KH').waitFor();
    await th.getByRole('button', { name: 'Send referral' }).click();
    await th.getByText('Referral sent to KH').waitFor();
    await check(th, 'national-refer');
    await go(th, 'outbox');
    await th.getByText('LIAISON: delivered').waitFor();
    await check(th, 'national-outbox');

    // Cambodia sees it in its inbox and acts on it.
    const khPage = await signIn(kh.url, tokens.kh as string);
    await go(khPage, 'inbox');
    await khPage.getByRole('cell', { name: ip }).waitFor();
    await expect.poll(() => khPage.locator('tbody tr').first().textContent()).toContain('Due in');
    await check(khPage, 'national-inbox');
    for (const [button, arrests] of [
      ['Acknowledge', null],
      ['Mark located', null],
      ['Action taken', 7],
    ] as const) {
      await khPage.getByRole('button', { name: button }).first().click();
      if (arrests !== null) {
        await khPage.getByLabel('Suspects identified').fill('9');
        await khPage.getByLabel('Arrests').fill(String(arrests));
        await khPage.getByLabel('Premises searched').fill('1');
        await khPage.getByLabel('Call centres dismantled').fill('1');
        await check(khPage, 'national-status-form');
      }
      await khPage.getByRole('button', { name: 'Send signed status' }).click();
      await khPage.getByRole('button', { name: 'Send signed status' }).waitFor({ state: 'detached' });
    }
    await expect.poll(() => khPage.locator('tbody tr').first().textContent()).toContain('Action taken');

    // A second referral to the same /24 makes a suspected call centre.
    const ranges = kh.services.routing().v4RangesOf('KH');
    expect(ranges.length).toBeGreaterThan(0);
    const { refer } = await import('@firstlight/node/testing-fixtures');
    await refer(f, f.node('TH'), tokens.th as string, 'KH', { offset: 2 });

    // The liaison office's analyst sees the figures, the flow on the map and the cluster; no publish control.
    const lo = await signIn(f.liaison.url, tokens.analyst as string);
    await lo.getByRole('heading', { name: /Operation at a glance/ }).waitFor();
    const arrests = lo.locator('[data-figure="Arrests"] .value');
    await expect.poll(() => arrests.textContent(), { timeout: 60_000 }).toBe('7');
    await lo.locator('[data-flow="TH-KH"]').waitFor();
    await check(lo, 'liaison-overview');
    await go(lo, 'referrals');
    await lo.getByText('2 referrals').waitFor();
    await lo.getByRole('cell').getByRole('button').first().click();
    await lo.getByRole('heading', { name: /Signed history/ }).waitFor();
    await expect.poll(() => lo.locator('.events li').count()).toBeGreaterThanOrEqual(2);
    await check(lo, 'liaison-referrals-history');
    await go(lo, 'clusters');
    await lo.locator('[data-cluster]').first().waitFor();
    await expect(lo.locator('[data-cluster]').first().textContent()).resolves.toContain('TH');
    await check(lo, 'liaison-clusters');
    await go(lo, 'health');
    await lo.getByRole('rowheader', { name: /KH/ }).waitFor();
    await check(lo, 'liaison-health');
    expect(await lo.getByRole('link', { name: 'Directory' }).count()).toBe(0);
    expect(await lo.getByRole('button', { name: /Publish/ }).count()).toBe(0);
    await go(lo, 'directory');
    expect(await lo.getByRole('button', { name: /Publish/ }).count()).toBe(0);

    // The admin does see directory management.
    const admin = await signIn(f.liaison.url, tokens.admin as string);
    await go(admin, 'directory');
    await admin.getByRole('button', { name: 'Publish the next directory' }).waitFor();
    await check(admin, 'liaison-directory');
    await admin.getByRole('button', { name: 'Publish the next directory' }).click();
    await admin.getByText(/Published serial \d+/).waitFor();

    // Signing out forgets the token; the Thai locale works.
    await admin.getByLabel('Language').selectOption('th');
    await admin.getByRole('button', { name: 'ออกจากระบบ' }).click();
    await admin.getByRole('button', { name: 'เข้าสู่ระบบ' }).waitFor();
    expect(await admin.evaluate(() => sessionStorage.getItem('firstlight.token'))).toBeNull();
    await check(admin, 'sign-in-thai');
  });
});
