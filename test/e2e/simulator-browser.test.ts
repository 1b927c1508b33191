import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_ARGS, findOrInstallChromium } from '../helpers/chromium.js';
import { deciderOf, PDF, startBot, type TestBot } from '../helpers/bot.js';
import { addNomination } from '../helpers/jobs.js';
import { startWorkers, type RunningWorkers } from '../../jobs/index.js';
import { askedParts } from '../helpers/presets.js';

const executablePath = findOrInstallChromium();
if (!executablePath) {
  console.warn('\n!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n' +
    '!!! SKIPPING the web simulator browser test: no Chromium could be found or installed.\n' +
    '!!! Install Debian\'s chromium (apt-get install chromium) or set CHROMIUM_PATH.\n' +
    '!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n');
}


/** The bot's web simulator served on a free port, and a Chromium page to drive it. */
async function openSimulator(bot: TestBot): Promise<{ base: string; browser: Browser; page: Page }> {
  const server = await bot.app.listen();
  const browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, browser, page: await browser.newPage() };
}

describe.skipIf(!executablePath)('web simulator in real headless Chromium', () => {
  let bot: TestBot;
  let browser: Browser;
  let page: Page;
  let base: string;

  beforeAll(async () => {
    bot = await startBot('binh-thanh-2024');
    ({ base, browser, page } = await openSimulator(bot));
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await bot?.close();
  });

  /** Acts, then waits until the bot's answer has been rendered. */
  async function act(action: () => Promise<void>) {
    const before = await page.locator('.msg').count();
    await action();
    await page.locator('.msg').nth(before + 1).waitFor({ timeout: 10_000 });
  }
  const type = (text: string) => act(async () => {
    await page.fill('#text', text);
    await page.press('#text', 'Enter');
  });
  const press = (label: string | RegExp) => act(() => page.getByRole('button', { name: label }).last().click());
  const lastBot = () => page.locator('.msg.bot').last().innerText();

  it('a newcomer onboards, registers, reports indicators and nominates with an uploaded file', async () => {
    await page.goto(base);
    await page.selectOption('#user', 'nguoi-moi');
    const code = (await page.locator('#user option[value="nguoi-moi"]').innerText()).match(/mã mời demo: ([\w-]+)/)![1]!;

    await type('xin chào');
    expect(await lastBot()).toContain('Bạn tham gia phong trào với tư cách nào?');
    await press(/Cán bộ đơn vị/);
    await type(code);
    expect(await page.locator('.msg.bot').nth(-2).innerText()).toContain('cán bộ phụ trách của Xóm Đồng Tâm');

    await press(/Đăng ký thi đua/);
    const areas = bot.app.campaign.contentAreas;
    await press(new RegExp(areas[0]!.label.vi));
    await press(new RegExp(areas[2]!.label.vi));
    await press(/Xong/);
    await press(/Bỏ qua/);
    expect(await lastBot()).toContain('Kiểm tra lại đăng ký thi đua năm 2024');
    await press(/Xác nhận/);

    await press(/Báo cáo chỉ tiêu năm/);
    await type('100%');
    await press(/Bỏ qua/);
    await press(/Xác nhận/);

    await press(/Đề nghị khen thưởng/);
    await press(/Chính đơn vị/);
    await press(/Giấy khen/);
    await type('Dẫn đầu xã về tỷ lệ hộ dân dùng dịch vụ công trực tuyến');
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'up-')), 'to-trinh.pdf');
    fs.writeFileSync(file, PDF);
    await act(() => page.setInputFiles('#file', file));
    expect(await page.locator('.msg.bot').nth(-2).innerText()).toContain('Đã nhận tệp "to-trinh.pdf"');
    for (let i = 1; i < askedParts(bot.app.campaign, 'hamlet', 2024).length; i++) await press(/Bổ sung sau/);
    await press(/Gửi hồ sơ/);
    expect(await page.locator('.msg.bot').nth(-2).innerText()).toMatch(/Đã gửi hồ sơ/);
    await page.screenshot({ path: path.join(os.tmpdir(), 'thidua-simulator.png'), fullPage: false });

    const store = bot.app.store;
    const identity = (await store.identities.get('sim', 'nguoi-moi'))!;
    expect(identity.role).toBe('officer');
    const reg = await store.registrations.get('binh-thanh-2024', 2024, { type: 'unit', unitId: identity.unitId! });
    expect(reg?.contentAreas).toEqual([areas[0]!.id, areas[2]!.id]);
    const report = await store.reports.get('binh-thanh-2024', 2024, identity.unitId!);
    expect(Object.values(report!.values)).toEqual([100]);
    const [n] = await store.nominations.listByUnit('binh-thanh-2024', 2024, identity.unitId!);
    expect(n?.status).toBe('submitted');
    expect(n?.nominee).toMatchObject({ type: 'collective', unitId: identity.unitId });
    const part = Object.values(n!.parts)[0]!;
    expect(part.name).toBe('to-trinh.pdf');
    expect(fs.readFileSync(path.join(bot.dataDir, part.path))).toEqual(PDF);
  }, 90_000);

  it('staff: /thongke shows the chart as an image in the chat, loaded from the server', async () => {
    await page.selectOption('#user', 'can-bo-theo-doi');
    // Another user's chat: its messages replace the officer's, so wait for the picture itself.
    await page.fill('#text', '/thongke');
    await page.press('#text', 'Enter');
    const img = page.locator('.msg.bot img.chart').last();
    await img.waitFor({ timeout: 10_000 });
    await expect.poll(() => img.evaluate((el) => (el as unknown as { naturalWidth: number }).naturalWidth), { timeout: 10_000 }).toBe(960);
    expect(await img.getAttribute('alt')).toBe('bieu-do-thong-ke-2024.png');
    expect(await img.locator('..').innerText()).toContain('Biểu đồ thống kê năm 2024');
  }, 60_000);
});

describe.skipIf(!executablePath)('the demo clock in the web simulator, in real headless Chromium', () => {
  let bot: TestBot;
  let workers: RunningWorkers;
  let browser: Browser;
  let page: Page;
  let base: string;
  /** The staff of the office receiving the dossier (its chain's first step): the staff alert goes to their chat. */
  let receiver: string;

  beforeAll(async () => {
    // The app's own clock: the local demo's, which the page moves.
    bot = await startBot('binh-thanh-2024', { appClock: true });
    workers = await startWorkers(bot.app, { schedules: false });
    const officer = (await bot.app.store.identities.get('sim', 'can-bo-don-vi'))!;
    const unit = (await bot.app.store.units.get(officer.unitId!))!;
    const n = await addNomination(bot.app, bot.dataDir, unit.code, { year: 2024, status: 'submitted' });
    receiver = await deciderOf(bot, n.id);
    ({ base, browser, page } = await openSimulator(bot));
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await workers?.close();
    await bot?.close();
  });

  it('the header shows the simulated date; picking a day brings that day\'s reminder, a campaign date the staff alert', async () => {
    await page.goto(base);
    await page.selectOption('#user', 'can-bo-don-vi');
    await expect.poll(() => page.locator('#clock-now').innerText(), { timeout: 15_000 }).toMatch(/^Ngày giả lập: \d\d\/\d\d\/\d{4} \(hôm nay\)$/);

    // Any day: 28/11/2024 is D-7 of the dossier deadline (05/12/2024).
    await page.fill('#clock-date', '2024-11-28');
    await page.click('#clock-go');
    await expect.poll(() => page.locator('#clock-now').innerText(), { timeout: 15_000 }).toBe('Ngày giả lập: 28/11/2024');
    expect(await page.locator('#clock-msg').innerText()).toMatch(/^Đã chuyển sang 08:00 28\/11\/2024\./);
    const reminder = page.locator('.msg.bot', { hasText: 'hồ sơ khen thưởng năm 2024 chưa hoàn tất' });
    await reminder.waitFor({ timeout: 15_000 });
    expect(await reminder.innerText()).toContain('Hạn nộp hồ sơ: hết ngày 05/12/2024 (còn 7 ngày)');

    // A campaign date from the list: the first staff alert, in the staff member's chat.
    await page.selectOption('#clock-pick', 'dossier-2024-d5');
    await page.click('#clock-go');
    await expect.poll(() => page.locator('#clock-now').innerText(), { timeout: 15_000 }).toBe('Ngày giả lập: 30/11/2024');
    await page.selectOption('#user', receiver);
    await page.locator('.msg.bot', { hasText: 'Hồ sơ khen thưởng năm 2024 còn thiếu thành phần — hạn nộp hết ngày 05/12/2024 (còn 5 ngày)' }).waitFor({ timeout: 15_000 });
    await page.screenshot({ path: path.join(os.tmpdir(), 'thidua-simulator-clock.png'), fullPage: false });
    // The officer got the D-7 reminder once, whatever the moves.
    await page.selectOption('#user', 'can-bo-don-vi');
    await reminder.first().waitFor();
    expect(await reminder.count()).toBe(1);
  }, 90_000);
});
