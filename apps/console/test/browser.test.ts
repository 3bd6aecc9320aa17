/**
 * The console in real Chromium (Debian's /usr/bin/chromium, driven by playwright-core; no download)
 * against a real liaison office and two national nodes, each serving the built console.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
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

/** The newest modification time under `dir` (ms). */
function newest(dir: string): number {
  return Math.max(
    0,
    ...readdirSync(dir, { withFileTypes: true }).map((e) =>
      e.isDirectory() ? newest(join(dir, e.name)) : statSync(join(dir, e.name)).mtimeMs,
    ),
  );
}

beforeAll(async () => {
  // Build when dist/ is missing or older than the source: a stale build would test yesterday's console.
  const built = existsSync(join(dist, 'index.html')) ? statSync(join(dist, 'index.html')).mtimeMs : 0;
  if (built < Math.max(newest(join(root, 'src')), statSync(join(root, 'index.html')).mtimeMs))
    execFileSync(process.execPath, [join(root, 'node_modules/vite/bin/vite.js'), 'build'], { cwd: root, stdio: 'ignore' });
  mkdirSync(artifacts, { recursive: true });
  f = await createTestFederation({ countries: ['TH', 'KH'], consoleDir: dist });
  tokens.th = await f.token(f.node('TH'), 'officer');
  tokens.kh = await f.token(f.node('KH'), 'officer');
  tokens.analyst = await f.token(f.liaison, 'analyst');
  tokens.admin = await f.token(f.liaison, 'admin');
  tokens.thAuditor = await f.token(f.node('TH'), 'auditor');
  tokens.thAdmin = await f.token(f.node('TH'), 'admin');
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

async function signIn(url: string, token: string, viewport = { width: 1280, height: 900 }): Promise<Page> {
  const page = await newPage({ viewport });
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

/** The focused element shows a focus ring a person can see: an outline at least 2 px wide. */
async function expectFocusRing(page: Page) {
  const ring = await page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    const style = el ? getComputedStyle(el) : null;
    return { tag: el?.tagName, style: style?.outlineStyle, width: Number.parseFloat(style?.outlineWidth ?? '0') };
  });
  expect(ring.style, `focus ring on ${ring.tag}`).not.toBe('none');
  expect(ring.width, `focus ring on ${ring.tag}`).toBeGreaterThanOrEqual(2);
}

/** Presses Tab until the focused element's text is `name` (fails after 40 presses). */
async function tabTo(page: Page, name: string) {
  for (let i = 0; i < 40; i++) {
    await page.keyboard.press('Tab');
    if ((await page.evaluate(() => document.activeElement?.textContent?.trim())) === name) return;
  }
  throw new Error(`Tab never reached "${name}"`);
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
    await th
      .locator('[data-peer="KH"][data-delivery="delivered"]')
      .getByText(/receipt: accepted \d{4}-\d\d-\d\d/)
      .waitFor();
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
    // Both referrals form ONE suspected call centre, listing the /24 that joined them.
    const centre = lo.locator('[data-cluster]');
    await centre.first().waitFor();
    expect(await centre.count()).toBe(1);
    await expect(centre.textContent()).resolves.toContain('Reported by: TH');
    await expect(centre.textContent()).resolves.toContain('2 referrals');
    await expect(centre.locator('[data-signal="network"]').textContent()).resolves.toMatch(
      /Same network: \d+\.\d+\.\d+\.0\/24 \(links 2 referrals\)/,
    );
    await centre.getByRole('button', { name: 'Show referrals' }).click();
    expect(await centre.locator('button.link').count()).toBe(2);
    await check(lo, 'liaison-clusters');
    await centre.locator('button.link').first().click();
    await lo.getByRole('heading', { name: /Signed history/ }).waitFor();
    await lo.getByRole('button', { name: 'Close' }).click();
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
  it('signs in and moves between pages by keyboard alone, with a visible focus ring', async () => {
    const page = await newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(f.node('KH').url);
    // The sign-in form is rendered by the app after load: pressing Tab before it exists focuses nothing.
    await page.getByLabel('Operator token').waitFor();
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('token');
    await expectFocusRing(page);
    await page.keyboard.type(tokens.kh as string);
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    await tabTo(page, 'Outbox');
    await expectFocusRing(page);
    await page.screenshot({ path: join(artifacts, 'keyboard-focus.png') });
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Referrals sent' }).waitFor();
    expect(page.url()).toMatch(/#\/outbox$/);
    await tabTo(page, 'Sign out');
    await expectFocusRing(page);
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    await page.close();
  });

  it('shows a dead letter to the officer, and lets only an administrator retry it', async () => {
    const th = f.node('TH');
    const row = await th.ctx.db
      .selectFrom('outbox')
      .select(['id', 'message_id'])
      .where('peer', '=', 'KH')
      .where('kind', '=', 'referral')
      .where('state', '=', 'delivered')
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    // A real dead letter takes deadLetterAfterSeconds (a day) of failed deliveries; put the row there directly.
    await th.ctx.db
      .updateTable('outbox')
      .set({ state: 'dead', attempts: 12, last_error: 'connect ECONNREFUSED 192.0.2.1:443', receipt: null, delivered_at: null })
      .where('id', '=', row.id)
      .execute();

    const officer = await signIn(th.url, tokens.th as string);
    await go(officer, 'outbox');
    const dead = officer.locator(`[data-referral="${row.message_id}"] [data-peer="KH"]`);
    await expect.poll(() => dead.textContent()).toContain('dead-lettered after 12 attempts');
    await expect(dead.textContent()).resolves.toContain('last error: connect ECONNREFUSED');
    await expect(dead.textContent()).resolves.toContain('Delivery problems');
    expect(await officer.getByRole('button', { name: /Retry/ }).count()).toBe(0);
    await check(officer, 'national-outbox-dead');

    const auditor = await signIn(th.url, tokens.thAuditor as string);
    await go(auditor, 'problems');
    await auditor.locator(`[data-outbox="${row.id}"]`).waitFor();
    await auditor.getByText('Only an administrator may retry.').waitFor();
    expect(await auditor.getByRole('button', { name: /Retry/ }).count()).toBe(0);
    await check(auditor, 'national-problems-auditor');
    await go(auditor, 'audit');
    await auditor.getByRole('heading', { name: 'Audit log' }).waitFor();
    await auditor.getByRole('button', { name: 'Verify the chain' }).click();
    await auditor.getByText(/Chain intact: \d+ entries/).waitFor();
    await check(auditor, 'national-audit');

    const admin = await signIn(th.url, tokens.thAdmin as string);
    await go(admin, 'problems');
    const retry = admin.locator(`[data-outbox="${row.id}"]`).getByRole('button', { name: /^Retry/ });
    await retry.waitFor();
    await check(admin, 'national-problems-admin');
    await retry.click();
    await admin.getByText(`Message ${row.id} is back in the queue.`).waitFor();
    // Requeued, it is delivered again: KH answers resent bytes with the receipt it stored the first time.
    await expect
      .poll(async () => (await th.ctx.db.selectFrom('outbox').select('state').where('id', '=', row.id).executeTakeFirst())?.state)
      .toBe('delivered');
    await admin.locator(`[data-outbox="${row.id}"]`).waitFor({ state: 'detached' });
    await expect.poll(() => dead.getAttribute('data-delivery')).toBe('delivered');
    for (const p of [officer, auditor, admin]) await p.close();
  });

  it('fits a 390 px phone screen without sideways scrolling', async () => {
    const phone = { width: 390, height: 844 };
    const pages: Array<[string, string, string[]]> = [
      [f.node('KH').url, tokens.kh as string, ['inbox', 'outbox']],
      [f.node('TH').url, tokens.th as string, ['intake']],
      [f.liaison.url, tokens.analyst as string, ['overview', 'referrals', 'clusters', 'health']],
    ];
    for (const [url, token, ids] of pages) {
      const page = await signIn(url, token, phone);
      for (const id of ids) {
        await go(page, id);
        await page.locator('main h1').waitFor();
        await page.waitForTimeout(500);
        await page.screenshot({ path: join(artifacts, `mobile-${id}.png`), fullPage: true });
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
        expect(overflow, `${id} scrolls sideways by ${overflow}px`).toBeLessThanOrEqual(0);
      }
      await page.close();
    }
  });

  it('pages through thousands of referrals as the reader scrolls', async () => {
    // Synthetic rows straight into the liaison office's read model: thousands of signed referrals through
    // real nodes would take minutes; the table and the API's cursor paging are what is under test here.
    const count = 2500;
    const start = 1_600_000_000;
    const rows = Array.from({ length: count }, (_, i) => ({
      id: randomUUID(),
      from_country: 'TH',
      to_country: 'KH',
      ip: `10.${Math.floor(i / 65_536) % 256}.${Math.floor(i / 256) % 256}.${i % 256}`,
      network: `10.${Math.floor(i / 65_536) % 256}.${Math.floor(i / 256) % 256}.0/24`,
      port: null,
      seen_at: '2020-09-13T12:26:40Z',
      action: 'locate',
      urgency: 'routine',
      operation: 'paging-check',
      evidence: '[]',
      iat: start + i,
      received_at: (start + i) * 1000,
      state: 'sent',
      state_iat: null,
      jws: '',
    }));
    for (let i = 0; i < rows.length; i += 250)
      await f.liaison.ctx.db
        .insertInto('liaison_referrals')
        .values(rows.slice(i, i + 250))
        .execute();

    const lo = await signIn(f.liaison.url, tokens.analyst as string);
    await go(lo, 'referrals');
    await lo.getByLabel('Operation').fill('paging-check');
    const status = lo.locator('[data-loaded]');
    await expect.poll(() => status.textContent()).toContain(`${count} referrals · 1000 of ${count} loaded`);
    const body = lo.locator('.vbody');
    for (let i = 0; i < 20 && (await status.getAttribute('data-loaded')) !== String(count); i++) {
      await body.evaluate((el) => {
        el.scrollTop = el.scrollHeight;
      });
      await lo.waitForTimeout(500);
    }
    await expect.poll(() => status.textContent()).toContain(`${count} of ${count} loaded`);
    // The oldest referral, last in the table, is rendered once scrolled to.
    await body.evaluate((el) => {
      el.scrollTop = el.scrollHeight;
    });
    await lo.getByRole('cell', { name: '10.0.0.0', exact: true }).waitFor();
    expect(await lo.locator('.vbody [role="row"]').count()).toBeLessThan(100);
    await check(lo, 'liaison-referrals-paged');
    await lo.close();
  });
});
