import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { main as cli } from '../../../src/cli/index.js';
import { PDF } from '../../helpers/bot.js';
import { buttonsOf, SECRET, startTelegramBot, textOf, type TelegramTestBot } from '../../helpers/telegram.js';

/** Enough of a JPEG for content sniffing. */
const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01]), Buffer.alloc(200, 7), Buffer.from([0xff, 0xd9])]);

/** Every keyboard the bot sent respects Telegram's 64-byte callback_data limit. */
function expectValidKeyboards(t: TelegramTestBot) {
  for (const call of t.fake.calls) {
    const kb = (call.params.reply_markup as { inline_keyboard?: { callback_data?: string }[][] } | undefined)?.inline_keyboard;
    for (const b of kb?.flat() ?? []) expect(Buffer.byteLength(b.callback_data ?? '', 'utf8')).toBeLessThanOrEqual(64);
  }
}

/** Joins `userId` as the demo unit's officer by buttons and an invite code. */
async function joinAsOfficer(t: TelegramTestBot, userId: number) {
  let m = await t.send(t.tg.command({ userId, command: 'start' }), userId);
  expect(t.text(m)).toContain('Bạn tham gia phong trào với tư cách nào?');
  m = await t.press(userId, 'Cán bộ đơn vị');
  expect(t.text(m)).toContain('Nhập mã mời');
  m = await t.send(t.tg.text({ userId, text: await t.bot.inviteCode() }), userId);
  expect(t.text(m)).toContain('Bạn đã tham gia với vai trò cán bộ phụ trách của Xóm Đồng Tâm');
  expect(t.text(m)).toContain('Bạn muốn làm gì?');
  return m;
}

describe('Telegram webhook, end to end over HTTP', () => {
  let t: TelegramTestBot;
  afterEach(() => t?.close());

  it('an officer joins and registers the unit by pressing buttons', async () => {
    t = await startTelegramBot();
    const user = 5001;
    await joinAsOfficer(t, user);
    let m = await t.press(user, 'Đăng ký thi đua');
    expect(t.text(m)).toContain('Chọn các nội dung thi đua');
    const areas = buttonsOf(m.at(-1)!);
    m = await t.press(user, areas[0]!.text.replace(/^\d+\. /, ''));
    expect(buttonsOf(m.at(-1)!)[0]!.text).toMatch(/✓/);
    m = await t.press(user, areas[2]!.text.replace(/^\d+\. /, ''));
    m = await t.press(user, 'Xong');
    expect(t.text(m)).toContain('Cam kết');
    m = await t.press(user, 'Bỏ qua');
    expect(t.text(m)).toContain('Kiểm tra lại đăng ký');
    m = await t.press(user, 'Xác nhận');
    expect(t.text(m)).toMatch(/đăng ký/i);

    const identity = (await t.bot.app.store.identities.get('telegram', String(user)))!;
    expect(identity.role).toBe('officer');
    const reg = await t.bot.app.store.registrations.get('binh-thanh-2024', 2024, { type: 'unit', unitId: identity.unitId! });
    expect(reg?.contentAreas).toHaveLength(2);
    // Every press was answered, and each pressed keyboard was taken away.
    expect(t.fake.callsOf('answerCallbackQuery').length).toBe(t.fake.calls.filter((c) => c.method === 'answerCallbackQuery').length);
    expect(t.fake.callsOf('answerCallbackQuery').length).toBe(7);
    expect(t.fake.callsOf('editMessageReplyMarkup').every((c) => c.status === 200)).toBe(true);
    expectValidKeyboards(t);
  });

  it('a document becomes a dossier part, stored under DATA_DIR by its hash; bad files get a reason', async () => {
    t = await startTelegramBot();
    const user = 5002;
    await joinAsOfficer(t, user);
    await t.send(t.tg.command({ userId: user, command: 'dexuat' }), user);
    await t.press(user, 'Xóm Đồng Tâm'); // the unit itself
    let m = await t.press(user, 'Giấy khen');
    m = await t.send(t.tg.text({ userId: user, text: 'Hoàn thành xuất sắc nhiệm vụ chuyển đổi số năm 2024' }), user);
    expect(t.text(m)).toMatch(/Hồ sơ 1\//);
    // Too big (declared size), unsupported type, then the real PDF.
    m = await t.send(t.tg.document({ userId: user, fileName: 'lon.pdf', fileSize: 25 * 1024 * 1024 }), user);
    expect(t.text(m)).toContain('Tệp quá lớn');
    m = await t.send(t.tg.document({ userId: user, fileName: 'ghi-chu.txt', mimeType: 'text/plain', data: Buffer.from('only words') }), user);
    expect(t.text(m)).toContain('Loại tệp này chưa được nhận');
    m = await t.send(t.tg.document({ userId: user, fileName: 'to-trinh.pdf', data: PDF, caption: 'tờ trình' }), user);
    expect(t.text(m)).toContain('Đã nhận tệp "to-trinh.pdf"');
    expect(t.text(m)).toMatch(/Hồ sơ 2\//);
    // A photo (with a caption) is a scan: it becomes the next part.
    m = await t.send(t.tg.photo({ userId: user, caption: 'ảnh chụp báo cáo', data: JPEG }), user);
    expect(t.text(m)).toMatch(/Đã nhận tệp "anh-\d+\.jpg"/);
    for (let i = 0; i < 10 && !buttonsOf(m.at(-1)!).some((b) => b.text.includes('Lưu nháp')); i++) m = await t.press(user, 'Bổ sung sau');
    m = await t.press(user, 'Lưu nháp');
    const identity = (await t.bot.app.store.identities.get('telegram', String(user)))!;
    const [n] = await t.bot.app.store.nominations.listByUnit('binh-thanh-2024', 2024, identity.unitId!);
    const [pdf, photo] = Object.values(n!.parts);
    expect(pdf!.name).toBe('to-trinh.pdf');
    expect(fs.readFileSync(path.join(t.bot.dataDir, pdf!.path))).toEqual(PDF);
    expect(pdf!.path).toContain(pdf!.sha256);
    expect(photo!.mime).toBe('image/jpeg');
    expect(t.fake.callsOf('getFile').length).toBe(3); // .txt, PDF, photo; the 25 MB one is refused before any download
  });

  it('the CLI points Telegram at our webhook; Telegram then delivers with the secret', async () => {
    t = await startTelegramBot();
    const saved = { ...process.env };
    Object.assign(process.env, { TELEGRAM_BOT_TOKEN: t.fake.token, TELEGRAM_API_ROOT: t.fake.apiRoot, TELEGRAM_WEBHOOK_SECRET: SECRET });
    const log = console.log;
    console.log = () => {};
    try {
      expect(await cli(['node', 'cli', 'telegram:set-webhook', t.url])).toBe(0);
    } finally {
      console.log = log;
      process.env = saved;
    }
    const delivered = await t.fake.deliverUpdate(t.tg.command({ userId: 5010, command: 'start' }));
    expect(delivered.status).toBe(200);
    expect(textOf(t.fake.messagesTo(5010)[0]!)).toContain('Bạn tham gia phong trào với tư cách nào?');
  });

  it('a forged or missing secret gets 401 and nothing is stored or sent', async () => {
    t = await startTelegramBot();
    const keys = async () => (await t.bot.app.redis.keys(`${t.bot.prefix}:*`)).sort();
    const before = await keys();
    const update = t.tg.text({ userId: 5003, text: 'xin chào' });
    expect(await t.post(update, { secret: 'wrong-secret' })).toBe(401);
    expect(await t.post(update, { secret: null })).toBe(401);
    expect(await t.post(update, { secret: `${'test-secret_0123456789'}x` })).toBe(401);
    expect(await keys()).toEqual(before);
    expect(t.fake.calls).toEqual([]);
    // The same update with the right secret is then handled.
    expect(await t.post(update)).toBe(200);
    expect(t.fake.messagesTo(5003).length).toBeGreaterThan(0);
  });

  it('the same update three times (in a row and at once) is handled once', async () => {
    t = await startTelegramBot();
    const user = 5004;
    const update = t.tg.command({ userId: user, command: 'start' });
    expect([await t.post(update), await t.post(update), await t.post(update)]).toEqual([200, 200, 200]);
    expect(t.fake.messagesTo(user).length).toBe(1);
    // A t.me/<bot>?start=… link: the parameter is not an answer (the user is asked the same question).
    expect(await t.post(t.tg.command({ userId: user, command: 'start', args: 'g' }))).toBe(200);
    expect(textOf(t.fake.messagesTo(user).at(-1)!)).toContain('Bạn tham gia phong trào với tư cách nào?');
    const again = t.tg.text({ userId: user, text: '1' });
    expect(await Promise.all([t.post(again), t.post(again), t.post(again)])).toEqual([200, 200, 200]);
    expect(t.fake.messagesTo(user).length).toBe(3);
    expect(textOf(t.fake.messagesTo(user)[2]!)).toContain('Nhập mã mời');
  });

  it('a 429 is waited out and the reply still arrives; a long one is answered 503 and sent on redelivery', async () => {
    t = await startTelegramBot();
    const user = 5005;
    t.fake.failNext('sendMessage', { kind: '429', retryAfter: 1 });
    const started = Date.now();
    expect(await t.post(t.tg.command({ userId: user, command: 'start' }))).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(t.fake.callsOf('sendMessage').map((c) => c.status)).toEqual([429, 200]);
    expect(t.fake.messagesTo(user).length).toBe(1);

    // Longer than we wait inside a webhook request: not acknowledged, replies kept.
    t.fake.failNext('sendMessage', { kind: '429', retryAfter: 60 });
    const update = t.tg.text({ userId: user, text: '1' });
    expect(await t.post(update)).toBe(503);
    expect(t.fake.messagesTo(user).length).toBe(1);
    // Telegram delivers it again: the engine drops the duplicate, the pending reply is sent once.
    expect(await t.post(update)).toBe(200);
    expect(await t.post(update)).toBe(200);
    expect(t.fake.messagesTo(user).length).toBe(2);
    expect(textOf(t.fake.messagesTo(user)[1]!)).toContain('Nhập mã mời');
  });

  it('a user who blocked the bot is marked unreachable, with no endless retries', async () => {
    t = await startTelegramBot();
    const user = 5006;
    await t.send(t.tg.command({ userId: user, command: 'start' }), user);
    t.fake.blockChat(user);
    const calls = t.fake.calls.length;
    expect(await t.post(t.tg.text({ userId: user, text: '1' }))).toBe(200);
    expect(t.fake.calls.slice(calls).filter((c) => c.method === 'sendMessage').map((c) => c.status)).toEqual([403]);
    expect((await t.bot.app.store.identities.get('telegram', String(user)))?.unreachable).toBe(true);
    // Sending outside the conversation reports it, without retrying.
    const outcome = await t.bot.app.outbound.telegram!.send(String(user), { text: 'nhắc việc' });
    expect(outcome).toMatchObject({ ok: false, kind: 'unreachable' });
    // The user unblocks and writes again: reachable.
    t.fake.unblockChat(user);
    expect(await t.post(t.tg.myChatMember({ userId: user, blocked: false }))).toBe(200);
    expect((await t.bot.app.store.identities.get('telegram', String(user)))?.unreachable).toBe(false);
    expect(await t.post(t.tg.myChatMember({ userId: user, blocked: true }))).toBe(200);
    expect((await t.bot.app.store.identities.get('telegram', String(user)))?.unreachable).toBe(true);
  });

  it('a failure before the effect is stored answers 500, and the redelivered update is handled', async () => {
    t = await startTelegramBot();
    const user = 5007;
    const engine = t.bot.app.engine;
    const real = engine.handle.bind(engine);
    engine.handle = async () => {
      throw new Error('Connection is closed.');
    };
    const update = t.tg.command({ userId: user, command: 'start' });
    expect(await t.post(update)).toBe(500);
    expect(t.fake.messagesTo(user)).toEqual([]);
    engine.handle = real;
    expect(await t.post(update)).toBe(200);
    expect(t.fake.messagesTo(user).length).toBe(1);
  });

  it('odd update shapes never crash the handler', async () => {
    t = await startTelegramBot();
    const user = 5008;
    await t.send(t.tg.command({ userId: user, command: 'start' }), user);
    const shapes = [
      t.tg.editedMessage({ userId: user, messageId: 1, text: 'sửa lại' }),
      t.tg.photo({ userId: user, caption: 'ảnh kèm chú thích' }),
      t.tg.sticker({ userId: user }),
      t.tg.myChatMember({ userId: user, blocked: true }),
      t.tg.myChatMember({ userId: user, blocked: false }),
      t.tg.groupText({ userId: user, text: 'chào cả nhóm' }),
      t.tg.groupText({ userId: user, text: '/thongke@some_other_bot' }),
      t.tg.command({ userId: user, command: 'start', group: {}, mention: true }),
      t.tg.channelPost({ text: 'Thông báo của kênh' }),
      { update_id: t.tg.nextUpdateId(), callback_query: { id: '1', from: t.tg.user({ userId: user }), chat_instance: '1', game_short_name: 'x' } },
      { update_id: t.tg.nextUpdateId(), poll: { id: '1', question: 'q', options: [], total_voter_count: 0, is_closed: false, is_anonymous: true, type: 'regular', allows_multiple_answers: false } },
      { update_id: t.tg.nextUpdateId(), message: { message_id: 99, date: 0, chat: { id: user, type: 'private', first_name: 'x' } } },
      { update_id: t.tg.nextUpdateId(), message: { message_id: 100, date: 0, chat: { id: user, type: 'private', first_name: 'x' }, from: t.tg.user({ userId: user }), new_chat_title: 'x' } },
      { update_id: t.tg.nextUpdateId(), message: { message_id: 101, date: 0, chat: { id: user, type: 'private', first_name: 'x' }, from: t.tg.user({ userId: user }), location: { latitude: 21, longitude: 105 } } },
      { update_id: t.tg.nextUpdateId(), edited_channel_post: { message_id: 1, date: 0, edit_date: 1, chat: { id: -1001, type: 'channel', title: 'c' }, text: 'x' } },
      { update_id: t.tg.nextUpdateId() },
    ];
    for (const u of shapes) expect(await t.post(u as never), JSON.stringify(u).slice(0, 80)).toBe(200);
    expect(await t.post({ hello: 'world' } as never)).toBe(400);
    const texts = t.fake.messagesTo(user).map(textOf).join('\n');
    expect(texts).toContain('không đọc lại tin nhắn đã sửa');
    expect(texts).toContain('nhãn dán');
    // The group saw only the reply to the /start addressed to the bot.
    expect(t.fake.messagesTo(-1001234567890).map(textOf)).toEqual([expect.stringContaining('tin nhắn riêng')]);
    expect(t.fake.callsOf('answerCallbackQuery').length).toBe(1);
  });
});

describe('Telegram long polling (TELEGRAM_MODE=polling)', () => {
  let t: TelegramTestBot;
  afterEach(() => t?.close());

  it('fetches updates with getUpdates and answers them through the same pipeline', async () => {
    t = await startTelegramBot('binh-thanh-2024', { env: { TELEGRAM_MODE: 'polling' } });
    // No webhook route in polling mode.
    expect(await t.post(t.tg.command({ userId: 5100, command: 'start' }))).toBe(404);
    t.bot.app.telegram!.startPolling();
    const user = 5101;
    t.fake.pushUpdate(t.tg.command({ userId: user, command: 'start' }));
    await t.fake.waitFor(() => t.fake.messagesTo(user).length >= 1, 10_000);
    expect(textOf(t.fake.messagesTo(user)[0]!)).toContain('Bạn tham gia phong trào với tư cách nào?');
    const getUpdates = t.fake.callsOf('getUpdates')[0]!;
    expect(getUpdates.params.allowed_updates).toEqual(['message', 'edited_message', 'callback_query', 'my_chat_member']);
    expect(t.fake.callsOf('deleteWebhook').length).toBe(1);
    await t.bot.app.telegram!.stop();
  });
});
