/**
 * The console in real Chromium (Debian's /usr/bin/chromium, driven by playwright-core; no download)
 * against a real liaison office and two national nodes, each serving the built console.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { createTestFederation, type TestFederation } from '@firstlight/node/testing';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifacts, buildConsole, check, dist, go, hashOf, launch, newPage as openPage, signIn as signInWith } from './browser-kit';

let f: TestFederation;
let browser: Browser;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  buildConsole();
  f = await createTestFederation({ countries: ['TH', 'KH'], consoleDir: dist });
  tokens.th = await f.token(f.node('TH'), 'officer');
  tokens.kh = await f.token(f.node('KH'), 'officer');
  tokens.analyst = await f.token(f.liaison, 'analyst');
  tokens.admin = await f.token(f.liaison, 'admin');
  tokens.thAuditor = await f.token(f.node('TH'), 'auditor');
  tokens.thAdmin = await f.token(f.node('TH'), 'admin');
  browser = await launch();
});

afterAll(async () => {
  await browser?.close();
  await f?.close();
});

const newPage = (options?: Parameters<Browser['newPage']>[0]): Promise<Page> => openPage(browser, options);
const signIn = (url: string, token: string, viewport?: { width: number; height: number }) => signInWith(browser, url, token, viewport);

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

  it('carries a referral from one bureau to another: the recipient triages and acts, the origin sees the outcome, the office sees it all', async () => {
    // Thailand files a complaint and refers the suspect IP, seeing where it routes before sending.
    const th = await signIn(f.node('TH').url, tokens.th as string);
    await go(th, 'intake');
    await th.getByRole('heading', { name: 'New complaint' }).waitFor();
    await expect(th.getByRole('note').textContent()).resolves.toContain('stays in this country');
    await th.getByLabel('Purpose (case reference)').fill('TH-2015-0042');
    await th.getByLabel("Victim's name").fill('Browser Test Victim');
    await th.getByLabel("Victim's phone or e-mail").fill('+66 81 000 0000');
    await th.getByLabel('Amount lost').fill('250000');
    await th.getByLabel('What happened').fill('A fake police officer showed me an arrest warrant website.');
    await th
      .getByLabel('Evidence file')
      .setInputFiles({ name: 'warrant.html', mimeType: 'text/html', buffer: Buffer.from('<h1>fake warrant</h1>') });
    await check(th, 'national-intake');
    await th.getByRole('button', { name: 'Save complaint' }).click();
    // Saved, the complaint's own page opens, with the form to refer its IPs.
    await th.getByRole('heading', { name: /^Complaint / }).waitFor();
    // The case reference given at filing is the purpose of this read: the officer is not asked again.
    await th.getByText('Your reads of this case are recorded with the purpose TH-2015-0042.').waitFor();
    expect(hashOf(th)).toMatch(/^#\/complaint\/[0-9a-f-]{36}$/);
    const kh = f.node('KH');
    const ip = (() => {
      const ranges = kh.services.routing().v4RangesOf('KH');
      const big = ranges.find(([s, e]) => e - s > 1000) ?? ranges[0];
      const x = (big as [number, number])[0] + 11;
      return `${(x >>> 24) & 255}.${(x >>> 16) & 255}.${(x >>> 8) & 255}.${x & 255}`;
    })();
    // The form says what is wrong as the officer types, instead of silently disabling Send.
    await th.getByLabel('Suspect IP address').fill('abc');
    await th.getByText('Not an IP address yet').waitFor();
    expect(await th.getByRole('button', { name: 'Send referral' }).isDisabled()).toBe(true);
    await check(th, 'national-refer-invalid-ip');
    await th.getByLabel('Suspect IP address').fill(ip);
    await th.getByText('This IP routes to Cambodia (KH)').waitFor();
    await th.getByRole('button', { name: 'Send referral' }).click();
    await th.getByText('Referral sent to Cambodia').waitFor();
    await check(th, 'national-refer');
    await go(th, 'outbox');
    await th.getByText('Liaison office: delivered').waitFor();
    await th
      .locator('[data-peer="KH"][data-delivery="delivered"]')
      .getByText(/receipt: accepted \d{1,2} \w{3} \d{4}/)
      .waitFor();
    await check(th, 'national-outbox');

    // Cambodia triages its work queue: counts per state, filters in the URL, the most pressing first.
    const khPage = await signIn(kh.url, tokens.kh as string);
    await go(khPage, 'inbox');
    await khPage.getByRole('cell', { name: ip }).waitFor();
    await expect.poll(() => khPage.locator('tbody tr').first().textContent()).toContain('Due in');
    await expect.poll(() => khPage.locator('[data-state-tab="received"]').textContent()).toContain('1');
    await khPage.locator('[data-state-tab="received"]').click();
    await expect.poll(() => hashOf(khPage)).toBe('#/inbox?state=received');
    await khPage.getByLabel('Overdue only').check();
    await expect.poll(() => hashOf(khPage)).toBe('#/inbox?state=received&overdue=1');
    await khPage.getByText('Referrals matching: 0').waitFor();
    await khPage.getByLabel('Overdue only').uncheck();
    await khPage.getByText('Referrals matching: 1').waitFor();
    await check(khPage, 'national-inbox');
    // The referral opens at its own URL, with every field and only the actions its state allows.
    await khPage.locator('tbody tr').first().getByRole('link').click();
    await khPage.getByRole('heading', { name: /Referral received/ }).waitFor();
    expect(hashOf(khPage)).toMatch(/^#\/received\/[0-9a-f-]{36}$/);
    await expect(khPage.locator('.fields').textContent()).resolves.toContain('Thailand');
    await expect(khPage.locator('.fields').textContent()).resolves.toContain('sha256:');
    for (const [button, arrests] of [
      ['Acknowledge', null],
      ['Mark located', null],
      ['Report action taken', 7],
    ] as const) {
      await khPage.getByRole('button', { name: button, exact: true }).click();
      if (arrests !== null) {
        // Counts start from the totals reported so far (none yet), and say what is wrong as they are typed.
        expect(await khPage.getByLabel('Arrests').inputValue()).toBe('0');
        await khPage.getByLabel('Arrests').fill('seven');
        await khPage.getByText('A whole number, digits only.').waitFor();
        expect(await khPage.getByRole('button', { name: 'Send signed status' }).isDisabled()).toBe(true);
        await khPage.getByLabel('Suspects identified').fill('9');
        await khPage.getByLabel('Arrests').fill(String(arrests));
        await khPage.getByLabel('Premises searched').fill('1');
        await khPage.getByLabel('Call centres dismantled').fill('1');
        await check(khPage, 'national-status-form');
      }
      await khPage.getByRole('button', { name: 'Send signed status' }).click();
      await khPage.getByRole('button', { name: 'Send signed status' }).waitFor({ state: 'detached' });
    }
    await expect.poll(() => khPage.locator('.state-line [data-state]').textContent()).toBe('Action taken');
    // Forward only: acknowledging again is not offered; closing is, and its form starts from the totals reported.
    expect(await khPage.getByRole('button', { name: 'Acknowledge', exact: true }).count()).toBe(0);
    await khPage.getByRole('button', { name: 'Close the case' }).click();
    expect(await khPage.getByLabel('Arrests').inputValue()).toBe('7');
    await khPage.getByLabel('Arrests').fill('5');
    await khPage.getByText('Lower than the 7 already reported').waitFor();
    await khPage.getByRole('button', { name: 'Cancel' }).click();
    await expect.poll(() => khPage.locator('[data-status]').count()).toBe(3);
    await check(khPage, 'national-received-referral');

    // Thailand's officer sees Cambodia's outcome and its signed history.
    await go(th, 'outbox');
    const row = th.locator('tbody tr').first();
    await expect.poll(() => row.locator('[data-state]').textContent(), { timeout: 60_000 }).toBe('Action taken');
    await expect(row.textContent()).resolves.toMatch(/Arrests: 7/);
    await row.getByRole('link').first().click();
    await th.getByRole('heading', { name: /Referral sent/ }).waitFor();
    await expect.poll(() => th.locator('[data-status]').count()).toBe(3);
    await expect(th.locator('[data-status="action_taken"]').textContent()).resolves.toContain('signed by Cambodia');
    await expect(th.locator('.state-line').textContent()).resolves.toContain('Call centres dismantled: 1');
    await check(th, 'national-sent-referral');

    // A second referral to the same /24 makes a suspected call centre.
    const { refer } = await import('@firstlight/node/testing-fixtures');
    await refer(f, f.node('TH'), tokens.th as string, 'KH', { offset: 2 });

    // The liaison office's analyst sees the figures, the flow on the map and the cluster; no publish control.
    const lo = await signIn(f.liaison.url, tokens.analyst as string);
    await lo.getByRole('heading', { name: /Operation at a glance/ }).waitFor();
    const arrests = lo.locator('[data-figure="arrests"] .value');
    await expect.poll(() => arrests.textContent(), { timeout: 60_000 }).toBe('7');
    await lo.locator('[data-flow="TH-KH"]').waitFor();
    await check(lo, 'liaison-overview');
    await go(lo, 'referrals');
    await lo.getByText('2 referrals').waitFor();
    await lo.getByRole('cell').getByRole('link').first().click();
    await lo.getByRole('heading', { name: /Signed history/ }).waitFor();
    await expect.poll(() => lo.locator('.events > li').count()).toBeGreaterThanOrEqual(1);
    await check(lo, 'liaison-referrals-history');
    await go(lo, 'clusters');
    // Both referrals form ONE suspected call centre, listing the /24 that joined them.
    const centre = lo.locator('[data-cluster]');
    await centre.first().waitFor();
    expect(await centre.count()).toBe(1);
    await expect(centre.textContent()).resolves.toContain('Reported by: Thailand');
    await expect(centre.textContent()).resolves.toContain('2 referrals');
    await expect(centre.locator('[data-signal="network"]').textContent()).resolves.toMatch(
      /Same network: \d+\.\d+\.\d+\.0\/24 \(links 2 referrals\)/,
    );
    await centre.getByRole('button', { name: 'Show referrals' }).click();
    expect(await centre.locator('a.mono').count()).toBe(2);
    await check(lo, 'liaison-clusters');
    // The signed history of the acted-on referral groups each message with its receipts.
    for (const link of await centre.locator('a.mono').all()) {
      await link.click();
      await lo.getByRole('heading', { name: /Signed history/ }).waitFor();
      await lo.locator('.events > li').first().waitFor();
      if ((await lo.locator('[data-event="status"]').count()) >= 3) break;
      await lo.goBack();
    }
    await expect.poll(() => lo.locator('[data-event="status"]').count()).toBe(3);
    await expect.poll(() => lo.locator('[data-event="referral"] [data-receipt="accepted"]').count()).toBeGreaterThanOrEqual(1);
    expect(await lo.locator('.events > li').count()).toBe(4);
    await expect(lo.locator('[data-event="referral"]').textContent()).resolves.toMatch(/\d\d:\d\d:\d\d/);
    await check(lo, 'liaison-history-grouped');
    await go(lo, 'health');
    await lo.getByRole('rowheader', { name: /Cambodia/ }).waitFor();
    await expect.poll(() => lo.locator('[data-member="KH"]').getAttribute('data-reachable')).toBe('yes');
    await check(lo, 'liaison-health');
    expect(await lo.getByRole('link', { name: 'Directory' }).count()).toBe(0);
    expect(await lo.getByRole('button', { name: /Publish/ }).count()).toBe(0);
    // An analyst opening the directory is told why not, not silently sent elsewhere.
    await go(lo, 'directory');
    await lo.getByText('Directory is not open to your role (analyst). It is for: administrator.').waitFor();
    expect(await lo.getByRole('button', { name: /Publish/ }).count()).toBe(0);
    await check(lo, 'liaison-directory-denied');

    // The admin does see directory management; publishing asks first.
    const admin = await signIn(f.liaison.url, tokens.admin as string);
    await go(admin, 'directory');
    await admin.getByRole('button', { name: 'Publish the next directory' }).waitFor();
    expect(await admin.getByRole('heading', { name: 'Keys awaiting approval' }).count()).toBe(0);
    await check(admin, 'liaison-directory');
    await admin.getByRole('button', { name: 'Publish the next directory' }).click();
    await admin.getByRole('button', { name: 'Yes, sign and publish' }).click();
    await admin.getByText(/Published serial \d+/).waitFor();

    // Signing out forgets the token; the Thai locale works.
    await admin.getByLabel('Language').selectOption('th');
    await admin.getByRole('button', { name: 'ออกจากระบบ' }).click();
    await admin.getByRole('button', { name: 'เข้าสู่ระบบ' }).waitFor();
    expect(await admin.evaluate(() => sessionStorage.getItem('firstlight.token'))).toBeNull();
    await check(admin, 'sign-in-thai');
    for (const p of [th, khPage, lo, admin]) await p.close();
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
      state: 'sent' as const,
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
    await expect.poll(() => status.textContent()).toContain('2,500 referrals · 1,000 of 2,500 loaded');
    const body = lo.locator('.vbody');
    for (let i = 0; i < 20 && (await status.getAttribute('data-loaded')) !== String(count); i++) {
      await body.evaluate((el) => {
        el.scrollTop = el.scrollHeight;
      });
      await lo.waitForTimeout(500);
    }
    await expect.poll(() => status.textContent()).toContain('2,500 of 2,500 loaded');
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
