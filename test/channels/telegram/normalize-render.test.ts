import { GrammyError, HttpError } from 'grammy';
import type { Update } from 'grammy/types';
import { afterEach, describe, expect, it } from 'vitest';
import { classifyTelegramError } from '../../../src/channels/telegram/errors.js';
import { normalizeUpdate, parseBotCommand } from '../../../src/channels/telegram/normalize.js';
import { keyboard, renderReply, splitText } from '../../../src/channels/telegram/render.js';
import { secretMatches } from '../../../src/channels/telegram/webhook.js';
import { main } from '../../../src/cli/index.js';
import { startFakeTelegram, type FakeTelegram } from '../../fakes/telegram-bot-api.js';
import { telegramUpdates } from '../../fakes/telegram-updates.js';

const BOT = 'thidua_fake_bot';

describe('splitText', () => {
  it('keeps short text whole and cuts long text at paragraph, line or word boundaries', () => {
    expect(splitText('xin chào')).toEqual(['xin chào']);
    expect(splitText('')).toEqual(['']);
    const para = 'a'.repeat(3000);
    expect(splitText(`${para}\n\n${para}`)).toEqual([para, para]);
    const words = Array.from({ length: 2000 }, (_, i) => `từ${i}`).join(' ');
    const pieces = splitText(words);
    expect(pieces.every((p) => p.length <= 4096)).toBe(true);
    expect(pieces.join(' ')).toBe(words);
  });

  it('cuts unbroken text hard, never inside a surrogate pair', () => {
    const emoji = '😀'.repeat(3000); // 6000 UTF-16 units
    const pieces = splitText(emoji);
    expect(pieces.every((p) => p.length <= 4096)).toBe(true);
    expect(pieces.join('')).toBe(emoji);
    expect(pieces.every((p) => !/[\ud800-\udbff]$/.test(p))).toBe(true);
  });
});

describe('renderReply', () => {
  const id = (p: string) => p;

  it('numbers the buttons and lays short ones side by side, long ones one per row', () => {
    const short = keyboard(['Có', 'Không', 'Hủy'].map((l, i) => ({ payload: `s|x|${i}`, label: l })), id);
    expect(short).toEqual([[
      { text: '1. Có', callback_data: 's|x|0' },
      { text: '2. Không', callback_data: 's|x|1' },
      { text: '3. Hủy', callback_data: 's|x|2' },
    ]]);
    const long = keyboard([{ payload: 'a', label: 'Giấy khen của Chủ tịch UBND huyện — Tổng kết năm' }, { payload: 'b', label: 'Bằng khen' }], id);
    expect(long.map((r) => r.length)).toEqual([1, 1]);
    expect(keyboard([{ payload: 'only', label: 'Bổ sung sau' }], id)).toEqual([[{ text: 'Bổ sung sau', callback_data: 'only' }]]);
  });

  it('renders a file as a document with the text as caption, or text first when it is too long for one', () => {
    const file = { path: 'files/ab/x.pdf', name: 'to-trinh.pdf', mime: 'application/pdf' };
    expect(renderReply({ text: 'Tờ trình', file }, id)).toEqual([{ method: 'sendDocument', path: file.path, name: file.name, caption: 'Tờ trình' }]);
    const ops = renderReply({ text: 'x'.repeat(2000), file, choices: [{ payload: 'p', label: 'OK' }] }, id);
    expect(ops.map((o) => o.method)).toEqual(['sendMessage', 'sendDocument']);
    expect(ops[1]!.keyboard).toBeDefined();
  });

  it('a picture to look at (a chart) goes as a photo; a scan sent as a dossier part stays a document, kept as sent', () => {
    const chart = { path: 'charts/c.png', name: 'bieu-do-thong-ke-2024.png', mime: 'image/png', inline: true };
    expect(renderReply({ text: 'Biểu đồ', file: chart }, id)).toEqual([{ method: 'sendPhoto', path: chart.path, name: chart.name, caption: 'Biểu đồ' }]);
    expect(renderReply({ text: 'x'.repeat(1100), file: chart }, id).map((o) => o.method)).toEqual(['sendMessage', 'sendPhoto']);
    const scan = { path: 'files/ab/x.png', name: 'bien-ban.png', mime: 'image/png' };
    expect(renderReply({ text: 'Biên bản', file: scan }, id)[0]!.method).toBe('sendDocument');
    expect(renderReply({ text: 'Tờ trình', file: { path: 'charts/x.pdf', name: 'x.pdf', mime: 'application/pdf', inline: true } }, id)[0]!.method).toBe('sendDocument');
  });
});

describe('normalizeUpdate', () => {
  const tg = telegramUpdates({ startUpdateId: 1000 });

  it('turns private messages, files, photos and button presses into engine input', () => {
    const text = normalizeUpdate(tg.text({ userId: 42, text: 'xin chào' }), BOT);
    expect(text).toMatchObject({ kind: 'converse', chatId: '42', inbound: { channel: 'telegram', userId: '42', messageId: '1001', text: 'xin chào' } });
    const doc = normalizeUpdate(tg.document({ userId: 42, fileName: 'a.pdf', fileSize: 10, fileId: 'F1', caption: 'bỏ qua' }), BOT);
    expect(doc).toMatchObject({ kind: 'converse', inbound: { attachments: [{ kind: 'file', name: 'a.pdf', size: 10, ref: 'F1', mime: 'application/pdf' }] } });
    expect(doc.kind === 'converse' && doc.inbound.text).toBeFalsy(); // captions are not answers
    const photo = normalizeUpdate(tg.photo({ userId: 42, fileId: 'BIG' }), BOT);
    expect(photo).toMatchObject({ kind: 'converse', inbound: { attachments: [{ kind: 'image', ref: 'BIG', mime: 'image/jpeg' }] } });
    const press = normalizeUpdate(tg.callbackQuery({ userId: 42, data: 's|who|code', queryId: 'Q' }), BOT);
    expect(press).toMatchObject({ kind: 'converse', chatId: '42', inbound: { payload: 's|who|code' }, callback: { id: 'Q', chatId: '42' } });
    expect(normalizeUpdate(tg.sticker({ userId: 42 }), BOT)).toMatchObject({ kind: 'converse', inbound: { attachments: [{ kind: 'sticker' }] } });
  });

  it('recognises blocking, edits, group commands, membership and everything else as not for the engine', () => {
    expect(normalizeUpdate(tg.myChatMember({ userId: 42, blocked: true }), BOT)).toEqual({ kind: 'reachability', userId: '42', blocked: true });
    expect(normalizeUpdate(tg.myChatMember({ userId: 42, blocked: false }), BOT)).toEqual({ kind: 'reachability', userId: '42', blocked: false });
    expect(normalizeUpdate(tg.editedMessage({ userId: 42, messageId: 3, text: 'x' }), BOT)).toEqual({ kind: 'edited', chatId: '42', userId: '42' });
    expect(normalizeUpdate(tg.command({ userId: 42, command: 'lienket', args: 'TN-DH', mention: true, group: { chatId: -100, title: 'Nhóm' } }), BOT)).toEqual({
      kind: 'group_command',
      chatId: '-100',
      title: 'Nhóm',
      userId: '42',
      command: 'lienket',
      args: 'TN-DH',
    });
    expect(normalizeUpdate(tg.groupText({ userId: 42, text: '/lienket@other_bot' }), BOT).kind).toBe('ignore');
    expect(normalizeUpdate(tg.groupText({ userId: 42, text: 'chào' }), BOT).kind).toBe('ignore');
    expect(normalizeUpdate(tg.channelPost({ text: 'x' }), BOT).kind).toBe('ignore');
    expect(normalizeUpdate({ update_id: 1 } as Update, BOT)).toEqual({ kind: 'ignore', reason: 'update type empty' });
    const game = { update_id: 2, callback_query: { id: 'G', from: tg.user({ userId: 42 }), chat_instance: '1', game_short_name: 'g' } } as Update;
    expect(normalizeUpdate(game, BOT)).toMatchObject({ kind: 'ignore', callbackId: 'G' });
    const migrated = { update_id: 3, message: { message_id: 1, date: 0, chat: { id: -5, type: 'group', title: 'g' }, migrate_to_chat_id: -1005 } } as Update;
    expect(normalizeUpdate(migrated, BOT)).toEqual({ kind: 'group_migrated', from: '-5', to: '-1005' });
  });

  it('parses bot commands', () => {
    expect(parseBotCommand('/hoso@Thidua_Bot  n_12 ')).toEqual({ name: 'hoso', target: 'Thidua_Bot', args: 'n_12' });
    expect(parseBotCommand('/start')).toEqual({ name: 'start' });
    expect(parseBotCommand('hoso')).toBeNull();
  });
});

describe('webhook secret and error classes', () => {
  it('compares the secret exactly, whatever the lengths', () => {
    expect(secretMatches('abc_DEF-123', 'abc_DEF-123')).toBe(true);
    expect(secretMatches('abc_DEF-12', 'abc_DEF-123')).toBe(false);
    expect(secretMatches('abc_DEF-1234', 'abc_DEF-123')).toBe(false);
    expect(secretMatches(undefined, 'abc')).toBe(false);
    expect(secretMatches('', 'abc')).toBe(false);
  });

  it('maps Bot API failures to what the outbox does next', () => {
    const err = (code: number, description: string, parameters = {}) =>
      new GrammyError('x', { ok: false, error_code: code, description, parameters }, 'sendMessage', {});
    expect(classifyTelegramError(err(429, 'Too Many Requests: retry after 9', { retry_after: 9 }))).toMatchObject({ kind: 'rate_limited', retryAfterMs: 9000 });
    expect(classifyTelegramError(err(403, 'Forbidden: bot was blocked by the user'))).toMatchObject({ kind: 'unreachable' });
    expect(classifyTelegramError(err(400, 'Bad Request: chat not found'))).toMatchObject({ kind: 'unreachable' });
    expect(classifyTelegramError(err(400, 'Bad Request: BUTTON_DATA_INVALID'))).toMatchObject({ kind: 'config' });
    expect(classifyTelegramError(err(401, 'Unauthorized'))).toMatchObject({ kind: 'config' });
    expect(classifyTelegramError(err(502, 'Bad Gateway'))).toMatchObject({ kind: 'transient' });
    expect(classifyTelegramError(new HttpError('Network request failed', new Error('ECONNRESET')))).toMatchObject({ kind: 'transient' });
  });
});

describe('CLI: telegram:set-webhook', () => {
  let fake: FakeTelegram;
  const saved = { ...process.env };
  afterEach(async () => {
    process.env = { ...saved };
    await fake?.close();
  });

  it('sets the webhook with our secret and the update types we handle', async () => {
    fake = await startFakeTelegram();
    Object.assign(process.env, { TELEGRAM_BOT_TOKEN: fake.token, TELEGRAM_API_ROOT: fake.apiRoot, TELEGRAM_WEBHOOK_SECRET: 'cli-secret_1', LOG_LEVEL: 'silent' });
    const out: string[] = [];
    const log = console.log;
    console.log = (...a: unknown[]) => void out.push(a.join(' '));
    try {
      expect(await main(['node', 'cli', 'telegram:set-webhook', 'https://bot.example.gov.vn/webhooks/telegram', '--max-connections', '20'])).toBe(0);
      expect(await main(['node', 'cli', 'telegram:set-commands'])).toBe(0);
    } finally {
      console.log = log;
    }
    expect(fake.webhook).toEqual({
      url: 'https://bot.example.gov.vn/webhooks/telegram',
      secret_token: 'cli-secret_1',
      max_connections: 20,
      allowed_updates: ['message', 'edited_message', 'callback_query', 'my_chat_member'],
    });
    expect(out.join('\n')).toContain('Webhook set');
    expect(out.join('\n')).not.toContain(fake.token);
    expect(fake.callsOf('setMyCommands').map((c) => c.status)).toEqual([200, 200]);

    const err: string[] = [];
    const error = console.error;
    console.error = (...a: unknown[]) => void err.push(a.join(' '));
    try {
      expect(await main(['node', 'cli', 'telegram:set-webhook', 'http://bot.example.gov.vn/webhooks/telegram'])).toBe(1);
      delete process.env.TELEGRAM_WEBHOOK_SECRET;
      expect(await main(['node', 'cli', 'telegram:set-webhook', 'https://bot.example.gov.vn/webhooks/telegram'])).toBe(1);
    } finally {
      console.error = error;
    }
    expect(err.join('\n')).toContain('HTTPS');
    expect(err.join('\n')).toContain('TELEGRAM_WEBHOOK_SECRET');
  });
});
