import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { haiDuongStaffAndReturnedDossier, startBot, type TestBot } from '../helpers/bot.js';

describe('staff manage the people of their units (/canbo)', () => {
  let bot: TestBot;
  const text = (r: { text: string }[]) => r.map((x) => x.text).join('\n');

  beforeAll(async () => {
    bot = await startBot('hai-duong-2021-2025', { now: new Date('2025-11-20T03:00:00Z') });
    await haiDuongStaffAndReturnedDossier(bot);
  });
  afterAll(() => bot.close());

  it('/canbo lists only the people of units under the office, and revokes one', async () => {
    expect(text(await bot.say('staff-gl', '/canbo'))).toContain('Chưa có cán bộ nào');
    let r = await bot.say('staff-tk', '/canbo');
    const labels = r.at(-1)!.choices!.map((c) => c.label);
    expect(labels.some((l) => l.includes('UBND xã Hưng Đạo'))).toBe(true);
    expect(labels.some((l) => l.includes('UBND xã Quang Phục'))).toBe(true);
    expect(labels.some((l) => l.includes('Gia Lộc'))).toBe(false);
    r = await bot.say('staff-tk', r.at(-1)!.choices!.find((c) => c.label.includes('Hưng Đạo'))!.payload);
    expect(text(r)).toContain('Thu hồi quyền của người này?');
    r = await bot.say('staff-tk', 'Xác nhận');
    expect(text(r)).toContain('Đã thu hồi quyền');
    expect((await bot.app.store.identities.get('sim', 'officer-a'))?.role).toBeNull();
    expect(text(await bot.say('officer-a', 'menu'))).toContain('Bạn tham gia phong trào với tư cách nào?');
    expect((await bot.app.store.identities.get('sim', 'officer-b'))?.role).toBe('officer');
    expect(text(await bot.say('officer-b', '/canbo'))).toContain('Bạn không có quyền');
  });
});
