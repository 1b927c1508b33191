import { describe, expect, it } from 'vitest';
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
    expect(text).toContain('Hồ sơ Nguyễn Văn An: đã gửi');
    expect(text).toMatch(/Hạn tiếp theo: .* \(còn \d+ ngày\)/);
  });
});
