import type { AddressInfo } from 'node:net';
import type { Message, Update } from 'grammy/types';
import { startFakeTelegram, type FakeTelegram } from '../fakes/telegram-bot-api.js';
import { telegramUpdates, type TelegramUpdateFactory } from '../fakes/telegram-updates.js';
import type { Nomination } from '../../src/domain/entities.js';
import { reviewsOpenIn } from '../../src/domain/index.js';
import { FileStore } from '../../src/files.js';
import type { Actor } from '../../src/store/index.js';
import { PDF, startBot, type TestBot } from './bot.js';
import { unitByCode } from './jobs.js';

export const SECRET = 'test-secret_0123456789';

export interface TelegramTestBot {
  bot: TestBot;
  fake: FakeTelegram;
  tg: TelegramUpdateFactory;
  /** http://127.0.0.1:PORT/webhooks/telegram */
  url: string;
  /** POSTs an update as Telegram does; returns the HTTP status. */
  post(update: Update, opts?: { secret?: string | null }): Promise<number>;
  /** POSTs an update (expecting 200) and returns the messages the bot sent to `chatId` meanwhile. */
  send(update: Update, chatId: number): Promise<Message[]>;
  /** Presses the button whose text contains `label` on the latest message to `chatId` that has it. */
  press(userId: number, label: string): Promise<Message[]>;
  /** Text (or caption) of messages, joined. */
  text(messages: Message[]): string;
  close(): Promise<void>;
}

export const textOf = (m: Message) => ('text' in m && typeof m.text === 'string' ? m.text : 'caption' in m && typeof m.caption === 'string' ? m.caption : '');

export function buttonsOf(m: Message): { text: string; callback_data: string }[] {
  const kb = (m as Message & { reply_markup?: { inline_keyboard?: { text: string; callback_data?: string }[][] } }).reply_markup?.inline_keyboard ?? [];
  return kb.flat().map((b) => ({ text: b.text, callback_data: b.callback_data ?? '' }));
}

/** A full app (Redis, engine, flows, store) with Telegram pointed at a local fake Bot API, listening on a free port. */
export async function startTelegramBot(
  preset = 'binh-thanh-2024',
  /** `redisUrl`/`prefix`: another Redis (a test cluster, with a hash-tagged prefix). */
  opts: { now?: Date; env?: Record<string, string>; demoPeople?: boolean; redisUrl?: string; prefix?: string } = {},
): Promise<TelegramTestBot> {
  const fake = await startFakeTelegram();
  const bot = await startBot(preset, {
    demoPeople: opts.demoPeople ?? true,
    ...(opts.now && { now: opts.now }),
    ...(opts.redisUrl && { redisUrl: opts.redisUrl }),
    ...(opts.prefix && { prefix: opts.prefix }),
    env: { TELEGRAM_BOT_TOKEN: fake.token, TELEGRAM_WEBHOOK_SECRET: SECRET, TELEGRAM_API_ROOT: fake.apiRoot, ...opts.env },
    app: { telegramBotInfo: fake.botInfo },
  });
  const server = await bot.app.listen();
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/telegram`;
  const tg = telegramUpdates({ botInfo: fake.botInfo, files: fake });

  const post: TelegramTestBot['post'] = async (update, o = {}) => {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    const secret = o.secret === undefined ? SECRET : o.secret;
    if (secret !== null) headers['x-telegram-bot-api-secret-token'] = secret;
    const r = await fetch(url, { method: 'POST', headers, body: JSON.stringify(update) });
    await r.arrayBuffer();
    return r.status;
  };
  const t: TelegramTestBot = {
    bot,
    fake,
    tg,
    url,
    post,
    async send(update, chatId) {
      const before = fake.messagesTo(chatId).length;
      const status = await post(update);
      if (status !== 200) throw new Error(`webhook answered ${status}`);
      return fake.messagesTo(chatId).slice(before);
    },
    async press(userId, label) {
      const messages = fake.messagesTo(userId);
      for (let i = messages.length - 1; i >= 0; i--) {
        const b = buttonsOf(messages[i]!).find((x) => x.text.includes(label));
        if (b) return t.send(tg.callbackQuery({ userId, data: b.callback_data, message: messages[i]! }), userId);
      }
      throw new Error(`no button "${label}" in the messages to ${userId}: ${JSON.stringify(messages.slice(-3).map(buttonsOf))}`);
    },
    text: (messages) => messages.map(textOf).join('\n'),
    async close() {
      await bot.close();
      await fake.close();
    },
  };
  return t;
}

/** Joins a Telegram user with an invite code of `role` for `unitId`, by buttons. */
export async function joinOnTelegram(t: TelegramTestBot, userId: number, role: 'staff' | 'officer', unitId: string): Promise<string> {
  const code = await t.bot.app.store.invites.create({ role, unitId, createdBy: 'test' }, { id: 'test', role: 'admin', channel: 'cli' });
  await t.send(t.tg.command({ userId, command: 'start' }), userId);
  await t.press(userId, 'Cán bộ đơn vị');
  return t.text(await t.send(t.tg.text({ userId, text: code }), userId));
}

/** Staff on Telegram: a dossier of the hamlet Xóm Đồng Tâm, with its first part as a PDF, submitted by `by`. */
export async function submittedDossier(t: TelegramTestBot, by: Actor): Promise<Nomination> {
  const { store, campaign } = t.bot.app;
  const hamlet = await unitByCode(t.bot.app, 'TN-DH-BT-X01');
  const { award, review } = reviewsOpenIn(campaign, 2024)[0]!;
  let n = await store.nominations.createDraft(
    {
      campaignId: campaign.id,
      year: 2024,
      unitId: hamlet.id,
      awardId: award.id,
      reviewId: review.id,
      nominee: { type: 'individual', name: 'Nguyễn Thị Hoa', position: 'Trưởng xóm', unitName: hamlet.name },
      summary: 'Dẫn đầu chuyển đổi số của xóm',
      createdBy: by.id,
    },
    by,
  );
  const saved = await new FileStore(t.bot.dataDir).save(PDF, { name: 'to-trinh.pdf', at: new Date() });
  if (!saved.ok) throw new Error('file not saved');
  n = await store.nominations.attachPart(n.id, campaign.dossierParts[0]!.id, saved.file, by);
  return store.nominations.setStatus(n.id, 'submitted', {}, by);
}
