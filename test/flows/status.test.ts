import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCampaign } from '../../src/campaign/load.js';
import { planSays } from '../../src/campaign/schema.js';
import { DEADLINE_KINDS } from '../../src/domain/index.js';
import { t } from '../../src/i18n.js';
import { startBot, type TestBot } from '../helpers/bot.js';
import { addNomination, TEST_ACTOR } from '../helpers/jobs.js';
import { PRESETS, presetOfficer, playRegistration, playReport, playNomination } from '../helpers/presets.js';

describe.each(PRESETS)('preset $id: an officer sees where their unit stands', (preset) => {
  const officer = presetOfficer(preset, async (bot, user, campaign, year) => {
    await playRegistration(bot, user, campaign, year);
    await playReport(bot, user, campaign, year);
    await playNomination(bot, user, campaign, year);
  });
  const { user } = officer;

  it('status: registration, report, the dossier with its missing parts, and the next deadline', async () => {
    const bot = officer.bot;
    const r = await bot.say(user, 'go|status');
    const text = bot.text(r);
    expect(text).toContain('Đăng ký thi đua: đã đăng ký');
    expect(text).toContain('Báo cáo chỉ tiêu: đã nộp');
    // The dossier by its number, as its button names it; what it lacks said once, in lower case mid-line.
    const number = /Hoàn thiện hồ sơ số (\d+)/.exec(JSON.stringify(r))![1]!;
    // Where it waits in the review chain, then what it lacks.
    expect(text).toMatch(new RegExp(`• Hồ sơ số ${number} \\(Nguyễn Văn An\\): đã gửi — đang chờ tiếp nhận tại [^\\n—]+ — còn thiếu: \\S`));
    expect(text).not.toContain('— Còn thiếu');
    expect(text).toMatch(/Hạn tiếp theo: .* \(còn \d+ ngày\)/);
    // A deadline the plan is silent on is said to be the standing office's guidance, never the plan's.
    const line = /Hạn tiếp theo: [^\n]*/.exec(text)![0];
    const kind = DEADLINE_KINDS.find((k) => line.startsWith(`Hạn tiếp theo: ${t('vi', `deadline.${k}`)} năm`))!;
    expect(kind, line).toBeDefined();
    expect(line.includes('theo hướng dẫn của cơ quan thường trực'), line).toBe(!planSays(bot.app.campaign.deadlines[kind].source));
  });
});

/** The demo seed's officer and district staff (src/demo/seed.ts). */
const OFFICER = 'can-bo-don-vi';
const STAFF = 'can-bo-theo-doi';
const PRESET_IDS = ['binh-thanh-2024', 'dong-thap-2021-2025', 'hai-duong-2021-2025', 'tu-ky-2021-2025'];

/**
 * Every preset: the officer's unit reported for the first reporting year and sent a
 * dossier for the last one; it is 20/11 of the last year. /tinhtrang, /thongke and /thieu
 * show both years (and the current one), "/… <year>" only that year.
 */
describe.each(PRESET_IDS)('preset %s: status and staff views show every reporting year with something due or submitted', (id) => {
  let bot: TestBot;
  const campaign = loadCampaign(id);
  const first = campaign.reportingYears[0]!;
  const last = campaign.reportingYears.at(-1)!;
  beforeAll(async () => {
    bot = await startBot(id, { now: new Date(`${last}-11-20T03:00:00Z`) });
    const officer = (await bot.app.store.identities.get('sim', OFFICER))!;
    const unit = (await bot.app.store.units.get(officer.unitId!))!;
    await bot.app.store.reports.submit({ campaignId: campaign.id, year: first, unitId: unit.id, values: {}, narrative: null, submittedBy: 'test' }, TEST_ACTOR);
    await addNomination(bot.app, bot.dataDir, unit.code, { year: last, nominee: 'Lê Thị Hoa', status: 'submitted' });
  });
  afterAll(() => bot.close());

  it('/tinhtrang: each year with its report and dossiers; the dossier just sent is there', async () => {
    const text = bot.text(await bot.say(OFFICER, '/tinhtrang'));
    for (const y of new Set([first, last])) expect(text).toContain(`Năm ${y}:`);
    expect(text).toContain('(Lê Thị Hoa): đã gửi');
    expect(text).toMatch(/Báo cáo chỉ tiêu: đã nộp lúc/);
    expect(text).not.toMatch(/-\d+ ngày/);
  });

  it('/tinhtrang <year> shows that year only', async () => {
    const text = bot.text(await bot.say(OFFICER, `/tinhtrang ${first}`));
    expect(text).toContain(`Năm ${first}:`);
    for (const y of campaign.reportingYears.filter((y) => y !== first)) expect(text).not.toContain(`Năm ${y}:`);
  });

  it('/thongke: a section per year with something due or submitted; /thongke <year> filters', async () => {
    const text = bot.text(await bot.say(STAFF, '/thongke'));
    for (const y of new Set([first, last])) expect(text).toMatch(new RegExp(`Thống kê năm ${y} — \\d+ đơn vị`));
    expect(text).not.toMatch(/-\d+ ngày/);
    const one = bot.text(await bot.say(STAFF, `/thongke ${first}`));
    expect(one).toContain(`Thống kê năm ${first}`);
    for (const y of campaign.reportingYears.filter((y) => y !== first)) expect(one).not.toContain(`Thống kê năm ${y}`);
    expect(one).toMatch(/: ✗ \| ✓ \| /); // the unit that reported that year
  });

  it('/thieu: the incomplete dossier of the last year is listed; a year not in the plan gets the list of years', async () => {
    const text = bot.text(await bot.say(STAFF, '/thieu'));
    expect(text).toContain('Lê Thị Hoa');
    expect(text).toContain(`Năm ${last}: 1 đơn vị có hồ sơ còn thiếu`);
    // The header introduces the list at once; only the dossier deadline, above it (reports are not what is missing).
    expect(text).toMatch(new RegExp(`Năm ${last}: 1 đơn vị có hồ sơ còn thiếu:\\n• `));
    expect(text).not.toContain('Hạn báo cáo');
    const bad = bot.text(await bot.say(STAFF, '/thieu 2019'));
    expect(bad).toContain('Kế hoạch không có năm “2019”');
    expect(bad).toContain(campaign.reportingYears.join(', '));
  });

  it('once every deadline is past: said once, and what was submitted is still shown', async () => {
    bot.clock.now = new Date(`${last + 1}-02-01T03:00:00Z`);
    const status = bot.text(await bot.say(OFFICER, '/tinhtrang'));
    expect(status.split('Các mốc thời hạn của kế hoạch đều đã qua').length).toBe(2);
    expect(status).toContain('(Lê Thị Hoa): đã gửi');
    expect(status).not.toMatch(/đã hết hạn ngày|còn -?\d+ ngày/);
    const staff = bot.text(await bot.say(STAFF, '/thongke'));
    expect(staff.split('Các mốc thời hạn của kế hoạch đều đã qua').length).toBe(2);
    expect(staff).toContain(`Thống kê năm ${first}`);
    expect(staff).not.toMatch(/đã hết hạn ngày|còn -?\d+ ngày/);
  });
});
