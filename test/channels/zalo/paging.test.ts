import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCampaign } from '../../../src/campaign/load.js';
import { BIG_USER_ID } from '../../fakes/zalo-events.js';
import { startZaloBot, type ZaloTestBot } from '../../helpers/zalo.js';

/**
 * Issue #13 item 3 on Zalo: Đồng Tháp's content areas and "Xong" are more than 10 choices
 * (on main: no buttons at all, and "Xong" could be neither pressed nor typed). Zalo takes 5 buttons per message: the list is paged with "Trang trước" /
 * "Trang sau", and every choice, on any page, can still be typed by number or name.
 */
describe('zalo: a long multi-select is paged, and whatever it shows can be typed', () => {
  const preset = 'dong-thap-2021-2025';
  const areas = loadCampaign(preset).contentAreas;
  const user = BIG_USER_ID;
  let z: ZaloTestBot;
  beforeAll(async () => {
    z = await startZaloBot(preset, { now: new Date('2025-11-20T03:00:00Z') });
    await z.send(user, z.ev.follow({ userId: user }));
    await z.say(user, '1');
    await z.say(user, await z.bot.inviteCode());
  });
  afterAll(() => z?.close());

  it('pages of at most 5 buttons; "Trang sau" pressed or typed; ticks and "Xong" by number or word', async () => {
    expect(areas.length + 1).toBeGreaterThan(10); // with "Xong", more than Zalo's two messages of 5 buttons
    let sent = await z.say(user, 'go|register');
    if (z.text(sent).includes('Năm thi đua nào?')) sent = await z.say(user, '2025');
    expect(z.text(sent)).toContain('Chọn các nội dung thi đua');
    // Every choice is in the text, numbered; "Xong" is the last number.
    expect(z.text(sent)).toContain(`${areas.length + 1}. Xong`);
    const buttons = () => sent.flatMap((m) => m.buttons ?? []).map((b) => String(b.title));
    expect(sent.every((m) => (m.buttons?.length ?? 0) <= 5)).toBe(true);
    expect(buttons()).toEqual(['1. ' + areas[0]!.label.vi, '2. ' + areas[1]!.label.vi, '3. ' + areas[2]!.label.vi, 'Trang sau']);

    sent = await z.press(user, sent, 'Trang sau');
    expect(buttons()).toEqual(['Trang trước', '4. ' + areas[3]!.label.vi, '5. ' + areas[4]!.label.vi, '6. ' + areas[5]!.label.vi, 'Trang sau']);
    // A tick on page 2 keeps page 2 in view.
    sent = await z.press(user, sent, '5. ');
    expect(buttons()).toContain('5. ✓ ' + areas[4]!.label.vi);
    expect(buttons()).toContain('Trang trước');
    // Typed: the next page, a number on another page, the number of "Xong".
    sent = await z.say(user, 'trang sau');
    expect(buttons()[1]).toBe('7. ' + areas[6]!.label.vi);
    sent = await z.say(user, String(areas.length));
    expect(z.text(sent)).toContain(`${areas.length}. ✓ ${areas.at(-1)!.label.vi}`);
    expect(z.text(sent)).toContain('Chọn các nội dung thi đua');
    sent = await z.say(user, String(areas.length + 1));
    expect(z.text(sent)).toContain('Cam kết');
    const stored = await z.bot.app.engine.sessions.load('zalo', user);
    expect(stored?.data.areas).toEqual([areas[4]!.id, areas.at(-1)!.id]);
  });

  it('at a file step, "Bổ sung sau" typed with or without diacritics, or "1", is taken', async () => {
    let sent = await z.say(user, 'hủy');
    sent = await z.say(user, 'go|nominate');
    for (let i = 0; i < 8 && !sent.some((m) => m.text?.includes('Gửi tệp PDF')); i++) {
      const b = sent.flatMap((m) => m.buttons ?? [])[0];
      sent = b ? await z.say(user, String(b.payload)) : await z.say(user, 'Thành tích nổi bật trong chuyển đổi số');
    }
    expect(z.text(sent)).toContain('Hồ sơ 1/');
    sent = await z.say(user, 'Bổ sung sau');
    expect(z.text(sent)).toContain('Hồ sơ 2/');
    sent = await z.say(user, 'bo sung sau');
    expect(z.text(sent)).toContain('Hồ sơ 3/');
    sent = await z.say(user, '1');
    expect(z.text(sent)).not.toContain('Bước này cần một tệp');
  });
});
