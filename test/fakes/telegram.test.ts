import express from 'express';
import { Bot, GrammyError, HttpError, InputFile, InlineKeyboard, webhookCallback } from 'grammy';
import type { Update } from 'grammy/types';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startFakeTelegram, type FakeTelegram } from './telegram-bot-api.js';
import { telegramUpdates } from './telegram-updates.js';
import { listen } from './server.js';
import { blankPng } from '../helpers/png.js';

let fake: FakeTelegram;
let bot: Bot;

beforeAll(async () => {
  fake = await startFakeTelegram();
  bot = new Bot(fake.token, { client: { apiRoot: fake.apiRoot }, botInfo: fake.botInfo });
});
afterAll(async () => {
  await fake.close();
});
afterEach(() => fake.reset());

async function grammyError(p: Promise<unknown>): Promise<GrammyError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(GrammyError);
  return e as GrammyError;
}

describe('fake Telegram Bot API through grammY', () => {
  it('apiRoot has no trailing slash and getMe answers the bot', async () => {
    expect(fake.apiRoot).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const me = await bot.api.getMe();
    expect(me).toMatchObject({ id: fake.botInfo.id, is_bot: true, username: fake.botInfo.username });
  });

  it('sendMessage returns a Message with per-chat increasing ids and echoes the inline keyboard', async () => {
    const kb = new InlineKeyboard().text('Đồng ý', 'agree').text('Huỷ', 'cancel');
    const m1 = await bot.api.sendMessage(42, 'Xin chào', { reply_markup: kb });
    const m2 = await bot.api.sendMessage(42, 'Lần hai');
    const other = await bot.api.sendMessage(43, 'Người khác');
    expect(m1).toMatchObject({ message_id: 1, chat: { id: 42, type: 'private' }, text: 'Xin chào', from: { is_bot: true } });
    expect(m1.reply_markup?.inline_keyboard[0]?.[0]).toMatchObject({ text: 'Đồng ý', callback_data: 'agree' });
    expect(typeof m1.date).toBe('number');
    expect(m2.message_id).toBe(2);
    expect(other.message_id).toBe(1);
    const call = fake.callsOf('sendMessage')[0]!;
    expect(call.params).toMatchObject({ chat_id: 42, text: 'Xin chào' });
    expect(fake.messagesTo(42).map((m) => m.message_id)).toEqual([1, 2]);
  });

  it('answers callback queries and edits messages from a handler', async () => {
    const tg = telegramUpdates({ botInfo: fake.botInfo });
    const sent = await bot.api.sendMessage(7, 'Chọn', { reply_markup: new InlineKeyboard().text('A', 'pick:a') });
    const b = new Bot(fake.token, { client: { apiRoot: fake.apiRoot }, botInfo: fake.botInfo });
    b.on('callback_query:data', async (ctx) => {
      await ctx.answerCallbackQuery({ text: 'Đã chọn' });
      await ctx.editMessageText(`Bạn chọn ${ctx.callbackQuery.data}`);
    });
    await b.handleUpdate(tg.callbackQuery({ userId: 7, data: 'pick:a', message: sent }));
    expect(fake.callsOf('answerCallbackQuery')[0]).toMatchObject({ status: 200, response: { ok: true, result: true } });
    const edit = fake.callsOf('editMessageText')[0]!;
    expect(edit.status).toBe(200);
    expect(edit.response).toMatchObject({ result: { message_id: sent.message_id, text: 'Bạn chọn pick:a' } });
    // Same text again: Telegram says "message is not modified".
    const e = await grammyError(bot.api.editMessageText(7, sent.message_id, 'Bạn chọn pick:a'));
    expect(e.description).toMatch(/^Bad Request: message is not modified/);
  });

  it('getFile answers file_path and the file downloads from /file/bot<token>/<path>', async () => {
    const bytes = Buffer.from('%PDF-1.4 fake');
    fake.addFile('BQAC-doc-1', bytes, { path: 'documents/file_1.pdf' });
    const f = await bot.api.getFile('BQAC-doc-1');
    expect(f).toMatchObject({ file_id: 'BQAC-doc-1', file_size: bytes.length, file_path: 'documents/file_1.pdf' });
    expect(typeof f.file_unique_id).toBe('string');
    const r = await fetch(`${fake.apiRoot}/file/bot${fake.token}/${f.file_path}`);
    expect(r.status).toBe(200);
    expect(Buffer.from(await r.arrayBuffer())).toEqual(bytes);
    const missing = await grammyError(bot.api.getFile('nope'));
    expect(missing).toMatchObject({ error_code: 400, description: 'Bad Request: invalid file_id' });
  });

  it('accepts grammY multipart uploads (sendDocument with InputFile) and stores the file', async () => {
    const data = Buffer.from('hồ sơ đề nghị khen thưởng '.repeat(200));
    const msg = await bot.api.sendDocument(42, new InputFile(data, 'de-nghi.pdf'), {
      caption: 'Hồ sơ',
      reply_markup: new InlineKeyboard().text('Xem', 'view'),
    });
    expect(msg.document).toMatchObject({ file_name: 'de-nghi.pdf', file_size: data.length, mime_type: 'application/pdf' });
    expect(msg.caption).toBe('Hồ sơ');
    const call = fake.callsOf('sendDocument')[0]!;
    expect(call.files).toEqual([expect.objectContaining({ filename: 'de-nghi.pdf', size: data.length })]);
    expect(call.params.reply_markup).toEqual({ inline_keyboard: [[{ text: 'Xem', callback_data: 'view' }]] });
    const f = await bot.api.getFile(msg.document!.file_id);
    const r = await fetch(`${fake.apiRoot}/file/bot${fake.token}/${f.file_path}`);
    expect(Buffer.from(await r.arrayBuffer())).toEqual(data);

    // A photo is decoded: kept in sizes up to its own, largest last; bytes that are no image, or a strip too long, are refused.
    const photo = await bot.api.sendPhoto(42, new InputFile(blankPng(960, 600), 'bieu-do.png'), { caption: 'Biểu đồ' });
    expect(photo.photo!.map((p) => [p.width, p.height])).toEqual([[90, 56], [320, 200], [800, 500], [960, 600]]);
    expect(photo.caption).toBe('Biểu đồ');
    await expect(bot.api.sendPhoto(42, new InputFile(Buffer.from([0xff, 0xd8, 0xff]), 'a.jpg'))).rejects.toThrow('IMAGE_PROCESS_FAILED');
    await expect(bot.api.sendPhoto(42, new InputFile(blankPng(2100, 100), 'dai.png'))).rejects.toThrow('PHOTO_INVALID_DIMENSIONS');
  });

  it('a 429 from failNext surfaces as GrammyError with retry_after, plus the Retry-After header', async () => {
    fake.failNext('sendMessage', { kind: '429', retryAfter: 7 });
    const e = await grammyError(bot.api.sendMessage(42, 'hi'));
    expect(e.error_code).toBe(429);
    expect(e.description).toBe('Too Many Requests: retry after 7');
    expect(e.parameters.retry_after).toBe(7);
    // Only once: the next call succeeds.
    await expect(bot.api.sendMessage(42, 'again')).resolves.toMatchObject({ text: 'again' });

    fake.failNext('sendmessage', { kind: '429', retryAfter: 3 }, { chatId: 99 });
    await expect(bot.api.sendMessage(42, 'not 99')).resolves.toBeTruthy();
    const r = await fetch(`${fake.apiRoot}/bot${fake.token}/sendMessage`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ chat_id: 99, text: 'x' }),
    });
    expect(r.status).toBe(429);
    expect(r.headers.get('retry-after')).toBe('3');
    expect(await r.json()).toEqual({
      ok: false,
      error_code: 429,
      description: 'Too Many Requests: retry after 3',
      parameters: { retry_after: 3 },
    });
  });

  it('blocked chats answer 403 "Forbidden: bot was blocked by the user"; drop gives HttpError', async () => {
    fake.blockChat(555);
    const e = await grammyError(bot.api.sendMessage(555, 'hi'));
    expect(e).toMatchObject({ error_code: 403, description: 'Forbidden: bot was blocked by the user' });
    await expect(bot.api.sendMessage(556, 'hi')).resolves.toBeTruthy();
    fake.failNext('*', { kind: '403-blocked' }, { chatId: 556 });
    expect((await grammyError(bot.api.sendDocument(556, 'BQAC-doc-1'))).error_code).toBe(403);

    fake.failNext('sendMessage', { kind: 'drop' });
    await expect(bot.api.sendMessage(1, 'x')).rejects.toBeInstanceOf(HttpError);
  });

  it('validates like Telegram: empty text, too long, callback_data bytes, parse_mode, chat_id', async () => {
    expect((await grammyError(bot.api.sendMessage(1, '   '))).description).toBe('Bad Request: message text is empty');
    expect((await grammyError(bot.api.sendMessage(1, 'a'.repeat(4097)))).description).toBe('Bad Request: message is too long');
    await expect(bot.api.sendMessage(1, 'ă'.repeat(4096))).resolves.toBeTruthy();
    // 22 Vietnamese letters × 3 bytes = 66 bytes > 64
    const longData = 'ệ'.repeat(22);
    const e = await grammyError(bot.api.sendMessage(1, 'x', { reply_markup: new InlineKeyboard().text('A', longData) }));
    expect(e).toMatchObject({ error_code: 400, description: 'Bad Request: BUTTON_DATA_INVALID' });
    const html = await grammyError(bot.api.sendMessage(1, 'điểm < 5', { parse_mode: 'HTML' }));
    expect(html.description).toMatch(/^Bad Request: can't parse entities: /);
    const ok = await bot.api.sendMessage(1, '<b>Điểm</b> &lt; 5 &amp; A&B', { parse_mode: 'HTML' });
    expect(ok.text).toBe('Điểm < 5 & A&B');
    const md = await grammyError(bot.api.sendMessage(1, 'Hạn 31.12', { parse_mode: 'MarkdownV2' }));
    expect(md.description).toMatch(/Character '\.' is reserved/);
    const raw = await fetch(`${fake.apiRoot}/bot${fake.token}/sendMessage`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'text=hi',
    });
    expect(await raw.json()).toEqual({ ok: false, error_code: 400, description: 'Bad Request: chat_id is empty' });
  });

  it('wrong token → 401 Unauthorized; unknown method → 404 Not Found', async () => {
    const wrong = new Bot('1:wrong', { client: { apiRoot: fake.apiRoot }, botInfo: fake.botInfo });
    expect(await grammyError(wrong.api.sendMessage(1, 'x'))).toMatchObject({ error_code: 401, description: 'Unauthorized' });
    const r = await fetch(`${fake.apiRoot}/bot${fake.token}/noSuchMethod`, { method: 'POST' });
    expect(r.status).toBe(404);
    expect(await r.json()).toEqual({ ok: false, error_code: 404, description: 'Not Found' });
    // GET with query parameters works too, method names are case-insensitive.
    const g = await fetch(`${fake.apiRoot}/bot${fake.token}/SENDMESSAGE?chat_id=5&text=hello`);
    expect(await g.json()).toMatchObject({ ok: true, result: { chat: { id: 5 }, text: 'hello' } });
  });

  it('rateLimit answers 429 above the configured rate (for benchmarks)', async () => {
    fake.rateLimit({ perSecond: 5, retryAfter: 2 });
    const results = await Promise.allSettled(Array.from({ length: 12 }, (_, i) => bot.api.sendMessage(1000 + i, `m${i}`)));
    const rejected = results.filter((r) => r.status === 'rejected');
    expect(rejected.length).toBe(7);
    expect((rejected[0] as PromiseRejectedResult).reason).toMatchObject({ error_code: 429, parameters: { retry_after: 2 } });
    expect(fake.stats()[429]).toBe(7);
    expect(fake.stats()[200]).toBe(5);
    fake.rateLimit({ perChatPerSecond: 1 });
    await bot.api.sendMessage(9, 'a');
    expect((await grammyError(bot.api.sendMessage(9, 'b'))).error_code).toBe(429);
    await expect(bot.api.sendMessage(10, 'c')).resolves.toBeTruthy();
  });

  it('setWebhook / getWebhookInfo / deleteWebhook / setMyCommands; getUpdates conflicts while a webhook is set', async () => {
    await expect(bot.api.setWebhook('https://example.test/webhooks/telegram', { secret_token: 's3cret_-x' })).resolves.toBe(true);
    expect(fake.webhook).toMatchObject({ url: 'https://example.test/webhooks/telegram', secret_token: 's3cret_-x', max_connections: 40 });
    expect(await bot.api.getWebhookInfo()).toMatchObject({ url: 'https://example.test/webhooks/telegram', pending_update_count: 0 });
    expect((await grammyError(bot.api.getUpdates())).error_code).toBe(409);
    expect((await grammyError(bot.api.setWebhook('https://x.test/', { secret_token: 'bad token!' }))).description).toBe(
      'Bad Request: secret token contains unallowed characters',
    );
    await expect(bot.api.deleteWebhook()).resolves.toBe(true);
    expect(fake.webhook).toBeUndefined();
    await expect(bot.api.setMyCommands([{ command: 'start', description: 'Bắt đầu' }])).resolves.toBe(true);
    expect((await grammyError(bot.api.setMyCommands([{ command: 'Bad-Cmd', description: 'x' }]))).error_code).toBe(400);
  });

  it('long polling: getUpdates waits for pushed updates and confirms by offset', async () => {
    const tg = telegramUpdates({ startUpdateId: 500 });
    const pending = bot.api.getUpdates({ timeout: 5 });
    setTimeout(() => fake.pushUpdate(tg.text({ text: 'poll me' })), 50);
    const got = await pending;
    expect(got.map((u) => u.update_id)).toEqual([501]);
    fake.pushUpdate(tg.text({ text: 'second' }));
    const next = await bot.api.getUpdates({ offset: 502, timeout: 0 });
    expect(next.map((u) => u.update_id)).toEqual([502]);
    expect(await bot.api.getUpdates({ offset: 503, timeout: 0 })).toEqual([]);
  });

  it('deliverUpdate posts to the webhook with the secret header (grammY webhookCallback accepts it)', async () => {
    const b = new Bot(fake.token, { client: { apiRoot: fake.apiRoot }, botInfo: fake.botInfo });
    b.on('message:text', (ctx) => ctx.reply(`echo: ${ctx.message.text}`));
    const app = express();
    app.use(express.json());
    app.post('/webhooks/telegram', webhookCallback(b, 'express', { secretToken: 'tok_123' }));
    const srv = await listen(app);
    try {
      await bot.api.setWebhook(`${srv.base}/webhooks/telegram`, { secret_token: 'tok_123' });
      const tg = telegramUpdates();
      const r = await fake.deliverUpdate(tg.text({ userId: 77, text: 'chào bot' }));
      expect(r.status).toBe(200);
      await fake.waitFor((calls) => calls.find((c) => c.method === 'sendMessage' && c.params.chat_id === 77));
      expect(fake.messagesTo(77).at(-1)).toMatchObject({ text: 'echo: chào bot' });
      // A wrong secret is refused by grammY (401), which Telegram would retry.
      await bot.api.setWebhook(`${srv.base}/webhooks/telegram`, { secret_token: 'other' });
      const bad = await fake.deliverUpdate(tg.text({ userId: 77, text: 'x' }));
      expect(bad.status).toBe(401);
    } finally {
      await bot.api.deleteWebhook();
      await srv.close();
    }
  });
});

describe('Telegram update builders', () => {
  it('produce updates grammY routes to the right handlers, with increasing update_id', async () => {
    const tg = telegramUpdates({ botInfo: fake.botInfo, files: fake });
    const seen: string[] = [];
    const b = new Bot(fake.token, { client: { apiRoot: fake.apiRoot }, botInfo: fake.botInfo });
    b.command('start', (ctx) => void seen.push(`start:${ctx.match}`));
    b.on('message:text', (ctx) => void seen.push(`text:${ctx.chat.type}:${ctx.message.text}`));
    b.on('callback_query:data', (ctx) => void seen.push(`cb:${ctx.callbackQuery.data}`));
    b.on('message:document', async (ctx) => {
      const f = await ctx.getFile();
      seen.push(`doc:${ctx.message.document.file_name}:${f.file_path !== undefined}`);
    });
    b.on('message:photo', (ctx) => void seen.push(`photo:${ctx.message.photo.length}:${ctx.message.caption}`));
    b.on('message:sticker', (ctx) => void seen.push(`sticker:${ctx.message.sticker.emoji}`));
    b.on('edited_message:text', (ctx) => void seen.push(`edit:${ctx.editedMessage.text}`));
    b.on('my_chat_member', (ctx) => void seen.push(`member:${ctx.myChatMember.new_chat_member.status}`));
    b.on('channel_post:text', (ctx) => void seen.push(`channel:${ctx.channelPost.text}`));

    const updates: Update[] = [
      tg.command({ command: 'start', args: 'ref_123' }),
      tg.text({ text: 'xin chào' }),
      tg.callbackQuery({ data: 'menu:1' }),
      tg.document({ data: Buffer.from('%PDF'), fileName: 'bao-cao.pdf' }),
      tg.photo({ caption: 'Ảnh minh chứng' }),
      tg.sticker({ emoji: '🎉' }),
      tg.editedMessage({ messageId: 2, text: 'xin chào (sửa)' }),
      tg.myChatMember({ blocked: true }),
      tg.myChatMember({ blocked: false }),
      tg.groupText({ text: 'trong nhóm' }),
      tg.command({ command: 'start', mention: true, group: {} }),
      tg.channelPost({ text: 'thông báo' }),
    ];
    for (const u of updates) await b.handleUpdate(u);
    const ids = updates.map((u) => u.update_id);
    expect(ids).toEqual([...ids].sort((a, b2) => a - b2));
    expect(new Set(ids).size).toBe(ids.length);
    expect(seen).toEqual([
      'start:ref_123',
      'text:private:xin chào',
      'cb:menu:1',
      'doc:bao-cao.pdf:true',
      'photo:3:Ảnh minh chứng',
      'sticker:🎉',
      'edit:xin chào (sửa)',
      'member:kicked',
      'member:member',
      'text:supergroup:trong nhóm',
      'start:',
      'channel:thông báo',
    ]);
    const cmd = updates[0]!.message!;
    expect(cmd.entities).toEqual([{ type: 'bot_command', offset: 0, length: 6 }]);
  });
});
