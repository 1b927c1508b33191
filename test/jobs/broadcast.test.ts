import { afterEach, describe, expect, it, vi } from 'vitest';
import { startWorkers, type RunningWorkers } from '../../jobs/index.js';
import { PDF, startBot, type TestBot } from '../helpers/bot.js';
import { addIdentity, outboxDrained, unitByCode, vn, stopAfterEach } from '../helpers/jobs.js';
import { startTelegramBot, textOf, type TelegramTestBot } from '../helpers/telegram.js';
import { startZaloBot } from '../helpers/zalo.js';

const until = (probe: () => Promise<unknown>, timeout = 20_000) =>
  vi.waitFor(async () => {
    if (!(await probe())) throw new Error('not yet');
  }, { timeout, interval: 50 });

describe('an admin announces from the simulator', () => {
  let bot: TestBot;
  let workers: RunningWorkers | undefined;
  const track = stopAfterEach();

  it('/thongbao: text, a file, the audience, the count, confirm; everyone gets it once; the admin gets a report', async () => {
    bot = track(await startBot('binh-thanh-2024', { now: vn('2024-11-20T10:00') }));
    const { app } = bot;
    for (let i = 1; i <= 14; i++) await addIdentity(app, 'sim', `xom-${i}`, { unitCode: `TN-DH-BT-X${String(i).padStart(2, '0')}` });
    await addIdentity(app, 'sim', 'ban-cd', { unitCode: 'TN-DH-BT-BCD' });
    await addIdentity(app, 'sim', 'blocked', { unitCode: 'TN-DH-BT-X01', unreachable: true });
    await bot.say('no-role', 'xin chào'); // wrote once, never joined: an identity without a role
    workers = track(await startWorkers(app, { schedules: false }));
    const admin = 'quan-tri';

    // An officer cannot.
    expect(bot.text(await bot.say('xom-1', '/thongbao'))).toContain('không có quyền');

    let r = await bot.say(admin, '/thongbao');
    expect(bot.text(r)).toContain('Nhập nội dung thông báo (tối đa 1800 ký tự)');
    r = await bot.say(admin, 'Họp sơ kết phong trào lúc 8 giờ sáng thứ Hai tại hội trường UBND xã.');
    r = await bot.say(admin, bot.button(r, 'Đính kèm tệp'));
    r = await bot.upload(admin, PDF, 'giay-moi.pdf');
    expect(bot.text(r)).toContain('Đã nhận tệp "giay-moi.pdf"');
    expect(bot.text(r)).toContain('Gửi tới ai?');

    // The level, the office and the channel choices each name their audience and count it.
    r = await bot.say(admin, bot.button(r, 'Các đơn vị cùng một cấp'));
    r = await bot.say(admin, bot.button(r, 'Xóm, ấp, thôn'));
    expect(bot.text(r)).toContain('Người nhận: cán bộ phụ trách các đơn vị cấp Xóm, ấp, thôn');
    expect(bot.text(r)).toContain('Sẽ gửi tới 16 người (trong đó 1 người hiện không liên lạc được'); // 14 + the demo officer + blocked
    r = await bot.say(admin, 'sửa 3');
    r = await bot.say(admin, bot.button(r, 'Các đơn vị thuộc một cơ quan'));
    r = await bot.say(admin, 'khong co ten nay');
    expect(bot.text(r)).toContain('Không tìm thấy đơn vị nào tên "khong co ten nay"');
    r = await bot.say(admin, 'binh thanh');
    r = await bot.say(admin, bot.button(r, 'UBND xã Bình Thành'));
    expect(bot.text(r)).toContain('Người nhận: cán bộ phụ trách các đơn vị thuộc UBND xã Bình Thành');
    expect(bot.text(r)).toContain('Sẽ gửi tới 17 người');
    r = await bot.say(admin, 'sửa 3');
    r = await bot.say(admin, bot.button(r, 'Chỉ cán bộ theo dõi'));
    // The demo district staff member and the three of the review chain's offices (Văn phòng – Thống kê, Hội đồng TĐ-KT xã, Phòng Nội vụ huyện).
    expect(bot.text(r)).toContain('Sẽ gửi tới 4 người.');
    r = await bot.say(admin, 'sửa 3');
    r = await bot.say(admin, bot.button(r, 'Tất cả người tham gia'));
    const summary = bot.text(r);
    expect(summary).toContain('1. Nội dung: Họp sơ kết phong trào');
    expect(summary).toContain('2. Tệp đính kèm: giay-moi.pdf');
    expect(summary).toContain('3. Người nhận: Tất cả người tham gia');
    // 14 hamlets + the steering committee + blocked + the demo accounts (officer, district staff, three office staff, admin); not the one without a role.
    expect(summary).toContain('Sẽ gửi tới 22 người (trong đó 1 người');

    r = await bot.say(admin, bot.button(r, 'Gửi thông báo'));
    const id = /thông báo #(\d+)/.exec(bot.text(r))?.[1];
    expect(id).toBeDefined();
    expect(bot.text(r)).toContain(`gõ /huythongbao ${id} để dừng`);

    await until(async () => (await app.jobs.broadcasts.status(id!))?.status === 'done');
    await outboxDrained(app);
    const recipients = [...Array.from({ length: 14 }, (_, i) => `xom-${i + 1}`), 'ban-cd', 'can-bo-don-vi', 'can-bo-theo-doi', admin];
    for (const u of recipients) {
      const got = (await app.simulator.transcript(u)).filter((e) => e.text.startsWith('📢 Thông báo:'));
      expect(got, u).toHaveLength(1);
      expect(got[0]!.text).toBe('📢 Thông báo:\nHọp sơ kết phong trào lúc 8 giờ sáng thứ Hai tại hội trường UBND xã.');
      expect(got[0]!.file).toBe('giay-moi.pdf');
    }
    expect(await app.simulator.transcript('blocked')).toEqual([]);
    expect((await app.simulator.transcript('no-role')).filter((e) => e.text.startsWith('📢'))).toEqual([]);
    const adminSaw = (await app.simulator.transcript(admin)).map((e) => e.text);
    expect(adminSaw).toContainEqual(expect.stringMatching(new RegExp(`^📢 Thông báo #${id}: `)));
    expect(adminSaw.filter((t) => t.startsWith('✅'))).toEqual([`✅ Đã gửi xong thông báo #${id} tới 22 người nhận.\nThành công: 21 · Lỗi: 0 · Không liên lạc được: 1`]);
    const s = (await app.jobs.broadcasts.status(id!))!;
    expect(s).toMatchObject({ status: 'done', total: 22, sent: 21, failed: 0, unreachable: 1, pending: 0 });
    // Finished: nothing left to cancel.
    expect(bot.text(await bot.say(admin, `/huythongbao ${id}`))).toContain(`Thông báo #${id} đã gửi xong`);
  });
});

describe('recipients on a channel this deployment does not run', () => {
  let bot: TestBot;
  let workers: RunningWorkers | undefined;
  const track = stopAfterEach();

  it('are counted unreachable up front, and the broadcast still finishes', async () => {
    bot = track(await startBot('binh-thanh-2024', { now: vn('2024-11-20T10:00') }));
    const { app } = bot;
    // Accounts left from a time Zalo and Telegram were configured; now only the simulator runs.
    await addIdentity(app, 'zalo', '7300000000000000001', { unitCode: 'TN-DH-BT-X01', lastInboundAt: '2024-11-19T10:00:00.000Z' });
    await addIdentity(app, 'telegram', '7301', { unitCode: 'TN-DH-BT-X02' });
    expect(await app.jobs.broadcasts.count({ kind: 'all' })).toEqual({ total: 8, unreachable: 2 });
    workers = track(await startWorkers(app, { schedules: false }));
    const { id } = await app.jobs.broadcasts.start({ by: { channel: 'sim', userId: 'quan-tri', lang: 'vi' }, text: 'Lịch họp tháng 12', audience: { kind: 'all' } });
    await until(async () => (await app.jobs.broadcasts.status(id))?.status === 'done');
    expect(await app.jobs.broadcasts.status(id)).toMatchObject({ total: 8, sent: 6, unreachable: 2, pending: 0 });
  });
});

describe('announcements on Telegram', () => {
  let t: TelegramTestBot;
  let workers: RunningWorkers | undefined;
  const track = stopAfterEach();

  it('the admin sees one message edited as it goes, and can stop it with its button: the rest is never sent', async () => {
    t = track(await startTelegramBot('binh-thanh-2024', { now: vn('2024-11-20T10:00'), env: { TELEGRAM_RATE_PER_SEC: '5' } }));
    const { app } = t.bot;
    const ADMIN = 6300;
    await addIdentity(app, 'telegram', String(ADMIN), { role: 'admin' });
    const chats = Array.from({ length: 60 }, (_, i) => 6400 + i);
    const hamlet = await unitByCode(app, 'TN-DH-BT-X02');
    for (const c of chats) await addIdentity(app, 'telegram', String(c), { unitId: hamlet.id });
    workers = track(await startWorkers(app, { schedules: false }));

    await t.send(t.tg.command({ userId: ADMIN, command: 'thongbao' }), ADMIN);
    await t.send(t.tg.text({ userId: ADMIN, text: 'Đề nghị các xóm nộp báo cáo trước ngày 10/12.' }), ADMIN);
    await t.press(ADMIN, 'Không đính kèm');
    await t.press(ADMIN, 'Người dùng một kênh');
    let m = await t.press(ADMIN, 'Telegram');
    expect(t.text(m)).toContain('Người nhận: mọi người dùng trên Telegram');
    expect(t.text(m)).toContain('Sẽ gửi tới 61 người.');
    m = await t.press(ADMIN, 'Gửi thông báo');
    const id = /thông báo #(\d+)/.exec(t.text(m))![1]!;

    // The progress line arrives with a stop button, then is edited in place.
    const progress = await t.fake.waitFor(() => t.fake.messagesTo(ADMIN).find((x) => textOf(x).startsWith(`📢 Thông báo #${id}:`)), 10_000);
    await t.fake.waitFor(() => t.fake.callsOf('editMessageText').some((c) => String(c.params.message_id) === String(progress.message_id) && /đã gửi [1-9]\d*\/61/.test(String(c.params.text))), 15_000);
    const before = t.fake.callsOf('sendMessage').filter((c) => chats.includes(Number(c.params.chat_id))).length;
    expect(before).toBeGreaterThan(0);
    expect(before).toBeLessThan(60);

    m = await t.press(ADMIN, 'Dừng gửi');
    expect(t.text(m)).toContain(`Dừng gửi thông báo #${id}?`);
    m = await t.press(ADMIN, 'Dừng gửi');
    expect(t.text(m)).toContain(`Đã dừng thông báo #${id}`);
    const report = await t.fake.waitFor(() => t.fake.messagesTo(ADMIN).find((x) => textOf(x).startsWith('⏹')), 15_000);
    const s = (await app.jobs.broadcasts.status(id))!;
    expect(s.status).toBe('cancelled');
    expect(s.sent + s.cancelled).toBe(61);
    expect(textOf(report)).toBe(
      `⏹ Thông báo #${id} đã dừng (61 người nhận).\nThành công: ${s.sent} · Lỗi: 0 · Không liên lạc được: 0\nChưa gửi (do dừng): ${s.cancelled}`,
    );
    await outboxDrained(app);
    await new Promise((r) => setTimeout(r, 500));
    const delivered = chats.filter((c) => t.fake.messagesTo(c).length > 0);
    expect(delivered.length).toBe(s.sent - 1); // the admin is a recipient too
    expect(chats.every((c) => t.fake.messagesTo(c).length <= 1)).toBe(true);
    // The progress line ends without its button.
    const lastEdit = t.fake.callsOf('editMessageText').at(-1)!;
    expect(lastEdit.params.reply_markup).toBeUndefined();
  });

  it('a 429 pauses the whole channel for retry_after, then it completes: nothing lost, nothing twice', async () => {
    t = track(await startTelegramBot('binh-thanh-2024', { now: vn('2024-11-20T10:00'), env: { TELEGRAM_RATE_PER_SEC: '20' } }));
    const { app } = t.bot;
    const chats = Array.from({ length: 40 }, (_, i) => 6500 + i);
    for (const c of chats) await addIdentity(app, 'telegram', String(c), { role: 'staff', unitCode: 'TN-DH' });
    t.fake.failNext('sendMessage', { kind: '429', retryAfter: 2 });
    workers = track(await startWorkers(app, { schedules: false }));
    const { id } = await app.jobs.broadcasts.start({ by: { channel: 'sim', userId: 'quan-tri', lang: 'vi' }, text: 'Kiểm tra hệ thống', audience: { kind: 'staff' } });
    await until(async () => (await app.jobs.broadcasts.status(id))?.status === 'done', 30_000);

    const sends = t.fake.callsOf('sendMessage');
    const limited = sends.find((c) => c.status === 429)!;
    expect(limited.response).toMatchObject({ error_code: 429, parameters: { retry_after: 2 } });
    const after = sends.filter((c) => c.at > limited.at);
    // Calls already on their way when the 429 came back may land at once; then silence for retry_after.
    const paused = after.filter((c) => c.at > limited.at + 150 && c.at < limited.at + 1900);
    expect(paused).toEqual([]);
    for (const c of chats) expect(t.fake.messagesTo(c), `chat ${c}`).toHaveLength(1);
    expect(t.fake.stats()[429]).toBe(1);
    // The 40 staff on Telegram and the four demo staff members on the simulator (district, three chain offices).
    expect((await app.jobs.broadcasts.status(id))!).toMatchObject({ total: 44, sent: 44, failed: 0, pending: 0 });
  });

  it('over the platform rate: every 429 stops the channel for its retry_after; all arrive exactly once', async () => {
    t = track(await startTelegramBot('binh-thanh-2024', { now: vn('2024-11-20T10:00'), env: { TELEGRAM_RATE_PER_SEC: '25' } }));
    const { app } = t.bot;
    const chats = Array.from({ length: 60 }, (_, i) => 6600 + i);
    for (const c of chats) await addIdentity(app, 'telegram', String(c), { role: 'staff', unitCode: 'TN-DH' });
    t.fake.rateLimit({ perSecond: 10, retryAfter: 1 });
    workers = track(await startWorkers(app, { schedules: false }));
    const { id } = await app.jobs.broadcasts.start({ by: { channel: 'sim', userId: 'quan-tri', lang: 'vi' }, text: 'Kiểm tra giới hạn', audience: { kind: 'staff' } });
    await until(async () => (await app.jobs.broadcasts.status(id))?.status === 'done', 60_000);

    const sends = t.fake.callsOf('sendMessage');
    const limited = sends.filter((c) => c.status === 429);
    expect(limited.length).toBeGreaterThan(0);
    for (const l of limited) expect(sends.filter((c) => c.at > l.at + 150 && c.at < l.at + 900), `after the 429 at ${l.at}`).toEqual([]);
    for (const c of chats) expect(t.fake.messagesTo(c), `chat ${c}`).toHaveLength(1);
    expect((await app.jobs.broadcasts.status(id))!).toMatchObject({ total: 64, sent: 64, failed: 0, unreachable: 0, pending: 0 });
  }, 90_000);
});

describe('announcements on Zalo (a sent message cannot be edited: old "Dừng gửi" buttons stay on screen)', () => {
  const track = stopAfterEach();
  const ADMIN = '7300000000000000900';

  it('a press on an old "Dừng gửi" after the broadcast finished, or after it was stopped, says so plainly', async () => {
    const z = track(await startZaloBot('binh-thanh-2024', { now: vn('2024-11-20T10:00'), env: { ZALO_RATE_PER_SEC: '3' } }));
    const { app } = z.bot;
    await addIdentity(app, 'zalo', ADMIN, { role: 'admin', unitId: null });
    const hamlet = await unitByCode(app, 'TN-DH-BT-X02');
    for (let i = 10; i < 22; i++) await addIdentity(app, 'zalo', `73000000000000001${i}`, { unitId: hamlet.id });
    track(await startWorkers(app, { schedules: false }));

    /** Sends an announcement to every Zalo user; returns its id and the progress message with its button. */
    const announce = async (text: string) => {
      await z.say(ADMIN, '/thongbao');
      let m = await z.say(ADMIN, text);
      m = await z.press(ADMIN, m, 'Không đính kèm');
      m = await z.press(ADMIN, m, 'Người dùng một kênh');
      m = await z.press(ADMIN, m, 'Zalo');
      m = await z.press(ADMIN, m, 'Gửi thông báo');
      const id = /thông báo #(\d+)/.exec(z.text(m))![1]!;
      await until(async () => z.fake.sentTo(ADMIN).find((x) => x.text?.startsWith(`📢 Thông báo #${id}:`) && x.buttons?.length));
      return { id, progress: z.fake.sentTo(ADMIN).find((x) => x.text?.startsWith(`📢 Thông báo #${id}:`) && x.buttons?.length)! };
    };

    // Finished: the old button cannot stop anything, and says why.
    const first = await announce('Họp giao ban sáng thứ Hai.');
    await until(async () => (await app.jobs.broadcasts.status(first.id))?.status === 'done');
    await until(async () => z.fake.sentTo(ADMIN).some((x) => x.text?.startsWith('✅')));
    let m = await z.press(ADMIN, [first.progress], 'Dừng gửi');
    expect(z.text(m)).toContain(`Thông báo #${first.id} đã gửi xong, không còn gì để dừng.`);
    expect(z.text(m)).not.toContain('Nút này thuộc một câu hỏi cũ');

    // Stopped with its button: the same old button, pressed again, says it was already stopped.
    const second = await announce('Nhắc nộp báo cáo trước ngày 10/12.');
    m = await z.press(ADMIN, [second.progress], 'Dừng gửi');
    expect(z.text(m)).toContain(`Dừng gửi thông báo #${second.id}?`);
    m = await z.press(ADMIN, m, 'Dừng gửi');
    expect(z.text(m)).toContain(`Đã dừng thông báo #${second.id}`);
    await until(async () => z.fake.sentTo(ADMIN).some((x) => x.text?.startsWith(`⏹ Thông báo #${second.id}`)));
    m = await z.press(ADMIN, [second.progress], 'Dừng gửi');
    expect(z.text(m)).toContain(`Thông báo #${second.id} đã được dừng trước đó.`);
    // Later progress messages on Zalo do not carry the button again.
    const progressMessages = z.fake.sentTo(ADMIN).filter((x) => /^📢 Thông báo #\d+:/.test(x.text ?? ''));
    expect(progressMessages.filter((x) => x.buttons?.length).length).toBe(2);
  });
});
