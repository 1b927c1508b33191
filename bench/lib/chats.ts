/**
 * The officer's side of a chat on each platform, through the real webhooks and the local
 * fakes (test/fakes): what the bot sent arrives at the fake, which hands it to an Inbox;
 * a turn is the messages that arrived for the chat between the POST and the end of the
 * bot's answer (Telegram: the webhook's HTTP answer, replies are sent before it; Zalo:
 * the server says the event is processed).
 */
import http from 'node:http';
import type { Message, Update } from 'grammy/types';
import { normaliseEvent } from '../../src/channels/zalo/events.js';
import type { TelegramUpdateFactory } from '../../test/fakes/telegram-updates.js';
import { postZaloEvent, type ZaloEvent, type ZaloEventFactory } from '../../test/fakes/zalo-events.js';
import type { FakeZalo } from '../../test/fakes/zalo-openapi.js';
import { JourneyError, type Chat, type Turn } from './officer.js';

export interface Received {
  text: string;
  /** Button label → what pressing it sends (Telegram callback_data, Zalo payload). */
  buttons: { label: string; data: string }[];
  /** Telegram: the message, for the callback query. */
  message?: Message;
  /** Date.now() when the fake received it. */
  at: number;
}

/** Messages received at the fakes, per chat id. */
export class Inbox {
  private readonly byChat = new Map<string, Received[]>();
  constructor(private readonly ignore: (text: string) => boolean) {}

  push(chatId: string, r: Received): void {
    let list = this.byChat.get(chatId);
    if (!list) this.byChat.set(chatId, (list = []));
    list.push(r);
  }

  of(chatId: string): Received[] {
    return this.byChat.get(chatId) ?? [];
  }

  /** The messages of one answer: those since `from`, without the ones not part of the conversation (an announcement). */
  answer(chatId: string, from: number): Received[] {
    return this.of(chatId)
      .slice(from)
      .filter((r) => !this.ignore(r.text));
  }
}

export const telegramReceived = (m: Message): Received => {
  const kb = (m as Message & { reply_markup?: { inline_keyboard?: { text: string; callback_data?: string }[][] } }).reply_markup?.inline_keyboard ?? [];
  const text = 'text' in m && typeof m.text === 'string' ? m.text : 'caption' in m && typeof m.caption === 'string' ? m.caption : '';
  return { text, buttons: kb.flat().map((b) => ({ label: b.text, data: b.callback_data ?? '' })), message: m, at: Date.now() };
};

/** A conversation over turns, whatever carries it: the answer's messages, and pressing one of their buttons. */
abstract class TurnChat implements Chat {
  protected last: Received[] = [];
  constructor(
    protected readonly inbox: Inbox,
    protected readonly chatId: string,
  ) {}

  protected async turn(deliver: () => Promise<void>): Promise<Turn> {
    const from = this.inbox.of(this.chatId).length;
    const started = Date.now();
    await deliver();
    const answer = this.inbox.answer(this.chatId, from);
    if (!answer.length) throw new JourneyError('no reply');
    this.last = answer;
    if (process.env.BENCH_TRACE) process.stderr.write(`[${this.chatId}] ${JSON.stringify(answer.map((r) => [r.text.slice(0, 120), r.buttons.map((b) => b.label)]))}\n`);
    return { texts: answer.map((r) => r.text), buttons: answer.flatMap((r) => r.buttons.map((b) => b.label)), ms: answer.at(-1)!.at - started };
  }

  protected button(label: string): { r: Received; data: string } {
    for (const r of [...this.last].reverse()) {
      const b = r.buttons.find((x) => x.label === label) ?? r.buttons.find((x) => x.label.includes(label));
      if (b) return { r, data: b.data };
    }
    throw new JourneyError(`no button "${label}" among ${JSON.stringify(this.last.flatMap((r) => r.buttons.map((b) => b.label)))}`);
  }

  abstract say(text: string): Promise<Turn>;
  abstract press(label: string): Promise<Turn>;
  abstract upload(bytes: Buffer, name: string): Promise<Turn>;
}

export interface TelegramLine {
  url: URL;
  secret: string;
  agent: http.Agent;
  updates: TelegramUpdateFactory;
}

/**
 * POSTs an update as Telegram does; resolves with the HTTP status. A kept-alive connection
 * the server closed just as it was reused (ECONNRESET before any answer) is tried once more,
 * as Telegram delivers an update again; the app ignores an update_id it has seen.
 */
export function postUpdate(line: TelegramLine, update: Update, retried = false): Promise<number> {
  const body = JSON.stringify(update);
  return new Promise((resolve, reject) => {
    const req = http.request(
      line.url,
      { method: 'POST', agent: line.agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'x-telegram-bot-api-secret-token': line.secret } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', (err: NodeJS.ErrnoException) => {
      if (!retried && req.reusedSocket && (err.code === 'ECONNRESET' || err.message === 'socket hang up')) resolve(postUpdate(line, update, true));
      else reject(err);
    });
    req.end(body);
  });
}

export class TelegramChat extends TurnChat {
  constructor(
    inbox: Inbox,
    private readonly line: TelegramLine,
    private readonly userId: number,
  ) {
    super(inbox, String(userId));
  }

  private send(update: Update): Promise<Turn> {
    return this.turn(async () => {
      const status = await postUpdate(this.line, update);
      if (status !== 200) throw new JourneyError(`telegram webhook answered ${status}`);
    });
  }

  say(text: string): Promise<Turn> {
    const { updates: u } = this.line;
    const [command, ...args] = text.split(' ');
    return this.send(text.startsWith('/') ? u.command({ userId: this.userId, command: command!.slice(1), ...(args.length ? { args: args.join(' ') } : {}) }) : u.text({ userId: this.userId, text }));
  }

  press(label: string): Promise<Turn> {
    const { r, data } = this.button(label);
    return this.send(this.line.updates.callbackQuery({ userId: this.userId, data, ...(r.message ? { message: r.message } : {}) }));
  }

  upload(bytes: Buffer, name: string): Promise<Turn> {
    return this.send(this.line.updates.document({ userId: this.userId, data: bytes, fileName: name, mimeType: 'application/pdf' }));
  }
}

export interface ZaloLine {
  webhook: string;
  oaSecret: string;
  events: ZaloEventFactory;
  fake: FakeZalo;
  /** Resolves when a server has processed the event with this key. */
  processed(key: string): Promise<void>;
}

export class ZaloChat extends TurnChat {
  private files = 0;
  constructor(
    inbox: Inbox,
    private readonly line: ZaloLine,
    private readonly userId: string,
  ) {
    super(inbox, userId);
  }

  private send(event: ZaloEvent): Promise<Turn> {
    return this.turn(async () => {
      const n = normaliseEvent(event);
      if (n.kind === 'ignore') throw new Error(`the bench built an event Zalo would not send: ${n.reason}`);
      const done = this.line.processed(n.key);
      // Awaited only once the webhook has answered: until then its rejection is not the turn's error.
      done.catch(() => {});
      const r = await postZaloEvent(this.line.webhook, event, this.line.oaSecret, { timeoutMs: 60_000 }).catch((err: Error) => {
        throw new JourneyError(`zalo webhook: ${err.message}`);
      });
      if (r.status !== 200) throw new JourneyError(`zalo webhook answered ${r.status}`);
      await done;
    });
  }

  say(text: string): Promise<Turn> {
    return this.send(this.line.events.userSendText({ userId: this.userId, text }));
  }

  /** A pressed `oa.query.*` button arrives as its payload text. */
  press(label: string): Promise<Turn> {
    return this.say(this.button(label).data);
  }

  upload(bytes: Buffer, name: string): Promise<Turn> {
    const url = this.line.fake.addAttachment(`${this.userId}-${++this.files}-${name}`, bytes, 'application/pdf');
    return this.send(this.line.events.userSendFile({ userId: this.userId, url, name, size: bytes.length }));
  }
}
