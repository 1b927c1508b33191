import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_ARGS, findOrInstallChromium } from '../helpers/chromium.js';
import { deciderOf, joinWithInvite, startBot, type TestBot } from '../helpers/bot.js';
import { addNomination, TEST_ACTOR } from '../helpers/jobs.js';
import { serve, tokenIn } from '../helpers/dashboard.js';
import { askedParts } from '../helpers/presets.js';
import { startWorkers, type RunningWorkers } from '../../jobs/index.js';
import { currentStep, nextStep, type Nomination } from '../../src/domain/index.js';

const executablePath = findOrInstallChromium();
if (!executablePath) console.warn('\n!!! SKIPPING the dashboard browser test: no Chromium could be found or installed (apt-get install chromium, or set CHROMIUM_PATH).\n');

/** Where the screenshots go (the README's come from a run with SCREENSHOT_DIR=docs/img). */
const SHOTS = process.env.SCREENSHOT_DIR ?? os.tmpdir();

/**
 * The dashboard in real headless Chromium (Bình Thành's demo): login by the link `/web`
 * sends, the scoped progress page, an accept from the page that the officer then reads in
 * the web simulator's chat, a reused and an expired link refused, another office's unit 404.
 */
describe.skipIf(!executablePath)('web dashboard in real headless Chromium', () => {
  let bot: TestBot;
  let workers: RunningWorkers;
  let browser: Browser;
  let base: string;
  let dossier: Nomination;
  let decider: string;

  /** A fresh login link for `user` from the chat, pointed at this server. */
  const linkFor = async (user: string) => `${base}/dang-nhap?t=${tokenIn(bot.text(await bot.say(user, '/web')))}`;
  const fresh = (width = 1280, height = 900): Promise<BrowserContext> => browser.newContext({ viewport: { width, height }, locale: 'vi-VN' });

  beforeAll(async () => {
    bot = await startBot('binh-thanh-2024');
    const { store, campaign } = bot.app;
    const officer = (await store.identities.get('sim', 'can-bo-don-vi'))!;
    const unit = (await store.units.get(officer.unitId!))!;
    // Some progress to look at: registrations and reports of a few hamlets.
    const hamlets = (await store.units.all()).filter((u) => u.level === 'hamlet').slice(0, 6);
    for (const [i, h] of hamlets.entries()) {
      if (i % 3 !== 2) await store.registrations.upsert({ campaignId: campaign.id, year: 2024, subject: { type: 'unit', unitId: h.id }, contentAreas: [campaign.contentAreas[0]!.id], registeredBy: 'test' }, TEST_ACTOR);
      const indicators = campaign.standards.find((s) => s.level === h.level)?.indicators ?? [];
      if (i % 2 === 0) await store.reports.submit({ campaignId: campaign.id, year: 2024, unitId: h.id, values: Object.fromEntries(indicators.map((x) => [x.id, 60 + 8 * i])), narrative: null, submittedBy: 'test' }, TEST_ACTOR);
    }
    const parts = askedParts(campaign, unit.level, 2024).filter((p) => p.required).map((p) => p.id);
    dossier = await addNomination(bot.app, bot.dataDir, unit.code, { year: 2024, status: 'submitted', parts, nominee: 'Xóm Đồng Tâm' });
    await addNomination(bot.app, bot.dataDir, hamlets[1]!.code, { year: 2024, status: 'submitted', nominee: 'Hoàng Thị Mai' });
    // Every step but the last is taken in the chat: the page's accept then proposes the dossier and tells the officer.
    for (let n = dossier; nextStep(campaign, n, currentStep(campaign, n)!.step); n = (await store.nominations.get(n.id))!) {
      const user = await deciderOf(bot, n.id);
      const r = await bot.say(user, `go|review_accept|${n.id}`);
      await bot.say(user, bot.button(r, 'Chấp nhận'));
    }
    decider = await deciderOf(bot, dossier.id);
    workers = await startWorkers(bot.app, { schedules: false });
    ({ base } = await serve(bot));
    browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
  }, 90_000);
  afterAll(async () => {
    await browser?.close();
    await workers?.close();
    await bot?.close();
  });

  it('logs in by the link, shows the scoped progress, and accepts from the page; the officer reads it in the chat', async () => {
    const ctx = await fresh();
    const page = await ctx.newPage();
    const link = await linkFor(decider);
    await page.goto(link);
    await page.waitForURL(`${base}/bang-dieu-khien`);
    expect(page.url()).not.toContain('t=');
    expect(await page.locator('h1').innerText()).toBe('Tiến độ phong trào năm 2024');
    const [cookie] = await ctx.cookies();
    expect(cookie).toMatchObject({ name: 'td_web', httpOnly: true, sameSite: 'Strict', secure: false });
    expect(await page.locator('#progress tbody tr').count()).toBeGreaterThan(3);
    await page.getByRole('button', { name: 'Hồ sơ đủ/tổng' }).click();
    expect(await page.locator('th[aria-sort]').innerText()).toContain('Hồ sơ đủ/tổng');
    await page.screenshot({ path: path.join(SHOTS, 'dashboard.png'), fullPage: true });

    // The reused link: refused, in another browser.
    const other = await (await fresh()).newPage();
    await other.goto(link);
    expect(await other.locator('h1').innerText()).toBe('Liên kết không còn dùng được');
    await other.goto(`${base}/bang-dieu-khien`);
    expect(await other.locator('h1').innerText()).toBe('Cần đăng nhập');

    await page.getByRole('link', { name: /^Chờ duyệt \(\d+\)$/ }).click();
    await page.locator(`a[href="/bang-dieu-khien/ho-so/${dossier.id}"]`).click();
    expect(await page.locator('h1').innerText()).toContain('Xóm Đồng Tâm');
    await page.screenshot({ path: path.join(SHOTS, 'dashboard-dossier.png'), fullPage: true });
    await page.locator('#accept').click();
    const result = await page.locator('#result').innerText();
    expect(result).toMatch(/Đã chấp nhận hồ sơ số \d+/);
    expect((await bot.app.store.nominations.get(dossier.id))!.status).toBe('accepted');
    const audited = (await bot.app.store.audit.forEntity(dossier.id)).find((e) => e.action === 'nomination.accepted')!;
    expect(audited).toMatchObject({ channel: 'web', actor: `sim:${decider}` });

    // The officer's chat in the web simulator.
    const sim = await (await fresh()).newPage();
    await sim.goto(base);
    await sim.selectOption('#user', 'can-bo-don-vi');
    await sim.locator('.msg.bot', { hasText: 'đã được chấp nhận' }).waitFor({ timeout: 15_000 });
  }, 90_000);

  it('an expired link is refused; another office cannot see the unit (404); the page fits a phone in English too', async () => {
    const link = await linkFor(decider);
    const start = bot.clock.now;
    bot.clock.now = new Date(start.getTime() + 11 * 60_000);
    try {
      const page = await (await fresh()).newPage();
      await page.goto(link);
      expect(await page.locator('h1').innerText()).toBe('Liên kết không còn dùng được');
    } finally {
      bot.clock.now = start;
    }

    // Staff of one hamlet (a narrower office) do not see the officer's hamlet.
    const hamlets = (await bot.app.store.units.all()).filter((u) => u.level === 'hamlet');
    const officerUnit = (await bot.app.store.identities.get('sim', 'can-bo-don-vi'))!.unitId!;
    const elsewhere = hamlets.find((h) => h.id !== officerUnit)!;
    await joinWithInvite(bot, 'staff-xom', 'staff', elsewhere.code);
    const page = await (await fresh()).newPage();
    await page.goto(await linkFor('staff-xom'));
    await page.waitForURL(`${base}/bang-dieu-khien`);
    // Its own hamlet has no units under it: an empty table, and nothing of the others.
    const main = await page.locator('main').innerText();
    expect(main).toContain('Chưa có đơn vị nào trong phạm vi này.');
    expect(main).not.toContain('Xóm Đồng Tâm');
    const res = await page.goto(`${base}/bang-dieu-khien/don-vi/${officerUnit}`);
    expect(res!.status()).toBe(404);
    expect(await page.locator('h1').innerText()).toBe('Không tìm thấy');
    const dossierPage = await page.goto(`${base}/bang-dieu-khien/ho-so/${dossier.id}`);
    expect(dossierPage!.status()).toBe(404);

    // A phone, in Vietnamese, then English.
    const phone = await (await fresh(390, 844)).newPage();
    await phone.goto(await linkFor(decider));
    await phone.waitForURL(`${base}/bang-dieu-khien`);
    // Evaluated in the page (a string: the test's types have no DOM).
    const width = await phone.evaluate<number>('document.documentElement.scrollWidth');
    expect(width).toBeLessThanOrEqual(390);
    await phone.screenshot({ path: path.join(SHOTS, 'dashboard-phone.png'), fullPage: false });
    await phone.getByRole('link', { name: 'English' }).click();
    expect(await phone.locator('h1').innerText()).toBe('Campaign progress 2024');
  }, 90_000);
});
