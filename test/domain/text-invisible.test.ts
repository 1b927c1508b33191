import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stripInvisible } from '../../src/domain/text.js';
import type { Reply } from '../../src/engine/types.js';
import { deciderOf, nominatePerson, PDF, startBot, type TestBot } from '../helpers/bot.js';

/** Bidi overrides/isolates, zero-width characters, word joiner, BOM. */
const INVISIBLE = /[\u202a-\u202e\u2066-\u2069\u200b-\u200f\u2060\ufeff]/;
const everything = (replies: Reply[]) => JSON.stringify(replies);

describe('invisible and direction-changing characters in what people type', () => {
  let bot: TestBot;
  beforeAll(async () => {
    bot = await startBot('binh-thanh-2024');
  });
  afterAll(() => bot.close());

  it('a nominee named with U+202E and zero-width characters is stored and shown to staff without them (NFC); the return reason too', async () => {
    const officer = 'can-bo-don-vi';
    // "Hùng" typed decomposed (u + combining grave), reversed by U+202E, with zero-width joiners/spaces and an isolate.
    let r = await nominatePerson(bot, officer, await bot.say(officer, 'go|nominate'), {
      name: '\u202eTrần\u200b Văn\u2066 Hu\u0300ng\u2069\u200d',
      position: 'Trưởng\u200c thôn\ufeff',
      unit: '\u2067Xóm Đồng Tâm',
      summary: 'Gương mẫu\u202e, tận tụy\u2060',
    });
    await bot.upload(officer, PDF, 'to-trinh.pdf');
    for (let i = 0; i < 4; i++) r = await bot.say(officer, 'để sau');
    expect(bot.text(r)).toContain('Trần Văn Hùng');
    r = await bot.say(officer, 'Gửi hồ sơ');

    const [n] = (await bot.app.store.nominations.list(bot.app.campaign.id, 2024)).filter((x) => x.nominee.name.includes('Văn'));
    expect(n!.nominee).toMatchObject({ type: 'individual', name: 'Trần Văn Hùng', position: 'Trưởng thôn', unitName: 'Xóm Đồng Tâm' });
    expect(n!.summary).toBe('Gương mẫu, tận tụy');
    expect(n!.status).toBe('submitted');

    const staff = await deciderOf(bot, n!.id);
    const seen = await bot.say(staff, `/hoso ${n!.id}`);
    expect(bot.text(seen)).toContain('Trần Văn Hùng — Trưởng thôn, Xóm Đồng Tâm');
    expect(everything(seen)).not.toMatch(INVISIBLE);

    r = await bot.say(staff, `go|review_return|${n!.id}`);
    r = await bot.say(staff, 'Thiếu\u202e biên bản\u200b họp');
    expect(everything(r)).not.toMatch(INVISIBLE);
    await bot.say(staff, bot.button(r, 'Trả lại'));
    expect((await bot.app.store.nominations.get(n!.id))!.returnReason).toBe('Thiếu biên bản họp');
  });

  it('a name made only of invisible characters is refused with a clear message; the earlier answers are kept', async () => {
    const u = 'ca-nhan-an';
    let r = await bot.say(u, 'Xin chào');
    r = await bot.say(u, bot.button(r, 'Cá nhân'));
    expect(bot.text(r)).toContain('Họ và tên');
    r = await bot.say(u, '\u202e\u200b\u2066\u200d\ufeff\u2069');
    expect(bot.text(r)).toContain('Tin nhắn chỉ có ký tự ẩn, không hiện thành chữ');
    expect(bot.text(r)).toContain('Họ và tên'); // the same question again, not the start of the flow
    r = await bot.say(u, 'Hoàng Thị Lan');
    r = await bot.say(u, 'ho gia dinh');
    expect(bot.text(r)).toContain('Chức vụ');
    r = await bot.say(u, '\u200b\u200b');
    expect(bot.text(r)).toContain('Tin nhắn chỉ có ký tự ẩn');
    r = await bot.say(u, 'bỏ qua');
    r = await bot.say(u, 'dong tam');
    r = await bot.say(u, bot.button(r, 'Xóm Đồng Tâm'));
    expect(bot.text(r)).toContain('1. Họ tên: Hoàng Thị Lan');
    expect(bot.text(r)).toContain('Đối tượng: Hộ gia đình');
    r = await bot.say(u, 'xác nhận');
    const identity = (await bot.app.store.identities.get('sim', u))!;
    expect((await bot.app.store.people.get(identity.personId!))!.name).toBe('Hoàng Thị Lan');
  });

  it('stripInvisible removes exactly the listed characters and composes to NFC', () => {
    const all = '\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200b\u200c\u200d\u200e\u200f\u2060\ufeff';
    expect(stripInvisible(`a${all}b`)).toBe('ab');
    expect(stripInvisible('Nguye\u0302\u0303n')).toBe('Nguyễn');
    expect(stripInvisible('Đặng Thị Ánh — 0912 345 678')).toBe('Đặng Thị Ánh — 0912 345 678');
  });
});
