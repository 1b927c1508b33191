import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCampaign } from '../../src/campaign/load.js';
import { addCivilDays, campaignDeadlines, formatCivilDate, vnInstant, type CivilDate } from '../../src/domain/index.js';
import { deadlineWhen } from '../../src/services/deadlines.js';
import { startBot, type TestBot } from '../helpers/bot.js';

const PRESETS = ['binh-thanh-2024', 'dong-thap-2021-2025', 'hai-duong-2021-2025', 'tu-ky-2021-2025'];

/** Instants around a due day, Vietnam time: from 2 days before to 2 days after, at the edges of each day. */
function around(due: CivilDate): { at: Date; day: number }[] {
  const out: { at: Date; day: number }[] = [];
  for (let day = -2; day <= 2; day++) {
    const d = addCivilDays(due, day);
    for (const [hh, mm, ss] of [[0, 0, 0], [8, 0, 0], [23, 59, 59]] as const)
      out.push({ at: new Date(vnInstant(d.year, d.month, d.day, hh, mm).getTime() + ss * 1000), day });
  }
  return out;
}

describe('a deadline is said as a clerk would: every preset × deadline kind × instants around it, Vietnam time', () => {
  it.each(PRESETS)('%s', (id) => {
    const c = loadCampaign(id);
    for (const d of campaignDeadlines(c))
      for (const { at, day } of around(d.dueDay))
        for (const lang of ['vi', 'en'] as const) {
          const text = deadlineWhen(lang, at, d.dueDay);
          const date = formatCivilDate(d.dueDay, lang);
          expect(text, `${d.kind} ${d.year} at ${at.toISOString()}`).not.toMatch(/-\d/);
          expect(text).toContain(date);
          if (lang === 'en') continue;
          if (day < 0) expect(text).toBe(`hết ngày ${date} (còn ${-day} ngày)`);
          if (day === 0) expect(text).toBe(`hết ngày ${date} (hôm nay là hạn cuối)`);
          if (day > 0) expect(text).toBe(`đã hết hạn ngày ${date}`);
        }
  });
});

/** The same through the views officers and staff read: /tinhtrang and /thongke around every deadline. */
describe.each(PRESETS)('preset %s: /tinhtrang and /thongke never show a negative count of days', (id) => {
  let bot: TestBot;
  const c = loadCampaign(id);
  beforeAll(async () => {
    bot = await startBot(id);
  });
  afterAll(() => bot.close());

  it('around every deadline of the campaign', async () => {
    for (const d of campaignDeadlines(c))
      for (const { at, day } of around(d.dueDay).filter((x) => x.day !== -2)) {
        bot.clock.now = at;
        const status = bot.text(await bot.say('can-bo-don-vi', '/tinhtrang'));
        const staff = bot.text(await bot.say('can-bo-theo-doi', `/thongke ${d.year}`));
        for (const text of [status, staff]) expect(text, `${d.kind} ${d.year} at ${at.toISOString()}\n${text}`).not.toMatch(/còn -\d|-\d+ ngày/);
        const date = formatCivilDate(d.dueDay, 'vi');
        const line = d.kind === 'dossier' ? `Hạn nộp hồ sơ năm ${d.year}` : d.kind === 'report' ? `Hạn báo cáo năm ${d.year}` : null;
        if (line && day === 0) expect(staff).toContain(`${line}: hết ngày ${date} (hôm nay là hạn cuối).`);
        if (line && day > 0 && !staff.includes('đều đã qua')) expect(staff).toContain(`${line}: đã hết hạn ngày ${date}.`);
      }
  });
});
