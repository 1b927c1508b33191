import { describe, expect, it } from 'vitest';
import { PRESETS, presetOfficer } from '../helpers/presets.js';

describe.each(PRESETS)('preset $id: an officer registers their unit', (preset) => {
  const { year } = preset;
  const officer = presetOfficer(preset);
  const { user, campaign } = officer;

  it('registration: content areas, commitments, confirm; re-registering updates', async () => {
    const bot = officer.bot;
    let r = await bot.say(user, 'go|register');
    if (campaign.reportingYears.length > 1) {
      expect(bot.text(r)).toContain('Năm thi đua nào?');
      r = await bot.say(user, String(year));
    }
    expect(bot.text(r)).toContain('Chọn các nội dung thi đua');
    r = await bot.say(user, '1, 2');
    expect(bot.text(r)).toContain('Cam kết');
    r = await bot.say(user, 'Số hóa toàn bộ hồ sơ công việc');
    expect(bot.text(r)).toContain(`Kiểm tra lại đăng ký thi đua năm ${year}`);
    r = await bot.say(user, bot.button(r, 'Xác nhận'));
    expect(bot.text(r)).toContain(`Đã ghi nhận đăng ký thi đua năm ${year}`);
    const identity = (await bot.app.store.identities.get('sim', user))!;
    const subject = { type: 'unit' as const, unitId: identity.unitId! };
    const reg = await bot.app.store.registrations.get(campaign.id, year, subject);
    expect(reg?.contentAreas).toEqual(campaign.contentAreas.slice(0, 2).map((a) => a.id));
    expect(reg?.commitments).toBe('Số hóa toàn bộ hồ sơ công việc');

    r = await bot.say(user, 'go|register');
    if (campaign.reportingYears.length > 1) r = await bot.say(user, String(year));
    r = await bot.say(user, 'tat ca');
    r = await bot.say(user, 'bo qua');
    r = await bot.say(user, 'xac nhan');
    expect(bot.text(r)).toContain(`Đã cập nhật đăng ký thi đua năm ${year}`);
    const all = await bot.app.store.registrations.list(campaign.id, year);
    expect(all.filter((x) => x.subject.type === 'unit' && x.subject.unitId === identity.unitId)).toHaveLength(1);
    expect(all.find((x) => x.subject.type === 'unit' && x.subject.unitId === identity.unitId)?.contentAreas).toHaveLength(campaign.contentAreas.length);
  });
});
