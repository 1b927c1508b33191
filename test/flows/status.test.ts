import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCampaign } from '../../src/campaign/load.js';
import { joinAsDemoOfficer, startBot, type TestBot } from '../helpers/bot.js';
import { PRESETS, playRegistration, playReport, playNomination } from '../helpers/presets.js';

describe.each(PRESETS)('preset $id: an officer sees where their unit stands', ({ id, now, year }) => {
  let bot: TestBot;
  const user = `officer-${id}`;
  const campaign = loadCampaign(id);
  beforeAll(async () => {
    bot = await startBot(id, { now: new Date(now) });
    await joinAsDemoOfficer(bot, user);
    await playRegistration(bot, user, campaign, year);
    await playReport(bot, user, campaign, year);
    await playNomination(bot, user, campaign, year);
  });
  afterAll(() => bot.close());

  it('status: registration, report, the dossier with its missing parts, and the next deadline', async () => {
    const r = await bot.say(user, 'go|status');
    const text = bot.text(r);
    expect(text).toContain('Đăng ký thi đua: đã đăng ký');
    expect(text).toContain('Báo cáo chỉ tiêu: đã nộp');
    expect(text).toContain('Hồ sơ Nguyễn Văn An: đã gửi');
    expect(text).toMatch(/Hạn tiếp theo: .* \(còn \d+ ngày\)/);
  });
});
