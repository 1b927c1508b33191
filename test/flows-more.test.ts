import { afterEach, describe, expect, it } from 'vitest';
import { PDF, startBot, type TestBot } from './helpers/bot.js';

const ADMIN = { id: 'test', role: 'admin', channel: 'cli' };

async function officerOf(bot: TestBot, user: string, unitCode: string) {
  const unit = (await bot.app.store.units.getByCode(unitCode))!;
  const code = await bot.app.store.invites.create({ role: 'officer', unitId: unit.id, ttlDays: 7, createdBy: 'test' }, ADMIN);
  await bot.say(user, 'chào');
  await bot.say(user, '1');
  await bot.say(user, code);
  return unit;
}

describe('more officer and individual paths', () => {
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

  it('a report after 10/12 (Vietnam time) is accepted and marked late; one just before midnight is not', async () => {
    bot = await startBot('tu-ky-2021-2025', { now: new Date('2025-12-10T16:59:59Z') }); // 23:59:59 on 10/12 in Vietnam
    await officerOf(bot, 'o1', 'HD-TK-HDA');
    const play = async (user: string) => {
      await bot.say(user, 'go|report');
      await bot.say(user, '2025');
      for (const v of ['70', '100', '100']) await bot.say(user, v);
      return bot.say(user, 'bỏ qua');
    };
    let r = await play('o1');
    expect(bot.text(r)).not.toContain('quá hạn');
    r = await bot.say('o1', 'xác nhận');
    expect(bot.text(r)).toContain('Đã nhận báo cáo chỉ tiêu năm 2025. Cảm ơn');

    bot.clock.now = new Date('2025-12-10T17:00:00Z'); // 00:00 on 11/12 in Vietnam
    await officerOf(bot, 'o2', 'HD-TK-QP');
    r = await play('o2');
    expect(bot.text(r)).toContain('đã quá hạn báo cáo (10/12/2025)');
    r = await bot.say('o2', 'xác nhận');
    expect(bot.text(r)).toContain('ghi nhận nộp muộn');
    const unit = (await bot.app.store.units.getByCode('HD-TK-QP'))!;
    expect((await bot.app.store.reports.get('tu-ky-2021-2025', 2025, unit.id))?.late).toBe(true);
  });

  it('warns when proposals exceed the award quota (Bình Thành: 2 collectives)', async () => {
    bot = await startBot('binh-thanh-2024');
    const nominateSelf = async (user: string, submit: boolean) => {
      let r = await bot.say(user, 'go|nominate');
      if (bot.text(r).includes('Bạn muốn lập hồ sơ mới')) r = await bot.say(user, bot.button(r, 'Lập hồ sơ đề nghị mới'));
      r = await bot.say(user, 'Chính đơn vị');
      r = await bot.say(user, bot.button(r, 'Chủ tịch UBND xã — '));
      const warned = bot.text(r).includes('vượt số lượng xét');
      await bot.say(user, 'Thành tích tốt');
      for (let i = 0; i < 5; i++) r = await bot.say(user, 'để sau');
      r = await bot.say(user, submit ? 'Gửi hồ sơ' : 'Lưu nháp');
      return warned;
    };
    await officerOf(bot, 'q1', 'TN-DH-BT-X01');
    await officerOf(bot, 'q2', 'TN-DH-BT-X02');
    await officerOf(bot, 'q3', 'TN-DH-BT-X03');
    expect(await nominateSelf('q1', true)).toBe(false);
    expect(await nominateSelf('q2', false)).toBe(false); // drafts take no slot
    expect(await nominateSelf('q2', true)).toBe(false);
    expect(await nominateSelf('q3', true)).toBe(true);
    const noms = await bot.app.store.nominations.list('binh-thanh-2024', 2024);
    expect(noms.filter((n) => n.status === 'submitted')).toHaveLength(3);
  });

  it('a saved draft is continued later: only the missing parts are asked, then submitted complete', async () => {
    bot = await startBot('binh-thanh-2024');
    await officerOf(bot, 'd1', 'TN-DH-BT-X04');
    await bot.say('d1', 'go|nominate');
    await bot.say('d1', '1');
    await bot.say('d1', '1');
    await bot.say('d1', 'Xóm dẫn đầu');
    await bot.upload('d1', PDF, 'a.pdf');
    for (let i = 0; i < 4; i++) await bot.say('d1', 'để sau');
    let r = await bot.say('d1', 'Lưu nháp');
    expect(bot.text(r)).toContain('Đã lưu nháp');
    r = await bot.say('d1', 'go|nominate');
    expect(r.at(-1)!.choices!.map((c) => c.label)).toContain('Tiếp tục hồ sơ nháp: Xóm Nà Mòn (2024)');
    r = await bot.say('d1', bot.button(r, 'Tiếp tục hồ sơ nháp'));
    expect(bot.text(r)).toContain('Hồ sơ 2/5');
    for (let i = 0; i < 4; i++) r = await bot.upload('d1', Buffer.concat([PDF, Buffer.from(String(i))]), `p${i}.pdf`);
    expect(bot.text(r)).toContain('Hồ sơ đã đủ các thành phần bắt buộc');
    r = await bot.say('d1', 'Gửi hồ sơ');
    expect(bot.text(r)).toContain('Cơ quan thường trực sẽ xem xét');
    const [n] = await bot.app.store.nominations.list('binh-thanh-2024', 2024);
    expect(n!.status).toBe('submitted');
    expect(Object.keys(n!.parts)).toHaveLength(5);
  });

  it('a paused edit of a dossier that was submitted meanwhile ends with a clear message, not an error', async () => {
    bot = await startBot('binh-thanh-2024');
    await officerOf(bot, 'd2', 'TN-DH-BT-X05');
    await bot.say('d2', 'go|nominate');
    await bot.say('d2', '1');
    await bot.say('d2', '1');
    await bot.say('d2', 'Xóm dẫn đầu');
    for (let i = 0; i < 5; i++) await bot.say('d2', 'để sau');
    await bot.say('d2', 'Lưu nháp');
    await bot.say('d2', 'go|nominate');
    await bot.say('d2', '2');
    await bot.say('d2', 'menu');
    const [draft] = await bot.app.store.nominations.list('binh-thanh-2024', 2024);
    await bot.app.store.nominations.setStatus(draft!.id, 'submitted', {}, ADMIN);
    await bot.say('d2', 'go|nominate');
    for (let i = 0; i < 5; i++) await bot.say('d2', 'để sau');
    const r = await bot.say('d2', 'Gửi hồ sơ');
    expect(bot.text(r)).toContain('không sửa được nữa');
  });
});
