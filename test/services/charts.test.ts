import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCampaign } from '../../src/campaign/load.js';
import { reviewOffice } from '../../src/domain/roles.js';
import type { Reply } from '../../src/engine/types.js';
import { officeOverview } from '../../src/services/overview.js';
import { byMissing, chartPng, LEVEL_SERIES, progressChartOption, progressChartSvg, TOP_BEHIND, UNIT_SERIES, yearChartOptions } from '../../src/services/charts/index.js';
import { startBot, type TestBot } from '../helpers/bot.js';
import { addNomination, TEST_ACTOR } from '../helpers/jobs.js';
import { decodePng } from '../helpers/png.js';
import { PRESETS } from '../helpers/presets.js';

const OFFICER = 'can-bo-don-vi';
const STAFF = 'can-bo-theo-doi';

type Series = { id: string; data: number[] };
const seriesOf = (option: ReturnType<typeof progressChartOption>['option']) => new Map((option.series as Series[]).map((s) => [s.id, s.data]));
const sum = (xs: number[] = []) => xs.reduce((a, b) => a + b, 0);

/** "/thongke <year>" as staff read it: the count line and each unit's line. */
function parseOverview(text: string) {
  const counts = /Đã đăng ký: (\d+)\/(\d+) · Đã báo cáo: (\d+)\/\d+ · Hồ sơ còn thiếu: (\d+)/.exec(text);
  if (!counts) throw new Error(`no count line in ${text}`);
  const units = new Map<string, { registered: number; reported: number; complete: number; total: number }>();
  for (const m of text.matchAll(/^• (.+): (✓|✗) \| (✓|✗|muộn) \| (—|(\d+)\/(\d+))$/gm))
    units.set(m[1]!, { registered: m[2] === '✓' ? 1 : 0, reported: m[3] === '✗' ? 0 : 1, complete: Number(m[5] ?? 0), total: Number(m[6] ?? 0) });
  return { line: counts[0], registered: Number(counts[1]), total: Number(counts[2]), reported: Number(counts[3]), incomplete: Number(counts[4]), units };
}

const chartOf = (replies: Reply[]) => replies.find((r) => r.file?.mime === 'image/png');

/** Something done by the demo unit: registered, reported, one dossier complete and one missing parts. */
async function activity(bot: TestBot, year: number) {
  const { store, campaign } = bot.app;
  const officer = (await store.identities.get('sim', OFFICER))!;
  const unit = (await store.units.get(officer.unitId!))!;
  await store.registrations.upsert({ campaignId: campaign.id, year, subject: { type: 'unit', unitId: unit.id }, contentAreas: [campaign.contentAreas[0]!.id], registeredBy: 'test' }, TEST_ACTOR);
  await store.reports.submit({ campaignId: campaign.id, year, unitId: unit.id, values: {}, narrative: null, submittedBy: 'test' }, TEST_ACTOR);
  await addNomination(bot.app, bot.dataDir, unit.code, { year, nominee: 'Lê Thị Hoa', status: 'submitted' });
  await addNomination(bot.app, bot.dataDir, unit.code, { year, nominee: 'Trần Văn Bình', status: 'submitted', parts: campaign.dossierParts.map((p) => p.id) });
}

describe.each(PRESETS)('preset $id: the chart shows the figures of /thongke', (preset) => {
  let bot: TestBot;
  beforeAll(async () => {
    bot = await startBot(preset.id, { now: new Date(preset.now) });
    await activity(bot, preset.year);
  });
  afterAll(() => bot.close());

  it('every bar and count equals officeOverview and the /thongke text; the picture sent is that chart', async () => {
    const { store, campaign } = bot.app;
    const replies = await bot.say(STAFF, `/thongke ${preset.year}`);
    const text = parseOverview(replies[0]!.text);
    const staff = (await store.identities.get('sim', STAFF))!;
    const office = reviewOffice(staff);
    const rows = await officeOverview(store, campaign, office, preset.year, 'vi');
    const officeName = office ? (await store.units.get(office))!.name : null;
    const opts = yearChartOptions({ campaign, officeName, year: preset.year, lang: 'vi', now: bot.clock.now, rows });
    const { option } = progressChartOption(rows, opts);
    const series = seriesOf(option);
    const figures = byMissing(rows);

    // The counts: the chart's bars add up to /thongke's count line, and the line is in the picture's title.
    expect(rows.length).toBe(text.total);
    expect(sum(series.get('unit_registered'))).toBe(text.registered);
    expect(sum(series.get('unit_reported'))).toBe(text.reported);
    expect(series.get('unit_incomplete')!.filter((n) => n > 0).length).toBe(text.incomplete);
    expect(sum(series.get('unit_registered')) + sum(series.get('unit_unregistered'))).toBe(rows.length);
    expect(text.registered + text.reported + text.incomplete).toBeGreaterThan(0);
    const svg = progressChartSvg(rows, opts);
    expect(svg).toContain(text.line);
    expect(svg).toContain(`Thống kê năm ${preset.year}`);
    expect(svg).not.toMatch(/còn -\d+ ngày/);

    // Each unit: its bar says what its /thongke line says, most missing first.
    expect(text.units.size).toBe(rows.length);
    figures.forEach((f, i) => {
      const line = text.units.get(f.name)!;
      expect(line, f.name).toBeDefined();
      expect({ registered: f.registered, reported: f.reported, complete: f.complete, total: f.complete + f.incomplete }).toEqual(line);
      expect(UNIT_SERIES.map((k) => series.get(`unit_${k}`)![i])).toEqual([f.registered, f.reported, f.complete, 1 - f.registered, 1 - f.reported, f.incomplete]);
      if (i > 0) expect(f.missing).toBeLessThanOrEqual(figures[i - 1]!.missing);
    });
    expect(figures.some((f) => f.complete === 1 && f.incomplete === 1)).toBe(true);

    // The picture /thongke sent is this very chart, drawn again from the same rows.
    const chart = chartOf(replies)!;
    expect(chart.text).toContain(`Biểu đồ thống kê năm ${preset.year}`);
    expect(chart.file).toMatchObject({ mime: 'image/png', inline: true, name: `bieu-do-thong-ke-${preset.year}.png` });
    const sent = fs.readFileSync(path.join(bot.dataDir, chart.file!.path));
    expect(sent.equals(chartPng(svg))).toBe(true);
  });

  it('the PNG is a valid image under 1 MB, drawn at 1.5 × the chart', async () => {
    const chart = chartOf(await bot.say(STAFF, `/thongke ${preset.year}`))!;
    const png = fs.readFileSync(path.join(bot.dataDir, chart.file!.path));
    expect(png.length).toBeLessThan(1024 * 1024);
    const { width, height } = decodePng(png);
    expect(width).toBe(960);
    expect(height).toBeGreaterThan(300);
  });
});

describe('an office with more than 40 units: counts per level and the ten furthest behind', () => {
  let bot: TestBot;
  const campaign = loadCampaign('binh-thanh-2024');
  beforeAll(async () => {
    bot = await startBot(campaign.id, { now: new Date('2024-11-20T03:00:00Z') });
    await activity(bot, 2024);
    const staff = (await bot.app.store.identities.get('sim', STAFF))!;
    const hamlet = (await bot.app.store.identities.get('sim', OFFICER).then((o) => bot.app.store.units.get(o!.unitId!)))!;
    for (let i = 1; i <= 45; i++) await bot.app.store.units.create({ code: `XT${i}`, name: `Xóm Thử Nghiệm ${i}`, level: hamlet.level, parentId: staff.unitId }, TEST_ACTOR);
  });
  afterAll(() => bot.close());

  it('the level bars add up to /thongke; the top ten are the units missing most', async () => {
    const { store } = bot.app;
    const replies = await bot.say(STAFF, '/thongke 2024');
    const text = parseOverview(replies[0]!.text);
    expect(text.total).toBeGreaterThan(40);
    const staff = (await store.identities.get('sim', STAFF))!;
    const rows = await officeOverview(store, campaign, reviewOffice(staff), 2024, 'vi');
    const opts = yearChartOptions({ campaign, officeName: 'x', year: 2024, lang: 'vi', now: bot.clock.now, rows });
    const series = seriesOf(progressChartOption(rows, opts).option);
    expect(LEVEL_SERIES.map((k) => sum(series.get(`level_${k}`)))).toEqual([text.total, text.registered, text.reported, text.incomplete]);
    const top = byMissing(rows).slice(0, TOP_BEHIND);
    expect(series.get('unit_unregistered')).toEqual(top.map((f) => 1 - f.registered));
    expect(series.get('unit_registered')).toHaveLength(TOP_BEHIND);
    // The demo unit, which did everything but one dossier, is not among the ten.
    expect(top.map((f) => f.name)).not.toContain((await store.identities.get('sim', OFFICER).then((o) => store.units.get(o!.unitId!)))!.name);
    const chart = chartOf(replies)!;
    expect(chart.text).toContain('số đơn vị theo cấp và 10 đơn vị còn thiếu nhiều nhất');
    const png = fs.readFileSync(path.join(bot.dataDir, chart.file!.path));
    expect(png.length).toBeLessThan(1024 * 1024);
    decodePng(png);
  });

  it('in English the chart speaks English', async () => {
    await bot.say(STAFF, '/lang en');
    const replies = await bot.say(STAFF, '/thongke 2024');
    expect(chartOf(replies)!.text).toContain('Progress chart 2024');
    const staff = (await bot.app.store.identities.get('sim', STAFF))!;
    const rows = await officeOverview(bot.app.store, campaign, reviewOffice(staff), 2024, 'en');
    const svg = progressChartSvg(rows, yearChartOptions({ campaign, officeName: 'x', year: 2024, lang: 'en', now: bot.clock.now, rows }));
    expect(svg).toContain('Progress 2024');
    expect(svg).toContain('Not registered');
    expect(svg).not.toContain('Chưa đăng ký');
  });
});

describe('the bundled font draws every Vietnamese letter', () => {
  const TONES = ['', '\u0300', '\u0301', '\u0309', '\u0303', '\u0323'];
  const VOWELS = ['a', 'ă', 'â', 'e', 'ê', 'i', 'o', 'ô', 'ơ', 'u', 'ư', 'y'];
  const letters = [...VOWELS.flatMap((v) => TONES.map((t) => (v + t).normalize('NFC'))), 'đ'].flatMap((l) => [l, l.toUpperCase()]);
  const draw = (text: string) =>
    chartPng(`<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64"><text x="10" y="46" font-size="36" font-family="Be Vietnam Pro">${text}</text></svg>`, 1);

  it('each of the 146 letters has its own glyph (a missing one would draw nothing, or the same empty box)', () => {
    expect(letters).toHaveLength(146);
    const blank = draw('').toString('base64');
    const seen = new Map<string, string>();
    for (const l of letters) {
      const png = draw(l).toString('base64');
      expect(png, `${l} drew nothing`).not.toBe(blank);
      expect(seen.get(png), `${l} looks like ${seen.get(png)}`).toBeUndefined();
      seen.set(png, l);
    }
  });

  it('a label with diacritics draws ink: the chart with a Vietnamese title differs from one without it', () => {
    const base = { lang: 'vi' as const, subtitle: [] };
    const a = chartPng(progressChartSvg([], { ...base, title: 'Hồ sơ còn thiếu — Đội công nghệ số' }));
    const b = chartPng(progressChartSvg([], { ...base, title: 'Ho so con thieu — Doi cong nghe so' }));
    const none = chartPng(progressChartSvg([], { ...base, title: '' }));
    expect(a.equals(b)).toBe(false);
    expect(a.equals(none)).toBe(false);
    expect(a.length).toBeGreaterThan(none.length);
  });
});
