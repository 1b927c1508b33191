import type { AddressInfo } from 'node:net';
import type { Message, Update } from 'grammy/types';
import { startFakeTelegram, type FakeTelegram } from '../fakes/telegram-bot-api.js';
import { telegramUpdates, type TelegramUpdateFactory } from '../fakes/telegram-updates.js';
import { startBot, type TestBot } from './bot.js';

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
  opts: { now?: Date; env?: Record<string, string>; demoPeople?: boolean } = {},
): Promise<TelegramTestBot> {
  const fake = await startFakeTelegram();
  const bot = await startBot(preset, {
    demoPeople: opts.demoPeople ?? true,
    ...(opts.now && { now: opts.now }),
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
