import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBot, type TestBot } from '../helpers/bot.js';

/** Issue #13 item 3: a multi-select answered by typing, as the screen shows it. */
describe('multi-select typed', () => {
  let bot: TestBot;
  let n = 0;
  beforeAll(async () => {
    bot = await startBot('binh-thanh-2024');
  });
  afterAll(() => bot.close());

  /** A new officer at the content-area question of the registration. */
  async function atAreas(): Promise<string> {
    const user = `m${++n}`;
    await bot.say(user, 'chào');
    await bot.say(user, '1');
    await bot.say(user, await bot.inviteCode());
    const code = await bot.app.store.invites.create({ role: 'officer', unitId: (await bot.app.store.identities.get('sim', user))!.unitId, ttlDays: 7, createdBy: 'test' }, { id: 'test', role: 'admin', channel: 'cli' });
    await bot.app.redis.set(`${bot.prefix}:demo:invite`, code);
    expect(bot.text(await bot.say(user, 'go|register'))).toContain('Chọn các nội dung thi đua');
    return user;
  }
  const areas = async (user: string) => (await bot.app.engine.sessions.load('sim', user))!;

  it('one number ticks and asks again; the next number is a choice too, not the commitment text; "xong" ends it', async () => {
    const user = await atAreas();
    let r = await bot.say(user, '1');
    expect(bot.text(r)).toContain('Chọn các nội dung thi đua');
    expect(r.at(-1)!.choices![0]!.label).toMatch(/^✓ /);
    r = await bot.say(user, '3');
    expect((await areas(user)).data.areas).toHaveLength(2);
    r = await bot.say(user, 'Xong');
    expect(bot.text(r)).toContain('Cam kết');
    expect((await areas(user)).data.commitments).toBeUndefined();
  });

  it('unticking the only ticked area keeps the flow; ticking another goes on (on main the flow started over)', async () => {
    const user = await atAreas();
    await bot.say(user, '1');
    let r = await bot.say(user, '1');
    expect(bot.text(r)).not.toContain('vừa được cập nhật');
    r = await bot.say(user, '2');
    expect(bot.text(r)).not.toContain('vừa được cập nhật');
    expect((await areas(user)).data).toMatchObject({ year: '2024', areas: [bot.app.campaign.contentAreas[1]!.id] });
  });

  it('"1 3", "1,3" and "tất cả" answer at once', async () => {
    for (const [typed, picked] of [['1 3', [0, 2]], ['1,3', [0, 2]], ['tất cả', bot.app.campaign.contentAreas.map((_, i) => i)]] as const) {
      const user = await atAreas();
      const r = await bot.say(user, typed);
      expect(bot.text(r), typed).toContain('Cam kết');
      expect((await areas(user)).data.areas).toEqual(picked.map((i) => bot.app.campaign.contentAreas[i]!.id));
    }
  });

  it('at the summary a number alone edits that line; the actions are typed by name', async () => {
    const user = await atAreas();
    await bot.say(user, '1');
    await bot.say(user, 'xong');
    let r = await bot.say(user, 'bỏ qua');
    expect(bot.text(r)).toContain('1. Nội dung:');
    expect(r.at(-1)!.numbered).toBe(false);
    r = await bot.say(user, '2');
    expect(bot.text(r)).toContain('Cam kết');
    r = await bot.say(user, 'Giữ vững');
    r = await bot.say(user, 'xac nhan');
    expect(bot.text(r)).toContain('Đã ghi nhận đăng ký');
  });
});
