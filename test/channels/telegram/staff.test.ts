import { afterEach, describe, expect, it } from 'vitest';
import { stopAfterEach, unitByCode } from '../../helpers/jobs.js';
import type { Actor } from '../../../src/store/index.js';
import { PDF } from '../../helpers/bot.js';
import { askedParts } from '../../helpers/presets.js';
import { buttonsOf, joinOnTelegram, startTelegramBot, submittedDossier, textOf, type TelegramTestBot } from '../../helpers/telegram.js';

const ADMIN: Actor = { id: 'test', role: 'admin', channel: 'cli' };
const STAFF = 6001;

describe('staff on Telegram', () => {
  let t: TelegramTestBot;
  const track = stopAfterEach();

  it('staff see and decide only under their own office; /moi issues codes only there', async () => {
    t = track(await startTelegramBot());
    const { store } = t.bot.app;
    const province = await unitByCode(t.bot.app, 'TN');
    const district2 = await store.units.create({ code: 'TN-PL', name: 'Huyện Phú Lương', level: 'district', parentId: province.id }, ADMIN);
    await store.units.create({ code: 'TN-PL-YD', name: 'Xã Yên Đổ', level: 'commune', parentId: district2.id }, ADMIN);
    const n = await submittedDossier(t, { id: 'sim:can-bo-don-vi', role: 'officer', channel: 'sim' });
    const OTHER = 6003;
    expect(await joinOnTelegram(t, OTHER, 'staff', district2.id)).toContain('cán bộ theo dõi của Huyện Phú Lương');

    let m = await t.send(t.tg.command({ userId: OTHER, command: 'hoso', args: n.id }), OTHER);
    expect(t.text(m)).toContain(`Hồ sơ số ${n.id.slice(2)} không thuộc các đơn vị bạn theo dõi.`);
    expect(t.fake.callsOf('sendDocument')).toEqual([]);
    m = await t.send(t.tg.command({ userId: OTHER, command: 'hoso' }), OTHER);
    expect(t.text(m)).toContain('Hiện không có hồ sơ nào chờ duyệt');
    m = await t.send(t.tg.command({ userId: OTHER, command: 'hoso', args: 'n_999' }), OTHER);
    expect(t.text(m)).toContain('Không tìm thấy hồ sơ số "999"');
    // A forged decision button is refused the same way.
    m = await t.send(t.tg.callbackQuery({ userId: OTHER, data: `go|review_accept|${n.id}` }), OTHER);
    expect(t.text(m)).toContain('không thuộc các đơn vị bạn theo dõi');
    expect((await store.nominations.get(n.id))!.status).toBe('submitted');

    // Invites: not for units elsewhere; yes for a commune under the office.
    await t.send(t.tg.command({ userId: OTHER, command: 'moi' }), OTHER);
    await t.press(OTHER, 'Cán bộ đơn vị');
    m = await t.send(t.tg.text({ userId: OTHER, text: 'Đồng Tâm' }), OTHER);
    expect(t.text(m)).toContain('Không tìm thấy đơn vị phù hợp "Đồng Tâm"');
    m = await t.send(t.tg.text({ userId: OTHER, text: 'yen do' }), OTHER);
    m = await t.press(OTHER, 'Xã Yên Đổ (Huyện Phú Lương)');
    expect(t.text(m)).toContain('2. Đơn vị: Xã Yên Đổ (Huyện Phú Lương)');
    m = await t.press(OTHER, 'Cấp mã');
    const code = /Mã mời: ([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{5})/.exec(t.text(m))?.[1];
    expect(code).toBeTruthy();
    const NEWCOMER = 6004;
    await t.send(t.tg.command({ userId: NEWCOMER, command: 'start' }), NEWCOMER);
    await t.press(NEWCOMER, 'Cán bộ đơn vị');
    m = await t.send(t.tg.text({ userId: NEWCOMER, text: code!.toLowerCase() }), NEWCOMER);
    expect(t.text(m)).toContain('cán bộ phụ trách của Xã Yên Đổ');
  });

  it('/thongke and /thieu answer staff on Telegram', async () => {
    t = track(await startTelegramBot());
    await joinOnTelegram(t, STAFF, 'staff', (await unitByCode(t.bot.app, 'TN-DH')).id);
    const n = await submittedDossier(t, { id: 'sim:can-bo-don-vi', role: 'officer', channel: 'sim' });
    let m = await t.send(t.tg.command({ userId: STAFF, command: 'thongke' }), STAFF);
    expect(t.text(m)).toMatch(/Thống kê năm 2024 — \d+ đơn vị/);
    expect(t.text(m)).toContain('Xóm Đồng Tâm');
    m = await t.send(t.tg.command({ userId: STAFF, command: 'thieu' }), STAFF);
    expect(t.text(m)).toContain(`hồ sơ số ${n.id.slice(2)} (`);
  });

  it("a sender's file name never reaches staff as is: bidi and zero-width tricks are gone, the file carries the bot's name", async () => {
    t = track(await startTelegramBot());
    const hamlet = await unitByCode(t.bot.app, 'TN-DH-BT-X01');
    await joinOnTelegram(t, STAFF, 'staff', (await unitByCode(t.bot.app, 'TN-DH')).id);
    const OFFICER = 6003;
    await joinOnTelegram(t, OFFICER, 'officer', hamlet.id);
    const say = (text: string) => t.send(t.tg.text({ userId: OFFICER, text }), OFFICER);
    for (const text of ['/dexuat', 'Một cá nhân', 'Nguyễn Văn An', 'Trưởng xóm', 'Xóm Đồng Tâm', '1', 'Vận động 100% hộ dân cài ứng dụng VNeID']) await say(text);
    // Shown as "evilexe.pdf" by a right-to-left override; a zero-width space inside too.
    const trick = 'evil\u202Efdp.exe\u200B.pdf';
    let m = await t.send(t.tg.document({ userId: OFFICER, fileName: trick, data: PDF }), OFFICER);
    expect(t.text(m)).toContain('Đã nhận tệp "evilfdp.exe.pdf"');
    for (let i = 1; i < askedParts(t.bot.app.campaign, 'hamlet', 2024).length; i++) m = await say('để sau');
    m = await say('Gửi hồ sơ');
    expect(t.text(m)).toContain('Đã gửi hồ sơ');
    const [n] = await t.bot.app.store.nominations.listByUnit(t.bot.app.campaign.id, 2024, hamlet.id);

    m = await t.send(t.tg.command({ userId: STAFF, command: 'hoso', args: n!.id.replace('n_', '') }), STAFF);
    const seen = t.text(m);
    const botName = `to-trinh-de-nghi-khen-thuong-cua-co-quan-bo-phan-ho-so-${n!.id.slice(2)}.pdf`;
    expect(seen).toContain(`: ${botName} (tên khi gửi: "evilfdp.exe.pdf")`);
    expect(seen).not.toMatch(/[\u202A-\u202E\u2066-\u2069\u200B-\u200F\u2060\uFEFF]/);
    const doc = t.fake.callsOf('sendDocument').at(-1)!;
    expect(doc.files[0]!.filename).toBe(botName);
    expect(String(doc.params.caption)).toBe(`Tờ trình đề nghị khen thưởng của cơ quan, bộ phận, xóm — hồ sơ số ${n!.id.slice(2)}`);
  });

  it('a staff member links a group chat to their office for alerts; others cannot', async () => {
    t = track(await startTelegramBot());
    const district = await unitByCode(t.bot.app, 'TN-DH');
    await joinOnTelegram(t, STAFF, 'staff', district.id);
    const GROUP = -1005550001;
    const group = { chatId: GROUP, title: 'Ban Thi đua - Khen thưởng huyện' };
    const channel = t.bot.app.telegram!;

    // A stranger and an officer are refused.
    await t.post(t.tg.command({ userId: 6100, command: 'lienket', group }));
    const OFFICER = 6101;
    await joinOnTelegram(t, OFFICER, 'officer', (await unitByCode(t.bot.app, 'TN-DH-BT-X01')).id);
    await t.post(t.tg.command({ userId: OFFICER, command: 'lienket', group }));
    expect(t.fake.messagesTo(GROUP).map(textOf)).toEqual([
      expect.stringContaining('Chỉ cán bộ theo dõi hoặc quản trị'),
      expect.stringContaining('Chỉ cán bộ theo dõi hoặc quản trị'),
    ]);
    expect(await channel.groups.all()).toEqual([]);

    await t.post(t.tg.command({ userId: STAFF, command: 'lienket', group, mention: true }));
    expect(textOf(t.fake.messagesTo(GROUP).at(-1)!)).toContain('Đã liên kết nhóm này với Huyện Định Hóa');
    const hamlet = await unitByCode(t.bot.app, 'TN-DH-BT-X01');
    expect((await channel.groups.forUnit(hamlet.id)).map((g) => g.chatId)).toEqual([String(GROUP)]);
    expect(await channel.groups.forUnit((await unitByCode(t.bot.app, 'TN')).id)).toEqual([]);
    const audit = await t.bot.app.store.audit.forEntity(`telegram:${GROUP}`);
    expect(audit.map((e) => e.action)).toEqual(['telegram_group.link']);

    // Alerts reach the group through the same outbound channel as everything else.
    expect(await channel.send(String(GROUP), { text: 'Cảnh báo: 1 hồ sơ còn thiếu' })).toMatchObject({ ok: true });
    await t.post(t.tg.command({ userId: STAFF, command: 'huylienket', group }));
    expect(textOf(t.fake.messagesTo(GROUP).at(-1)!)).toContain('Đã hủy liên kết');
    expect(await channel.groups.all()).toEqual([]);

    // A button under a group message (an alert): the answer goes to the presser's private chat,
    // the keyboard stays for the others; someone who never started the bot is sent to it.
    const alert = await channel.send(String(GROUP), { text: 'Cảnh báo', choices: [{ payload: 'cmd|menu', label: 'Mở danh mục' }] });
    const alertMessage = t.fake.messagesTo(GROUP).find((m) => String(m.message_id) === (alert.ok ? alert.platformMessageId : ''))!;
    const privateBefore = t.fake.messagesTo(STAFF).length;
    await t.post(t.tg.callbackQuery({ userId: STAFF, data: 'cmd|menu', message: alertMessage }));
    expect(t.fake.messagesTo(STAFF).length).toBeGreaterThan(privateBefore);
    expect(t.fake.callsOf('answerCallbackQuery').at(-1)!.params.text).toBe('Mình đã trả lời trong tin nhắn riêng với bạn.');
    await t.post(t.tg.callbackQuery({ userId: 6199, data: 'cmd|menu', message: alertMessage }));
    expect(t.fake.callsOf('answerCallbackQuery').at(-1)!.params.url).toBe(`https://t.me/${t.fake.botInfo.username}?start=g`);
    expect(t.fake.messagesTo(6199)).toEqual([]);
    expect(t.fake.callsOf('editMessageReplyMarkup').filter((c) => String(c.params.chat_id) === String(GROUP))).toEqual([]);

    // Linked again, then the bot is removed from the group: the link goes too.
    await t.post(t.tg.command({ userId: STAFF, command: 'lienket', group }));
    expect(await channel.groups.all()).toHaveLength(1);
    const removed = {
      update_id: t.tg.nextUpdateId(),
      my_chat_member: {
        chat: { id: GROUP, type: 'supergroup', title: group.title },
        from: t.tg.user({ userId: STAFF }),
        date: 0,
        old_chat_member: { user: { id: t.fake.botInfo.id, is_bot: true, first_name: 'bot' }, status: 'member' },
        new_chat_member: { user: { id: t.fake.botInfo.id, is_bot: true, first_name: 'bot' }, status: 'left' },
      },
    };
    expect(await t.post(removed as never)).toBe(200);
    expect(await channel.groups.all()).toEqual([]);
  });
});

describe('Telegram rendering through the fake Bot API', () => {
  let t: TelegramTestBot;
  afterEach(() => t?.close());

  it('splits long text at 4096, puts the buttons on the last piece, maps long payloads, edits messages', async () => {
    t = await startTelegramBot();
    const channel = t.bot.app.telegram!;
    const USER = 6200;
    const paragraph = `${'Nội dung thông báo dài. '.repeat(40)}\n\n`;
    const long = paragraph.repeat(12);
    const payload = `s|step|${'x'.repeat(80)}`;
    const sent = await channel.send(String(USER), { text: long, choices: [{ payload, label: 'Đồng ý' }, { payload: 'cmd|menu', label: 'Menu' }] });
    expect(sent.ok).toBe(true);
    const messages = t.fake.messagesTo(USER);
    expect(messages.length).toBeGreaterThanOrEqual(Math.ceil(long.length / 4096));
    expect(messages.every((m) => textOf(m).length <= 4096)).toBe(true);
    expect(messages.map(textOf).join('').replace(/\s+/g, '')).toBe(long.replace(/\s+/g, ''));
    expect(messages.slice(0, -1).every((m) => buttonsOf(m).length === 0)).toBe(true);
    const buttons = buttonsOf(messages.at(-1)!);
    expect(buttons.map((b) => b.text)).toEqual(['1. Đồng ý', '2. Menu']);
    expect(buttons[0]!.callback_data).toMatch(/^h\|/);
    expect(Buffer.byteLength(buttons[0]!.callback_data)).toBeLessThanOrEqual(64);

    // Pressing the mapped button hands the engine the original payload.
    const seen: (string | undefined)[] = [];
    const engine = t.bot.app.engine;
    const real = engine.handle.bind(engine);
    engine.handle = (inbound) => {
      seen.push(inbound.payload);
      return real(inbound);
    };
    await t.post(t.tg.callbackQuery({ userId: USER, data: buttons[0]!.callback_data, message: messages.at(-1)! }));
    expect(seen).toEqual([payload]);

    // Idempotency key: the second send with the same key sends nothing.
    const before = t.fake.callsOf('sendMessage').length;
    expect(await channel.send(String(USER), { text: 'một lần' }, { idempotencyKey: 'k1' })).toMatchObject({ ok: true });
    expect(await channel.send(String(USER), { text: 'một lần' }, { idempotencyKey: 'k1' })).toMatchObject({ ok: true });
    expect(t.fake.callsOf('sendMessage').length).toBe(before + 1);

    // edit(): progress lines of a broadcast.
    const first = await channel.send(String(USER), { text: 'Đã gửi 0/10' });
    expect(first.ok && first.platformMessageId).toBeTruthy();
    const id = first.ok ? first.platformMessageId! : '';
    expect(await channel.edit(String(USER), id, { text: 'Đã gửi 5/10' })).toMatchObject({ ok: true });
    expect(await channel.edit(String(USER), id, { text: 'Đã gửi 5/10' })).toMatchObject({ ok: true });
    expect(textOf(t.fake.messagesTo(USER).find((m) => m.message_id === Number(id))!)).toBe('Đã gửi 5/10');

    // Outcomes the outbox acts on.
    t.fake.failNext('sendMessage', { kind: '429', retryAfter: 7 });
    expect(await channel.send(String(USER), { text: 'x' })).toMatchObject({ ok: false, kind: 'rate_limited', retryAfterMs: 7000 });
    t.fake.failNext('sendMessage', { kind: '500' });
    expect(await channel.send(String(USER), { text: 'x' })).toMatchObject({ ok: false, kind: 'transient' });
    t.fake.failNext('sendMessage', { kind: 'drop' });
    expect(await channel.send(String(USER), { text: 'x' })).toMatchObject({ ok: false, kind: 'transient' });
    t.fake.failNext('sendMessage', { kind: '400', description: 'Bad Request: chat not found' });
    expect(await channel.send(String(USER), { text: 'x' })).toMatchObject({ ok: false, kind: 'unreachable' });
    t.fake.failNext('sendMessage', { kind: 'error', code: 401, description: 'Unauthorized' });
    expect(await channel.send(String(USER), { text: 'x' })).toMatchObject({ ok: false, kind: 'config' });
  });

  it('files are downloaded through getFile, at most 20 MB', async () => {
    t = await startTelegramBot();
    const fetched = await t.bot.app.telegram!.fetch({ kind: 'file', ref: t.fake.addFile('FILE1', PDF, { fileName: 'a.pdf' }).file_id });
    expect(fetched).toEqual(PDF);
    t.fake.addFile('BIG', Buffer.alloc(21 * 1024 * 1024));
    await expect(t.bot.app.telegram!.fetch({ kind: 'file', ref: 'BIG' })).rejects.toThrow();
    await expect(t.bot.app.telegram!.fetch({ kind: 'file', ref: 'NOPE' })).rejects.toThrow(/invalid file_id/);
  });
});
