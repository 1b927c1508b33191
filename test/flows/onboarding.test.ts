import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startBot, type TestBot } from '../helpers/bot.js';
import { PRESETS } from '../helpers/presets.js';

describe.each(PRESETS)('preset $id: a newcomer joins their unit', ({ id, now }) => {
  let bot: TestBot;
  const user = `officer-${id}`;
  beforeAll(async () => {
    bot = await startBot(id, { now: new Date(now) });
  });
  afterAll(() => bot.close());

  it('onboarding: a newcomer joins their unit with an invite code; the code works once', async () => {
    let r = await bot.say(user, 'xin chào');
    expect(bot.text(r)).toContain('Bạn tham gia phong trào với tư cách nào?');
    r = await bot.say(user, bot.button(r, 'mã mời'));
    expect(bot.text(r)).toContain('Nhập mã mời');
    r = await bot.say(user, 'SAI-MA-1');
    expect(bot.text(r)).toContain('Mã mời không đúng');
    const code = await bot.inviteCode();
    r = await bot.say(user, ` ${code.toLowerCase()} `);
    expect(bot.text(r)).toMatch(/Bạn đã tham gia với vai trò cán bộ phụ trách của /);
    expect(bot.text(r)).toContain('Bạn muốn làm gì?');
    const identity = await bot.app.store.identities.get('sim', user);
    expect(identity?.role).toBe('officer');
    expect(identity?.unitId).toBeTruthy();
    // The same code cannot be claimed twice.
    let other = await bot.say(`${user}-2`, 'chào');
    other = await bot.say(`${user}-2`, '1');
    other = await bot.say(`${user}-2`, code);
    expect(bot.text(other)).toContain('Mã mời không đúng, đã dùng hoặc đã hết hạn');
  });
});

describe('an individual joins', () => {
  let bot: TestBot;
  afterEach(() => bot?.close());

  it('an individual joins with name, kind, position and a unit found without diacritics, then registers', async () => {
    bot = await startBot('binh-thanh-2024');
    let r = await bot.say('p1', 'Xin chào');
    r = await bot.say('p1', bot.button(r, 'Cá nhân'));
    r = await bot.say('p1', 'Hoàng Thị Lan');
    r = await bot.say('p1', 'ho gia dinh');
    expect(bot.text(r)).toContain('Chức vụ');
    r = await bot.say('p1', 'bỏ qua');
    r = await bot.say('p1', 'dong tam');
    expect(bot.text(r)).toContain('Chọn đúng đơn vị');
    r = await bot.say('p1', bot.button(r, 'Xóm Đồng Tâm'));
    expect(bot.text(r)).toContain('1. Họ tên: Hoàng Thị Lan');
    expect(bot.text(r)).toContain('Đối tượng: Hộ gia đình');
    expect(bot.text(r)).toContain('Đơn vị: Xóm Đồng Tâm');
    r = await bot.say('p1', 'xác nhận');
    expect(bot.text(r)).toContain('Cảm ơn Hoàng Thị Lan');
    const identity = (await bot.app.store.identities.get('sim', 'p1'))!;
    expect(identity.role).toBe('individual');
    const person = (await bot.app.store.people.get(identity.personId!))!;
    expect(person).toMatchObject({ name: 'Hoàng Thị Lan', kind: 'household', position: null, unitName: null });
    expect((await bot.app.store.units.get(person.unitId!))?.name).toBe('Xóm Đồng Tâm');

    // Individuals register for themselves; unit-only flows are not offered.
    const menu = r.at(-1)!.choices!.map((c) => c.payload);
    expect(menu).toContain('go|register');
    expect(menu).not.toContain('go|report');
    expect(menu).not.toContain('go|nominate');
    r = await bot.say('p1', 'go|report');
    expect(bot.text(r)).toContain('Bạn không có quyền');
    await bot.say('p1', 'go|register');
    await bot.say('p1', '3');
    await bot.say('p1', 'xong');
    await bot.say('p1', 'Hướng dẫn 5 hộ hàng xóm dùng VNeID');
    r = await bot.say('p1', 'xac nhan');
    expect(bot.text(r)).toContain('Đã ghi nhận đăng ký');
    const reg = await bot.app.store.registrations.get('binh-thanh-2024', 2024, { type: 'person', personId: person.id });
    expect(reg?.commitments).toBe('Hướng dẫn 5 hộ hàng xóm dùng VNeID');
  });

  it('a person whose unit is not in the list keeps the name they typed', async () => {
    bot = await startBot('binh-thanh-2024');
    await bot.say('p2', 'hi');
    await bot.say('p2', '2');
    await bot.say('p2', 'Trần Văn Bình');
    await bot.say('p2', '1');
    await bot.say('p2', 'Giáo viên');
    let r = await bot.say('p2', 'Trường THCS Bình Yên');
    expect(bot.text(r)).toContain('Đơn vị: Trường THCS Bình Yên');
    r = await bot.say('p2', 'Xác nhận');
    const identity = (await bot.app.store.identities.get('sim', 'p2'))!;
    const person = (await bot.app.store.people.get(identity.personId!))!;
    expect(person).toMatchObject({ unitId: null, unitName: 'Trường THCS Bình Yên', position: 'Giáo viên', kind: 'citizen' });
  });
});
