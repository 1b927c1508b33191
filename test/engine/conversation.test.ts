import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { deciderOf, joinAsDemoOfficer, PDF, startBot, type TestBot } from '../helpers/bot.js';

/** An officer `user` at the registration summary of the Bình Thành demo, with area 1 and `commitments`; returns that reply. */
async function atRegistrationSummary(bot: TestBot, user: string, commitments: string) {
  await joinAsDemoOfficer(bot, user);
  await bot.say(user, 'go|register');
  // One typed number picks that area; "xong" ends the list (issue #13 item 3).
  await bot.say(user, '1');
  await bot.say(user, 'xong');
  const r = await bot.say(user, commitments);
  expect(bot.text(r)).toContain('Kiểm tra lại đăng ký');
  return r;
}

/** `user`'s unit registration for 2024 in the Bình Thành demo. */
async function registrationOf(bot: TestBot, user: string) {
  const identity = (await bot.app.store.identities.get('sim', user))!;
  return bot.app.store.registrations.get('binh-thanh-2024', 2024, { type: 'unit', unitId: identity.unitId! });
}

describe('conversation engine', () => {
  let bot: TestBot;
  afterEach(() => bot?.close());

  it('back returns to the previous step with the earlier answer kept', async () => {
    bot = await startBot('binh-thanh-2024');
    await joinAsDemoOfficer(bot, 'u1');
    await bot.say('u1', 'go|register');
    let r = await bot.say('u1', '2,3');
    expect(bot.text(r)).toContain('Cam kết');
    r = await bot.say('u1', 'quay lại');
    expect(bot.text(r)).toContain('Chọn các nội dung thi đua');
    const labels = r.at(-1)!.choices!.map((c) => c.label);
    expect(labels[1]).toMatch(/^✓ /);
    expect(labels[2]).toMatch(/^✓ /);
    expect(labels[0]).not.toMatch(/^✓ /);
    r = await bot.say('u1', 'quay lai');
    expect(bot.text(r)).toContain('Bạn đang ở bước đầu tiên');
  });

  it('bad input re-asks the step with a reason and keeps every earlier answer', async () => {
    bot = await startBot('tu-ky-2021-2025', { now: new Date('2025-11-20T03:00:00Z') });
    await joinAsDemoOfficer(bot, 'u2');
    await bot.say('u2', 'go|report');
    await bot.say('u2', '2025');
    let r = await bot.say('u2', '72');
    expect(bot.text(r)).toContain('Chỉ tiêu 2/3');
    for (const bad of ['abc', '150', '-3', '85,5,5', '']) {
      r = await bot.say('u2', bad);
      expect(bot.text(r)).toMatch(/Tỷ lệ phải là số từ 0 đến 100|Tin nhắn trống/);
      expect(bot.text(r)).toContain('Chỉ tiêu 2/3');
    }
    r = await bot.say('u2', '100');
    r = await bot.say('u2', '100');
    r = await bot.say('u2', 'bỏ qua');
    expect(bot.text(r)).toContain('72% ✓');
  });

  it('a step that fails answers with an apology and keeps every answer; the next try goes through', async () => {
    bot = await startBot('binh-thanh-2024');
    await atRegistrationSummary(bot, 'u3f', 'Cam kết giữ lại');
    const registrations = bot.app.store.registrations;
    const real = registrations.upsert.bind(registrations);
    registrations.upsert = () => Promise.reject(new Error('a bug in the store'));
    const r = await bot.say('u3f', 'Xác nhận');
    expect(bot.text(r)).toContain('hệ thống gặp sự cố');
    const kept = (await bot.app.engine.sessions.load('sim', 'u3f'))!;
    expect(kept).toMatchObject({ flow: 'register', step: 'confirm', data: { commitments: 'Cam kết giữ lại' } });
    expect(kept.paused).toEqual({});
    registrations.upsert = real;
    await bot.say('u3f', 'Xác nhận');
    expect((await registrationOf(bot, 'u3f'))?.commitments).toBe('Cam kết giữ lại');
  });

  it('answering a step again after "sửa N" keeps the session small, and "back" still walks the steps in order', async () => {
    bot = await startBot('binh-thanh-2024');
    await atRegistrationSummary(bot, 'u3h', 'Cam kết 0');
    const size = async () => (await bot.app.redis.get(`${bot.prefix}:session:sim:u3h`))!.length;
    const start = await size();
    for (let i = 1; i <= 30; i++) {
      await bot.say('u3h', i % 2 ? 'sửa 2' : 'sửa 1');
      await bot.say('u3h', i % 2 ? `Cam kết ${i}` : 'xong');
    }
    expect(await size()).toBeLessThan(start + 10);
    expect((await bot.app.engine.sessions.load('sim', 'u3h'))!.history).toEqual(['areas', 'commitments']);
    let r = await bot.say('u3h', 'quay lại');
    expect(bot.text(r)).toContain('Cam kết hoặc chỉ tiêu riêng');
    r = await bot.say('u3h', 'quay lại');
    expect(bot.text(r)).toContain('Chọn các nội dung thi đua');
  });

  it('"sửa N" at the summary changes one answer and comes back to the summary', async () => {
    bot = await startBot('binh-thanh-2024');
    let r = await atRegistrationSummary(bot, 'u3', 'Cam kết cũ');
    expect(bot.text(r)).toContain('2. Cam kết: Cam kết cũ');
    r = await bot.say('u3', 'sửa 2');
    expect(bot.text(r)).toContain('Cam kết hoặc chỉ tiêu riêng');
    r = await bot.say('u3', 'Cam kết mới');
    expect(bot.text(r)).toContain('2. Cam kết: Cam kết mới');
    expect(bot.text(r)).toContain('Kiểm tra lại đăng ký');
    r = await bot.say('u3', 'sua 9');
    expect(bot.text(r)).toContain('Không có mục số 9');
    r = await bot.say('u3', 'edit 1');
    // Area 1 is ticked already: untick it, tick area 2, done.
    await bot.say('u3', '1');
    await bot.say('u3', '2');
    r = await bot.say('u3', 'xong');
    expect(bot.text(r)).toContain('Kiểm tra lại đăng ký');
    await bot.say('u3', 'Xác nhận');
    const reg = await registrationOf(bot, 'u3');
    expect(reg?.commitments).toBe('Cam kết mới');
    expect(reg?.contentAreas).toEqual([bot.app.campaign.contentAreas[1]!.id]);
  });

  it('cancel stores nothing; "menu" keeps the unfinished flow to resume', async () => {
    bot = await startBot('binh-thanh-2024');
    await joinAsDemoOfficer(bot, 'u4');
    await bot.say('u4', 'go|register');
    await bot.say('u4', '1');
    let r = await bot.say('u4', 'HỦY');
    expect(bot.text(r)).toContain('Đã hủy');
    expect(await bot.app.store.registrations.list('binh-thanh-2024', 2024)).toHaveLength(0);

    await bot.say('u4', 'go|register');
    await bot.say('u4', '1,2');
    r = await bot.say('u4', 'menu');
    expect(bot.text(r)).toContain('Bạn muốn làm gì?');
    r = await bot.say('u4', 'go|register');
    expect(bot.text(r)).toContain('Tiếp tục phần bạn đang làm dở');
    expect(bot.text(r)).toContain('Cam kết');
  });

  it('resumes at the same step after a restart, with earlier answers kept', async () => {
    bot = await startBot('tu-ky-2021-2025', { now: new Date('2025-11-20T03:00:00Z') });
    await joinAsDemoOfficer(bot, 'u5');
    await bot.say('u5', 'go|report');
    await bot.say('u5', '2025');
    await bot.say('u5', '75');
    await bot.restart();
    let r = await bot.say('u5', '100');
    expect(bot.text(r)).toContain('Chỉ tiêu 3/3');
    r = await bot.say('u5', '100');
    r = await bot.say('u5', 'bo qua');
    expect(bot.text(r)).toContain('75% ✓');
  });

  it('an idle conversation expires with a polite message', async () => {
    bot = await startBot('binh-thanh-2024', { env: { SESSION_IDLE_HOURS: '2' } });
    await joinAsDemoOfficer(bot, 'u6');
    await bot.say('u6', 'go|register');
    bot.clock.now = new Date(bot.clock.now.getTime() + 3 * 3600_000);
    const r = await bot.say('u6', '1');
    expect(bot.text(r)).toContain('Phiên làm việc trước đã lâu không dùng');
  });

  it('the same message delivered three times is handled once', async () => {
    bot = await startBot('binh-thanh-2024');
    await joinAsDemoOfficer(bot, 'u7');
    await bot.say('u7', 'go|register');
    await bot.say('u7', '1');
    await bot.say('u7', 'xong');
    await bot.say('u7', 'bỏ qua');
    const id = randomUUID();
    const results = await Promise.all([1, 2, 3].map(() => bot.app.engine.handle({ channel: 'sim', userId: 'u7', messageId: id, text: 'xác nhận', at: bot.clock.now })));
    expect(results.filter((x) => !x.duplicate)).toHaveLength(1);
    expect(results.filter((x) => x.duplicate)).toHaveLength(2);
    // Delivered again later, after the flow ended: still dropped.
    const late = await bot.app.engine.handle({ channel: 'sim', userId: 'u7', messageId: id, text: 'xác nhận', at: bot.clock.now });
    expect(late.duplicate).toBe(true);
    const audit = await bot.app.store.audit.list({});
    expect(audit.filter((e) => e.action.startsWith('registration'))).toHaveLength(1);
  });

  it('two fast messages from one user never race; different users run in parallel', async () => {
    bot = await startBot('binh-thanh-2024');
    await joinAsDemoOfficer(bot, 'u8');
    let r = await bot.say('u8', 'go|register');
    const buttons = r.at(-1)!.choices!;
    // Pressing three buttons at once: each toggle must see the previous one.
    await Promise.all([0, 1, 2].map((i) => bot.say('u8', buttons[i]!.payload)));
    r = await bot.say('u8', 'cmd|back');
    r = await bot.say('u8', buttons.at(-1)!.payload);
    expect(bot.text(r)).toContain('Cam kết');
    const session = await bot.app.engine.sessions.load('sim', 'u8');
    expect((session!.data.areas as string[]).length).toBe(3);
  });

  it('hostile and odd messages get a clear answer, never a crash', async () => {
    bot = await startBot('binh-thanh-2024');
    await joinAsDemoOfficer(bot, 'u9');
    await bot.say('u9', 'go|nominate');
    const cases: [string, RegExp][] = [
      ['x'.repeat(5000), /quá dài/],
      ['s|bogus|1', /câu hỏi cũ/],
      ['go|nominate', /câu hỏi cũ/],
      ['<script>alert(1)</script>', /Lựa chọn chưa đúng/],
      ["'; DROP TABLE units; --", /Lựa chọn chưa đúng/],
      ['😀😀😀', /Lựa chọn chưa đúng/],
      ['\u0000\u0007', /Lựa chọn chưa đúng|Tin nhắn trống/],
    ];
    for (const [input, expected] of cases) expect(bot.text(await bot.say('u9', input))).toMatch(expected);
    const sticker = await bot.app.engine.handle({ channel: 'sim', userId: 'u9', messageId: randomUUID(), attachments: [{ kind: 'sticker' }], at: bot.clock.now });
    expect(bot.text(sticker.replies)).toContain('nhãn dán');
    const file = await bot.upload('u9', PDF, 'x.pdf');
    expect(bot.text(file)).toContain('Bước này chưa cần tệp');
    const notAllowed = await bot.say('u9', 'cmd|menu');
    expect(notAllowed.at(-1)!.choices!.map((c) => c.payload)).not.toContain('go|overview');
  });

  it('unsupported and oversized files are refused with a reason, and the step stays', async () => {
    bot = await startBot('binh-thanh-2024');
    await joinAsDemoOfficer(bot, 'u10');
    await bot.say('u10', 'go|nominate');
    await bot.say('u10', '1');
    await bot.say('u10', '1');
    await bot.say('u10', 'Dẫn đầu phong trào');
    let r = await bot.upload('u10', Buffer.from('just some text, not a document'), 'ghi-chu.txt');
    expect(bot.text(r)).toContain('Loại tệp này chưa được nhận');
    expect(bot.text(r)).toContain('Hồ sơ 1/');
    r = await bot.upload('u10', Buffer.alloc(21 * 1024 * 1024, 1), 'lon.pdf');
    expect(bot.text(r)).toContain('Tệp quá lớn');
    r = await bot.say('u10', 'chữ thay vì tệp');
    expect(bot.text(r)).toContain('Bước này cần một tệp');
    r = await bot.upload('u10', PDF, 'to-trinh.pdf');
    expect(bot.text(r)).toContain('Hồ sơ 2/');
  });

  it('switches language with /lang en and back', async () => {
    bot = await startBot('binh-thanh-2024');
    await joinAsDemoOfficer(bot, 'u11');
    let r = await bot.say('u11', '/lang en');
    expect(bot.text(r)).toContain('Switched to English');
    r = await bot.say('u11', 'menu');
    expect(bot.text(r)).toContain('What would you like to do?');
    r = await bot.say('u11', 'ngôn ngữ vi');
    expect(bot.text(r)).toContain('Đã chuyển sang tiếng Việt');
    expect((await bot.app.store.identities.get('sim', 'u11'))?.lang).toBe('vi');
  });

  it('slash commands start flows for those allowed, and refuse the others', async () => {
    bot = await startBot('binh-thanh-2024');
    await joinAsDemoOfficer(bot, 'u12');
    let r = await bot.say('u12', '/thongke');
    expect(bot.text(r)).toContain('Bạn không có quyền');
    r = await bot.say('u12', '/dangky');
    expect(bot.text(r)).toContain('Chọn các nội dung thi đua');
    r = await bot.say('can-bo-theo-doi', '/thongke@thidua_bot');
    expect(bot.text(r)).toMatch(/Thống kê năm 2024 — \d+ đơn vị/);
    expect(bot.text(r)).toContain('Xóm Đồng Tâm');
    r = await bot.say('stranger', '/thieu');
    expect(bot.text(r)).toContain('Bạn tham gia phong trào với tư cách nào?');
  });

  it('a flooding user gets one polite notice, then silence; others are unaffected', async () => {
    bot = await startBot('binh-thanh-2024', { env: { USER_MESSAGES_PER_MINUTE: '10' } });
    const replies = [];
    for (let i = 0; i < 15; i++) replies.push(await bot.say('flooder', 'spam'));
    expect(replies.slice(0, 10).every((r) => r.length > 0)).toBe(true);
    expect(bot.text(replies[10]!)).toContain('gửi quá nhiều tin nhắn');
    expect(replies.slice(11).every((r) => r.length === 0)).toBe(true);
    expect((await bot.say('calm-user', 'xin chào')).length).toBeGreaterThan(0);
    // The pause runs FLOOD_PAUSE_S (5 minutes) from the notice, not to the end of a minute;
    // the calm user's counter lives one minute.
    const ttl = (user: string) => bot.app.redis.ttl(`${bot.prefix}:flood:sim:${user}`);
    expect(await ttl('flooder')).toBeGreaterThan(290);
    expect(await ttl('calm-user')).toBeLessThanOrEqual(60);
    expect(await bot.say('flooder', 'spam')).toEqual([]);
    expect(await ttl('flooder')).toBeGreaterThan(290);
    // When it ends, the user is heard again.
    await bot.app.redis.del(`${bot.prefix}:flood:sim:flooder`);
    expect((await bot.say('flooder', 'xin chào')).length).toBeGreaterThan(0);
  });
});

describe('the buttons of a message-only flow can be typed at the menu under it', () => {
  let bot: TestBot | undefined;
  afterEach(async () => {
    await bot?.close();
    bot = undefined;
  });
  const OFFICER = 'can-bo-don-vi';

  /** The demo officer sends a dossier with its first part only; returns its number. */
  async function sentDossier(b: TestBot): Promise<string> {
    let r = await b.say(OFFICER, '/dexuat');
    r = await b.say(OFFICER, b.button(r, 'Một cá nhân'));
    for (const answer of ['Nguyễn Văn An', 'Trưởng xóm', 'Xóm Đồng Tâm', '1', 'Vận động 100% hộ dân']) r = await b.say(OFFICER, answer);
    r = await b.upload(OFFICER, PDF, 'to-trinh.pdf');
    while (r.at(-1)?.expectsFile) r = await b.say(OFFICER, b.button(r, 'Bổ sung sau'));
    r = await b.say(OFFICER, b.button(r, 'Gửi hồ sơ'));
    return /hồ sơ số (\d+)/.exec(b.text(r))![1]!;
  }

  it('staff: "Trả lại để bổ sung" (or "chap nhan") typed under /hoso N acts on that dossier; a number is still the menu\'s', async () => {
    bot = await startBot('binh-thanh-2024');
    const n = await sentDossier(bot);
    // The staff of the office at the dossier's step (the receiving office): the one who may accept or return it.
    const STAFF = await deciderOf(bot, `n_${n}`);
    await bot.say(STAFF, `/hoso ${n}`);
    let r = await bot.say(STAFF, 'Trả lại để bổ sung');
    expect(bot.text(r)).toContain(`Lý do trả lại hồ sơ số ${n}?`);
    await bot.say(STAFF, 'hủy');
    await bot.say(STAFF, `/hoso ${n}`);
    r = await bot.say(STAFF, 'chap nhan');
    expect(bot.text(r)).toContain(`Chấp nhận hồ sơ số ${n} (Nguyễn Văn An, Xóm Đồng Tâm)?`);
    await bot.say(STAFF, 'hủy');
    await bot.say(STAFF, `/hoso ${n}`);
    r = await bot.say(STAFF, '1');
    expect(bot.text(r)).toMatch(/Thống kê năm 2024/); // menu item 1
    // Only right under it: a message later, the words are no longer a button.
    await bot.say(STAFF, `/hoso ${n}`);
    await bot.say(STAFF, 'menu');
    expect(bot.text(await bot.say(STAFF, 'Chấp nhận'))).toContain('chưa hiểu');
  });

  it('officer: "Hoàn thiện hồ sơ số N" typed under /tinhtrang opens that dossier', async () => {
    bot = await startBot('binh-thanh-2024');
    const n = await sentDossier(bot);
    await bot.say(OFFICER, '/tinhtrang');
    const r = await bot.say(OFFICER, `hoan thien ho so so ${n}`);
    expect(bot.text(r)).toMatch(new RegExp(`Hồ sơ số ${n} — .+ — Nguyễn Văn An \\(đã gửi\\)`));
  });
});
