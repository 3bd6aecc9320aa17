/**
 * The review page (issue #21) in real Chromium against real nodes: an auditor sees what is past its
 * review date and cannot act; the reviewer (an administrator) keeps one complaint until a later date
 * with a reason and erases another after a confirmation, and the node records both; the auditor reads
 * the access log of a complaint without opening it.
 */
import { createTestFederation, type TestFederation } from '@firstlight/node/testing';
import { fileComplaint } from '@firstlight/node/testing-fixtures';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildConsole, check, dist, go, launch, signIn } from './browser-kit';

let f: TestFederation;
let browser: Browser;

beforeAll(async () => {
  buildConsole();
  f = await createTestFederation({ countries: ['TH', 'KH'], consoleDir: dist });
  browser = await launch();
});

afterAll(async () => {
  await browser?.close();
  await f?.close();
});

describe('personal data past its review date', () => {
  it('lets an auditor see it and the reviewer keep one with a reason and erase another', async () => {
    const th = f.node('TH');
    const officer = await f.token(th, 'officer');
    const kept = (await fileComplaint(f, th, officer)).complaintId;
    const erased = (await fileComplaint(f, th, officer, 'another page')).complaintId;
    // Filed longer ago than the node keeps complaints before their review (config retention.complaintDays).
    const longAgo = Date.now() - (th.ctx.config.retention.complaintDays + 1) * 86_400_000;
    await th.ctx.db.updateTable('complaints').set({ created_at: longAgo }).where('id', 'in', [kept, erased]).execute();

    const auditor = await signIn(browser, th.url, await f.token(th, 'auditor'));
    await go(auditor, 'review');
    await auditor.getByRole('heading', { name: 'Personal data past its review date' }).waitFor();
    await expect.poll(() => auditor.locator('[data-review]').count()).toBe(2);
    expect(await auditor.locator(`[data-review="${kept}"] td`).allTextContents()).toEqual([
      expect.stringMatching(/\d{4}/),
      expect.stringMatching(/\d{4}/),
      '–',
    ]);
    await auditor.getByText('Only an administrator (the reviewer) can keep or erase an item.').waitFor();
    expect(await auditor.getByRole('button', { name: 'Erase' }).count()).toBe(0);
    expect(await auditor.getByText('CANARY').count()).toBe(0);
    await check(auditor, 'national-review-auditor');
    await auditor.close();

    const admin = await signIn(browser, th.url, await f.token(th, 'admin'));
    await go(admin, 'review');
    const keptRow = admin.locator(`[data-review="${kept}"]`);
    await keptRow.getByRole('button', { name: 'Keep' }).click();
    await keptRow.getByRole('button', { name: 'Keep until this date' }).click();
    await keptRow.getByText('Choose a date after today.').waitFor();
    await keptRow.getByLabel('Keep until').fill('2031-06-30');
    await keptRow.getByLabel('Reason').fill('trial pending TH-2015-0042');
    await check(admin, 'national-review-keep');
    await keptRow.getByRole('button', { name: 'Keep until this date' }).click();
    await admin.getByText(`${kept} is kept until`).waitFor();

    const erasedRow = admin.locator(`[data-review="${erased}"]`);
    await erasedRow.getByRole('button', { name: 'Erase' }).click();
    await erasedRow.getByLabel('Reason').fill('past review, case closed');
    await erasedRow.getByRole('button', { name: /^Erase .* for good$/ }).click();
    await admin.getByText(`${erased} was erased; 1 evidence files removed.`).waitFor();
    await expect.poll(() => admin.locator('[data-review]').count()).toBe(0);
    await admin.getByText('Nothing is past its review date.').waitFor();
    await admin.close();

    // The data-protection officer reads the access log without opening the complaint (no purpose asked).
    const dpo = await signIn(browser, th.url, await f.token(th, 'auditor'));
    await go(dpo, 'access');
    await dpo.getByRole('heading', { name: 'Who read personal data, and why' }).waitFor();
    await dpo.getByLabel('Complaint or received referral id').fill('not-an-id');
    await dpo.getByRole('button', { name: 'Show its access log' }).click();
    await dpo.getByText('An id is a UUID').waitFor();
    await dpo.getByLabel('Complaint or received referral id').fill(erased);
    await dpo.getByRole('button', { name: 'Show its access log' }).click();
    await expect.poll(() => dpo.locator('[data-access]').count()).toBe(1);
    expect(await dpo.locator('[data-access="erase"]').textContent()).toMatch(/Erased it.*past review, case closed.*yes/);
    expect(await dpo.getByLabel('Purpose (case reference)').count()).toBe(0);
    await check(dpo, 'national-access-log');
    await dpo.close();

    const log = f.client(th, await f.token(th, 'auditor')).bureau.privacy.access;
    expect((await log.query({ id: kept })).map((e) => [e.action, e.reason])).toEqual([['extend', 'trial pending TH-2015-0042']]);
    expect((await log.query({ id: erased })).map((e) => [e.action, e.reason])).toEqual([['erase', 'past review, case closed']]);
  });
});
