import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { joinWithInvite, startBot, type TestBot } from '../helpers/bot.js';
import { addIdentity, addNomination, TEST_ACTOR, unitByCode } from '../helpers/jobs.js';
import { loggedIn, serve, WebClient } from '../helpers/dashboard.js';
import { dashboardRoutes } from '../../src/web/routes.js';
import { FileStore } from '../../src/files.js';
import { createLogger } from '../../src/logger.js';
import { askedParts } from '../helpers/presets.js';
import { exportSheets, type Cell } from '../../src/services/export.js';
import { officeOverview } from '../../src/services/overview.js';
import { progressChartSvg, yearChartOptions } from '../../src/services/charts/index.js';

/** The dashboard's figures are /thongke's and the export's, for the same office and year. */
describe('dashboard figures = /thongke = export', () => {
  let bot: TestBot;
  let web: WebClient;
  const YEAR = 2025;

  beforeAll(async () => {
    bot = await startBot('hai-duong-2021-2025', { now: new Date('2025-11-20T03:00:00Z') });
    await joinWithInvite(bot, 'staff-tk', 'staff', 'HD-TK');
    const { store, campaign } = bot.app;
    const hda = await unitByCode(bot.app, 'HD-TK-HDA');
    const qp = await unitByCode(bot.app, 'HD-TK-QP');
    await store.registrations.upsert({ campaignId: campaign.id, year: YEAR, subject: { type: 'unit', unitId: hda.id }, contentAreas: [campaign.contentAreas[0]!.id], registeredBy: 'test' }, TEST_ACTOR);
    for (const u of [hda, qp]) {
      const indicators = campaign.standards.find((s) => s.level === u.level)?.indicators ?? [];
      await store.reports.submit({ campaignId: campaign.id, year: YEAR, unitId: u.id, values: Object.fromEntries(indicators.map((i) => [i.id, 100])), narrative: null, submittedBy: 'test' }, TEST_ACTOR);
    }
    const all = askedParts(campaign, hda.level, YEAR).filter((p) => p.required).map((p) => p.id);
    await addNomination(bot.app, bot.dataDir, 'HD-TK-HDA', { year: YEAR, status: 'submitted', parts: all });
    await addNomination(bot.app, bot.dataDir, 'HD-TK-HDA', { year: YEAR, status: 'submitted', nominee: 'Trần Thị Bình' });
    await addNomination(bot.app, bot.dataDir, 'HD-TK-QP', { year: YEAR, status: 'returned', nominee: 'Lê Văn Cường' });
    const { base } = await serve(bot);
    web = await loggedIn(bot, base, 'staff-tk');
    await addIdentity(bot.app, 'sim', 'admin-2', { role: 'admin', unitId: null });
  }, 60_000);
  afterAll(() => bot?.close());

  it('the reminders and alerts ahead name only units in scope; announcements show their delivery', async () => {
    // BullMQ holds no scheduler for dates that are past on the host's clock (this 2025 campaign): the page says so and follows the plan.
    const page = (await web.get('/bang-dieu-khien/lich')).text;
    const rows = [...page.matchAll(/<tr><td>(\d\d:\d\d \d\d\/\d\d\/\d{4})<\/td><td>([^<]+)<\/td>/g)].map((m) => `${m[1]} ${m[2]}`);
    expect(rows.length).toBeGreaterThan(0);
    expect(rows[0]).toMatch(/^08:00 \d\d\/\d\d\/2025 (Nhắc hạn|Cảnh báo)/);
    expect(page).toContain('Hàng đợi chưa giữ lượt nào trong số này');
    expect(page).toMatch(/Nhắc hạn nộp hồ sơ khen thưởng năm 2025 — trước hạn \d+ ngày/);
    expect(page).toMatch(/\d+ người nhận<br><span class="muted">[^<]*UBND xã (Hưng Đạo|Quang Phục)/);
    expect(page).not.toContain('UBND xã Gia Tân');

    const admin = await loggedIn(bot, web.base, 'admin-2');
    await bot.app.jobs.broadcasts.start({ by: { channel: 'sim', userId: 'admin-2', lang: 'vi' }, text: 'Họp giao ban chuyển đổi số sáng thứ Hai', audience: { kind: 'all' } });
    const bc = (await admin.get('/bang-dieu-khien/lich')).text;
    expect(bc).toContain('Họp giao ban chuyển đổi số sáng thứ Hai');
    expect(bc).toContain('Tất cả người tham gia');
    expect(bc).toMatch(/Đã gửi 0\/\d+/);
  });

  it('draws the chart /thongke sends, from the rows of the table: the same bars', async () => {
    const page = (await web.get(`/bang-dieu-khien?nam=${YEAR}`)).text;
    const svg = /<figure class="chart" id="chart-slot">(<svg[\s\S]*?<\/svg>)<\/figure>/.exec(page)?.[1];
    expect(svg).toBeDefined();
    const office = await unitByCode(bot.app, 'HD-TK');
    const rows = await officeOverview(bot.app.store, bot.app.campaign, office.id, YEAR, 'vi');
    const expected = progressChartSvg(rows, yearChartOptions({ campaign: bot.app.campaign, officeName: office.name, year: YEAR, lang: 'vi', now: bot.app.clock.now(), rows }));
    // zrender numbers its instances in class names: the drawing is the same.
    const plain = (x: string) => x.replace(/zr\d+-cls-\d+/g, 'zr-cls');
    expect(plain(svg!)).toBe(plain(expected));
    for (const r of rows) expect(svg).toContain(r.name);
  });

  const strip = (s: string) => s.replace(/<[^>]+>/g, '').trim();

  it('the same counts and the same line per unit', async () => {
    const page = (await web.get(`/bang-dieu-khien?nam=${YEAR}`)).text;
    const figure = (id: string) => strip(new RegExp(`data-figure="${id}"><div class="n">([^<]+)<`).exec(page)![1]!);
    const rows = [...page.matchAll(/<tr data-unit="[^"]+">([\s\S]*?)<\/tr>/g)].map((m) => [...m[1]!.matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((c) => strip(c[1]!)));

    const thongke = bot.text(await bot.say('staff-tk', `/thongke ${YEAR}`));
    const counts = /Đã đăng ký: (\d+)\/(\d+) · Đã báo cáo: (\d+)\/(\d+)/.exec(thongke)!;
    expect(figure('registered')).toBe(`${counts[1]}/${counts[2]}`);
    expect(figure('reported')).toBe(`${counts[3]}/${counts[4]}`);
    expect(rows).toHaveLength(Number(counts[2]));
    const lines = [...thongke.matchAll(/^• (.+): (✓|✗) \| (✓|✗|muộn) \| (—|\d+\/\d+)$/gm)].map((m) => [m[1], m[2], m[3], m[4]]);
    expect(lines).toHaveLength(rows.length);
    // Unit, registered, reported, dossiers complete/total: columns 0, 2, 3 and 5 of the table.
    expect(rows.map((r) => [r[0], r[2], r[3], r[5]])).toEqual(lines);
    expect(rows.some((r) => r[5] === '1/2')).toBe(true);

    const office = (await unitByCode(bot.app, 'HD-TK')).id;
    const sheets = await exportSheets(bot.app.store, bot.app.campaign, office, YEAR, 'vi', bot.clock.now);
    const rowsOf = async (i: number) => {
      const out: Cell[][] = [];
      for await (const r of sheets[i]!.rows) out.push(r);
      return out;
    };
    const [regs, reports, dossiers] = [await rowsOf(0), await rowsOf(1), await rowsOf(2)];
    expect(`${regs.length}/${rows.length}`).toBe(figure('registered'));
    expect(`${reports.length}/${rows.length}`).toBe(figure('reported'));
    const completeCol = sheets[2]!.headers.indexOf('Hồ sơ đủ');
    const statusCol = sheets[2]!.headers.indexOf('Trạng thái');
    expect(`${dossiers.filter((d) => d[completeCol] === 'Có').length}/${dossiers.length}`).toBe(figure('complete'));
    expect(String(dossiers.filter((d) => d[completeCol] === 'Không').length)).toBe(figure('incomplete'));
    expect(String(dossiers.filter((d) => d[statusCol] === 'bị trả lại').length)).toBe(figure('returned'));
    expect(figure('complete')).toBe('1/3');
    expect(figure('returned')).toBe('1');
  });

  it('the level and office filters narrow the same figures; the record page shows the report against the standard', async () => {
    const qp = await unitByCode(bot.app, 'HD-TK-QP');
    const page = (await web.get(`/bang-dieu-khien?nam=${YEAR}&cap=commune`)).text;
    expect(page).toContain('UBND xã Quang Phục');
    const none = (await web.get(`/bang-dieu-khien?nam=${YEAR}&cap=province`)).text;
    expect(none).not.toContain('UBND xã Quang Phục');
    const record = (await web.get(`/bang-dieu-khien/don-vi/${qp.id}?nam=${YEAR}`)).text;
    expect(record).toContain('Báo cáo chỉ tiêu so với chuẩn');
    expect(record).toMatch(/≥ \d+%/);
    expect(record).toContain('Lê Văn Cường');
    expect(record).toContain('Chưa đăng ký thi đua.');

    // An admin narrowed to Tứ Kỳ sees exactly the figures Tứ Kỳ's staff see.
    await addIdentity(bot.app, 'sim', 'admin-1', { role: 'admin', unitId: null });
    const admin = await loggedIn(bot, web.base, 'admin-1');
    const tk = (await unitByCode(bot.app, 'HD-TK')).id;
    const cards = (html: string) => [...html.matchAll(/data-figure="(\w+)"><div class="n">([^<]+)</g)].map((m) => `${m[1]}=${m[2]}`);
    const everything = (await admin.get(`/bang-dieu-khien?nam=${YEAR}`)).text;
    expect(everything).toContain('UBND xã Gia Tân');
    const narrowed = (await admin.get(`/bang-dieu-khien?nam=${YEAR}&don-vi=${tk}`)).text;
    expect(narrowed).not.toContain('UBND xã Gia Tân');
    expect(cards(narrowed)).toHaveLength(6);
    expect(cards(narrowed)).toEqual(cards((await web.get(`/bang-dieu-khien?nam=${YEAR}`)).text));
  });
});
