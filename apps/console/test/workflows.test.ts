/**
 * The console's daily workflows in real Chromium against real nodes (TH, KH, VN and the liaison
 * office), one behaviour per test: a complaint found again and a second IP referred from it (with a
 * routing override), an auditor browsing the log, an administrator minting and revoking a token, an
 * analyst filtering the overview by clicking a country on the map, and Thai rendered with the font the
 * console ships (compared with the blank boxes a workstation without a Thai font shows).
 */
import { join } from 'node:path';
import { createTestFederation, type TestFederation } from '@firstlight/node/testing';
import { fileComplaint, ipIn, refer } from '@firstlight/node/testing-fixtures';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifacts, buildConsole, check, dist, go, hashOf, launch, newPage, signIn } from './browser-kit';

let f: TestFederation;
let browser: Browser;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  buildConsole();
  f = await createTestFederation({ countries: ['TH', 'KH', 'VN'], consoleDir: dist });
  tokens.th = await f.token(f.node('TH'), 'officer');
  tokens.kh = await f.token(f.node('KH'), 'officer');
  tokens.thAuditor = await f.token(f.node('TH'), 'auditor');
  tokens.thAdmin = await f.token(f.node('TH'), 'admin');
  tokens.analyst = await f.token(f.liaison, 'analyst');
  browser = await launch();
});

afterAll(async () => {
  await browser?.close();
  await f?.close();
});

describe('the console at work', () => {
  it('finds a complaint again and refers a second IP from it, overriding routing with a reason', async () => {
    const { complaintId } = await fileComplaint(f, f.node('TH'), tokens.th as string);
    const first = ipIn(f, 'KH', 20);
    const th = await signIn(browser, f.node('TH').url, tokens.th as string);
    await go(th, 'complaints');
    await th.getByRole('heading', { name: 'Complaints' }).waitFor();
    // The list holds no personal data: the case is found by its id (or officer, scam, date).
    await th.getByLabel('Find by id, officer, scam or date').fill(complaintId.slice(0, 8));
    await expect.poll(() => hashOf(th)).toBe(`#/complaints?q=${complaintId.slice(0, 8)}`);
    expect(await th.getByText('CANARY-VICTIM-NAME').count()).toBe(0);
    await check(th, 'national-complaints');
    await th.locator(`[data-complaint="${complaintId}"]`).getByRole('link').click();
    await th.getByRole('heading', { name: /^Complaint / }).waitFor();
    expect(hashOf(th)).toBe(`#/complaint/${complaintId}`);
    // Opening it reads personal data: the page asks why, once per case.
    await th.getByLabel('Purpose (case reference)').fill('my case');
    await th.getByText('3 to 64 letters, digits').waitFor();
    await check(th, 'national-complaint-purpose');
    await th.getByLabel('Purpose (case reference)').fill('TH-2015-0042');
    await th.getByRole('button', { name: 'Open the complaint' }).click();
    await th.getByText('CANARY-VICTIM-NAME-7f3a').waitFor();
    // Its evidence: another file added to the case, and one fetched (a read recorded with the purpose).
    await th
      .getByLabel('Add an evidence file')
      .setInputFiles({ name: 'call-log.txt', mimeType: 'text/plain', buffer: Buffer.from('+855 call log') });
    await th.getByRole('button', { name: 'Upload' }).click();
    await expect.poll(() => th.locator('[data-evidence]').count()).toBe(2);
    const [download] = await Promise.all([th.waitForEvent('download'), th.getByRole('button', { name: 'Download page.html' }).click()]);
    expect(download.suggestedFilename()).toBe('page.html');
    await th.locator('[data-evidence]').first().waitFor();
    // The first IP, referred as routing says.
    await th.getByLabel('Suspect IP address').fill(first);
    await th.getByText('This IP routes to Cambodia (KH)').waitFor();
    await th.getByRole('button', { name: 'Send referral' }).click();
    await th.getByText('Referral sent to Cambodia').waitFor();
    await expect.poll(() => th.locator('[data-referral]').count()).toBe(1);
    // Later, a second IP of the same case: a VPN exit in Cambodia known to front a centre in Vietnam.
    await th.reload();
    await th.getByText('recorded with the purpose TH-2015-0042').waitFor();
    await th.getByLabel('Suspect IP address').fill(ipIn(f, 'KH', 21));
    await th.getByText('This IP routes to Cambodia (KH)').waitFor();
    await th.getByLabel('Send to another country than routing says').check();
    await th.getByLabel('Send to (country code)').fill('v');
    await th.getByText('Two capital letters, e.g. KH.').waitFor();
    await th.getByLabel('Send to (country code)').fill('VN');
    await th.getByRole('textbox', { name: /^Reason/ }).fill('VPN');
    await th.getByText('Say why, in at least 5 characters.').waitFor();
    expect(await th.getByRole('button', { name: 'Send referral' }).isDisabled()).toBe(true);
    await th.getByRole('textbox', { name: /^Reason/ }).fill('VPN exit; the call centre sits in Vietnam (informant)');
    await check(th, 'national-complaint-override');
    await th.getByRole('button', { name: 'Send referral' }).click();
    await th.getByText('Referral sent to Vietnam').waitFor();
    await expect.poll(() => th.locator('[data-referral]').count()).toBe(2);
    await expect(th.locator('[data-referral]').allTextContents()).resolves.toEqual(
      expect.arrayContaining([expect.stringContaining('Vietnam'), expect.stringContaining('Cambodia')]),
    );
    await check(th, 'national-complaint');
    // The sent referral's page keeps the override and its reason.
    await th.getByRole('link', { name: 'Open it' }).click();
    await th.getByRole('heading', { name: /Referral sent/ }).waitFor();
    await expect(th.locator('.fields').textContent()).resolves.toContain('VPN exit; the call centre sits in Vietnam');
    await expect(th.locator('.fields').textContent()).resolves.toContain('Routing saidCambodia');
    await th.close();
  });

  it('lets an auditor browse the audit log by kind and page through it', async () => {
    // Thirty referrals in one call: each writes audit entries for its two copies, and their receipts more.
    const { complaintId, digest } = await fileComplaint(f, f.node('TH'), tokens.th as string);
    const results = await f.client(f.node('TH'), tokens.th).bureau.referrals.createMany.mutate({
      referrals: Array.from({ length: 30 }, (_, i) => ({
        complaintId,
        ip: ipIn(f, 'KH', 100 + i),
        seenAt: '2015-06-01T10:00:00Z',
        evidence: [digest],
        action: 'locate' as const,
        urgency: 'routine' as const,
        operation: 'first-light-2015',
      })),
    });
    expect(results.every((r) => r.ok)).toBe(true);
    const auditor = await signIn(browser, f.node('TH').url, tokens.thAuditor as string);
    await go(auditor, 'audit');
    await auditor.getByRole('heading', { name: 'Audit log' }).waitFor();
    await expect.poll(() => auditor.locator('[data-seq]').count()).toBe(50);
    const newest = Number(await auditor.locator('[data-seq]').first().getAttribute('data-seq'));
    await auditor.getByRole('button', { name: 'Older entries' }).click();
    await expect.poll(async () => Number(await auditor.locator('[data-seq]').first().getAttribute('data-seq'))).toBe(newest - 50);
    await auditor.getByRole('button', { name: 'Newer entries' }).click();
    await expect.poll(async () => Number(await auditor.locator('[data-seq]').first().getAttribute('data-seq'))).toBe(newest);
    await auditor.getByLabel('Kind').fill('sent');
    await expect.poll(() => hashOf(auditor)).toBe('#/audit?kind=sent');
    await expect
      .poll(async () => (await auditor.locator('[data-seq] td:nth-child(3)').allTextContents()).every((k) => k.startsWith('sent.')))
      .toBe(true);
    expect(await auditor.locator('[data-seq]').count()).toBeGreaterThan(0);
    await auditor.getByLabel('Kind').fill('sent%');
    await auditor.getByText('A kind is words joined by dots').waitFor();
    await auditor.getByLabel('Kind').fill('sent');
    await auditor.getByRole('button', { name: 'Verify the chain' }).click();
    await auditor.getByText(/Chain intact: [\d,]+ entries/).waitFor();
    await check(auditor, 'national-audit-browse');
    // Who read this complaint and why: an officer's read, then the auditor's own, each with its purpose.
    await f.client(f.node('TH'), tokens.th).bureau.complaints.get.query({ id: complaintId, purpose: 'TH-2015-0099' });
    await go(auditor, `complaint/${complaintId}`);
    await auditor.getByLabel('Purpose (case reference)').fill('DPO-REVIEW-7');
    await auditor.getByRole('button', { name: 'Open the complaint' }).click();
    await expect.poll(() => auditor.locator('[data-access]').count()).toBe(2);
    await expect(auditor.locator('#complaint-access ~ div').textContent()).resolves.toMatch(
      /test-officer.*TH-2015-0099.*test-auditor.*DPO-REVIEW-7/,
    );
    await check(auditor, 'national-complaint-access-log');
    await auditor.close();
  });

  it('lets an administrator mint a token, and revoke it after a confirmation', async () => {
    const admin = await signIn(browser, f.node('TH').url, tokens.thAdmin as string);
    await go(admin, 'tokens');
    await admin.getByRole('heading', { name: 'Operator tokens' }).first().waitFor();
    await admin.getByRole('button', { name: 'Make token' }).click();
    await admin.getByText('Required.').waitFor();
    await admin.getByLabel('Who it is for').fill('Night shift officer');
    await admin.getByLabel('Role').selectOption('officer');
    await admin.getByRole('button', { name: 'Make token' }).click();
    const minted = (await admin.locator('[data-minted-token]').textContent())?.trim() ?? '';
    expect(minted).toMatch(/^flt_/);
    await admin.locator('[data-token="Night shift officer"]').waitFor();
    await check(admin, 'national-tokens');
    // The new token works...
    const night = await signIn(browser, f.node('TH').url, minted);
    await night.getByText('Signed in as Night shift officer (officer)').waitFor();
    await night.close();
    // ...until revoked, after a confirmation.
    const row = admin.locator('[data-token="Night shift officer"]');
    await row.getByRole('button', { name: 'Revoke: Night shift officer' }).click();
    await row.getByRole('button', { name: 'Yes, revoke Night shift officer' }).click();
    await expect.poll(() => row.textContent()).toMatch(/revoked/);
    const refused = await newPage(browser);
    await refused.goto(f.node('TH').url);
    await refused.getByLabel('Operator token').fill(minted);
    await refused.getByRole('button', { name: 'Sign in' }).click();
    await refused.getByText('This token is not valid here').waitFor();
    for (const p of [admin, refused]) await p.close();
  });

  it('lets an analyst filter the overview by clicking a country on the map', async () => {
    await refer(f, f.node('KH'), tokens.kh as string, 'VN', { offset: 40 });
    await refer(f, f.node('TH'), tokens.th as string, 'VN', { offset: 41 });
    const lo = await signIn(browser, f.liaison.url, tokens.analyst as string);
    await lo.getByRole('heading', { name: /Operation at a glance/ }).waitFor();
    await lo.locator('[data-flow="KH-VN"]').waitFor();
    await lo.locator('[data-flow="TH-KH"]').waitFor();
    await lo.locator('[data-place="KH"]').waitFor();
    await expect.poll(() => lo.locator('[data-country-row]').count()).toBe(3);
    await check(lo, 'liaison-overview-map');
    // A click on Cambodia's label on the map filters the page by Cambodia.
    await lo.locator('[data-place="KH"]').click();
    await expect.poll(() => hashOf(lo)).toBe('#/overview?country=KH');
    await lo.getByRole('heading', { name: 'Flows of Cambodia' }).waitFor();
    await expect.poll(() => lo.locator('[data-flow-row]').count()).toBeGreaterThanOrEqual(2);
    expect(await lo.locator('[data-flow-row="TH-VN"]').count()).toBe(0);
    expect(await lo.locator('path.flow.dim[data-flow="TH-VN"]').count()).toBe(1);
    await check(lo, 'liaison-overview-filtered');
    // A click on Vietnam's shape moves the filter; the link from the note opens its referrals.
    await lo.locator('path[data-country="VN"]').dispatchEvent('click');
    await expect.poll(() => hashOf(lo)).toBe('#/overview?country=VN');
    await lo.getByRole('link', { name: 'Open the referrals of Vietnam' }).click();
    await expect.poll(() => hashOf(lo)).toBe('#/referrals?country=VN');
    await expect.poll(() => lo.locator('[data-total]').getAttribute('data-total')).not.toBe('0');
    await lo.close();
  });

  it('renders Thai with the font the console ships, not blank boxes', async () => {
    const shot = async (blockFont: boolean, name: string) => {
      const page = await newPage(browser, { viewport: { width: 1000, height: 700 } });
      if (blockFont) await page.route(/\.woff2?$/, (route) => route.abort());
      await page.goto(f.node('KH').url);
      await page.evaluate(() => localStorage.setItem('firstlight.locale', 'th'));
      await page.reload();
      await page.getByLabel('โทเค็นผู้ปฏิบัติงาน').fill(tokens.kh as string);
      await page.getByRole('button', { name: 'เข้าสู่ระบบ' }).click();
      // Signed in (as signIn waits for it) before the route changes: the page is settled.
      await page.getByRole('button', { name: 'ออกจากระบบ' }).waitFor();
      await go(page, 'inbox');
      await page.getByRole('heading', { name: 'คำร้องส่งต่อที่ได้รับ' }).waitFor();
      await page.evaluate(() => document.fonts.ready);
      await page.waitForTimeout(500);
      const loaded = await page.evaluate(
        () => [...document.fonts].filter((x) => x.family.includes('Sarabun') && x.status === 'loaded').length,
      );
      const heading = await page
        .getByRole('heading', { name: 'คำร้องส่งต่อที่ได้รับ' })
        .screenshot({ path: join(artifacts, `${name}-heading.png`) });
      await page.screenshot({ path: join(artifacts, `${name}.png`), fullPage: true });
      if (!blockFont) await check(page, `${name}-axe`);
      await page.close();
      return { loaded, heading };
    };
    const withFont = await shot(false, 'thai-inbox-shipped-font');
    const blank = await shot(true, 'thai-inbox-no-font');
    expect(withFont.loaded).toBeGreaterThan(0);
    expect(blank.loaded).toBe(0);
    // The same heading, drawn with Sarabun and without any Thai font (this machine has none): not the same pixels.
    expect(withFont.heading.equals(blank.heading)).toBe(false);
    // The analyst's overview in Thai: country names, numbers and the map's labels in the reader's language.
    await refer(f, f.node('TH'), tokens.th as string, 'KH', { offset: 60 });
    const lo = await newPage(browser, { viewport: { width: 1280, height: 900 } });
    await lo.goto(f.liaison.url);
    await lo.evaluate(() => localStorage.setItem('firstlight.locale', 'th'));
    await lo.reload();
    await lo.getByLabel('โทเค็นผู้ปฏิบัติงาน').fill(tokens.analyst as string);
    await lo.getByRole('button', { name: 'เข้าสู่ระบบ' }).click();
    await lo.getByRole('heading', { name: /ภาพรวมปฏิบัติการ/ }).waitFor();
    await lo.locator('[data-place="KH"]').waitFor();
    await expect.poll(() => lo.locator('[data-place="KH"]').textContent()).toBe('กัมพูชา');
    await check(lo, 'thai-liaison-overview');
    await lo.close();
  });

  it('lets the office enrol a member, publish after a confirmation, and see it unreachable', async () => {
    const { signingKeyFromSeed } = await import('@firstlight/protocol');
    const key = signingKeyFromSeed(new Uint8Array(32).fill(91));
    const admin = await signIn(browser, f.liaison.url, await f.token(f.liaison, 'admin'));
    await go(admin, 'directory');
    await admin.getByRole('heading', { name: 'Enrol a member' }).waitFor();
    await admin.getByLabel('Country code').fill('my');
    await admin.getByLabel('Name', { exact: true }).fill('Malaysia');
    await admin.getByLabel('Endpoint URL').fill('http://127.0.0.1:9');
    await admin.getByLabel('Public key (JWK)').fill('{"kty":');
    await admin.getByText('The public key must be a JSON Web Key').waitFor();
    await admin.getByLabel('Public key (JWK)').fill(JSON.stringify(key.publicJwk));
    await admin.getByRole('button', { name: 'Enrol', exact: true }).click();
    await admin.locator('[data-member="MY"]').getByText('draft only').first().waitFor();
    await admin.getByRole('button', { name: 'Publish the next directory' }).click();
    await admin.getByRole('button', { name: 'Yes, sign and publish' }).click();
    await admin.getByText(/Published serial \d+/).waitFor();
    await expect.poll(() => admin.locator('[data-member="MY"] td').nth(1).textContent()).toBe('published');
    await check(admin, 'liaison-directory-enrolled');
    await go(admin, 'health');
    const my = admin.locator('[data-member="MY"]');
    await expect.poll(() => my.getAttribute('data-reachable')).toBe('no');
    await expect(my.textContent()).resolves.toContain('unreachable');
    await expect(my.textContent()).resolves.toContain('Malaysia');
    await check(admin, 'liaison-health-unreachable');
    await admin.close();
  });
});
