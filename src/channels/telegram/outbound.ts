import fs from 'node:fs';
import path from 'node:path';
import { GrammyError, InputFile, type Api } from 'grammy';
import type { Lang } from '../../domain/entities.js';
import type { Reply } from '../../engine/types.js';
import { t } from '../../i18n.js';
import { SYSTEM_ACTOR } from '../../store/index.js';
import type { SendOutcome } from '../types.js';
import { classifyTelegramError, migratedTo } from './errors.js';
import { CALLBACK_DATA_MAX_BYTES, renderReply, utf8Bytes, type TelegramOp } from './render.js';
import { sha, type TelegramCore } from './shared.js';

export type Delivery =
  | { ok: true; lastMessageId?: number }
  | { ok: false; outcome: Exclude<SendOutcome, { ok: true }>; rest: TelegramOp[] };

const SENT_TTL_S = 30 * 24 * 3600;
const LONG_PAYLOAD_TTL_S = 90 * 24 * 3600;

/**
 * The Telegram channel's sending side: renders replies into Bot API calls and delivers
 * them (conversation replies, OutboundChannel send/edit, group notices), keeping group
 * links and reachability up to date from Telegram's answers, and the channel's down
 * state when the Bot API refuses the token.
 */
export class TelegramOutbound {
  /** Which token a stored down state is about (a hash: the token never reaches Redis). */
  private readonly tokenId: string;

  constructor(private readonly core: TelegramCore) {
    this.tokenId = sha(core.opts.token).slice(0, 12);
  }

  /**
   * Set when the Bot API refuses our token (401: revoked or wrong), so every replica's
   * /healthz reports the channel down. A new TELEGRAM_BOT_TOKEN (another hash) or an
   * accepted outbox send ends it.
   */
  async down(): Promise<{ reason: string; since: string } | null> {
    const raw = await this.core.opts.redis.get(this.core.key('down'));
    if (!raw) return null;
    const state = JSON.parse(raw) as { reason: string; at: string; token: string };
    return state.token === this.tokenId ? { reason: state.reason, since: state.at } : null;
  }

  private async markDownIf(err: unknown, reason: string): Promise<void> {
    if (!(err instanceof GrammyError && err.error_code === 401)) return;
    const state = JSON.stringify({ reason, at: this.core.now().toISOString(), token: this.tokenId });
    const first = await this.core.opts.redis.set(this.core.key('down'), state, 'NX').catch(() => null);
    if (first === 'OK') this.core.opts.log.error({ reason }, 'telegram: the Bot API refuses the bot token; channel down until TELEGRAM_BOT_TOKEN is replaced');
  }

  /** Renders replies; a payload over 64 bytes travels as a short key kept in Redis. */
  async opsFor(replies: Reply[]): Promise<TelegramOp[]> {
    const long = new Map<string, string>();
    for (const r of replies) for (const c of r.choices ?? []) if (utf8Bytes(c.payload) > CALLBACK_DATA_MAX_BYTES) long.set(c.payload, sha(c.payload).slice(0, 22));
    if (long.size > 0) {
      const m = this.core.opts.redis.multi();
      for (const [payload, id] of long) m.set(this.core.key('cb', id), payload, 'EX', LONG_PAYLOAD_TTL_S);
      await m.exec();
    }
    return replies.flatMap((r) => renderReply(r, (p) => (long.has(p) ? `h|${long.get(p)!}` : p)));
  }

  /** Absolute path of a stored file; never outside DATA_DIR. */
  private filePath(rel: string): string | null {
    const root = path.resolve(this.core.opts.dataDir);
    const abs = path.resolve(root, rel);
    if (!abs.startsWith(root + path.sep) || !fs.existsSync(abs)) return null;
    return abs;
  }

  private async call(api: Api, chatId: string, op: TelegramOp, lang: Lang): Promise<number> {
    const reply_markup = op.keyboard ? { inline_keyboard: op.keyboard } : undefined;
    if (op.method === 'sendMessage') {
      const m = await api.sendMessage(chatId, op.text, { link_preview_options: { is_disabled: true }, ...(reply_markup && { reply_markup }) });
      return m.message_id;
    }
    const abs = this.filePath(op.path);
    if (!abs) {
      const text = [op.caption, t(lang, 'telegram.file_missing', { name: op.name })].filter(Boolean).join('\n\n');
      const m = await api.sendMessage(chatId, text, reply_markup ? { reply_markup } : {});
      return m.message_id;
    }
    const extra = { ...(op.caption && { caption: op.caption }), ...(reply_markup && { reply_markup }) };
    const m = op.method === 'sendPhoto' ? await api.sendPhoto(chatId, new InputFile(abs, op.name), extra) : await api.sendDocument(chatId, new InputFile(abs, op.name), extra);
    return m.message_id;
  }

  /**
   * Sends ops in order. Stops at the first failure that a later attempt may fix and
   * returns what is left; an unreachable chat is marked and the rest dropped. With
   * `badRequest: 'skip'` (conversations) a 400 is logged and that message degraded or
   * skipped, so one rendering bug never blocks a conversation.
   */
  async deliver(chatId: string, ops: TelegramOp[], lang: Lang, api: Api, badRequest: 'skip' | 'fail'): Promise<Delivery> {
    const { log, store } = this.core.opts;
    let lastMessageId: number | undefined;
    let chat = chatId;
    for (let i = 0; i < ops.length; i++) {
      const op = ops[i]!;
      try {
        lastMessageId = await this.call(api, chat, op, lang);
      } catch (err) {
        const moved = migratedTo(err);
        if (moved) {
          await store.groupLinks.migrate(chat, moved, SYSTEM_ACTOR, this.core.now());
          chat = moved;
          i--;
          continue;
        }
        const outcome = classifyTelegramError(err);
        log.warn({ kind: outcome.kind, reason: outcome.reason, method: op.method }, 'telegram send failed');
        await this.markDownIf(err, outcome.reason);
        if (outcome.kind === 'unreachable') {
          await this.unreachable(chat);
          return { ok: false, outcome, rest: [] };
        }
        if (outcome.kind === 'config' && err instanceof GrammyError && err.error_code === 400 && badRequest === 'skip') {
          log.error({ reason: outcome.reason, method: op.method }, 'telegram rejected a reply; sending it without buttons');
          if (op.keyboard) {
            const list = op.keyboard.flat().map((b) => b.text).join('\n');
            const text = `${op.method === 'sendMessage' ? op.text : (op.caption ?? '')}\n\n${list}`.trim().slice(0, 4096);
            lastMessageId = await this.call(api, chat, { method: 'sendMessage', text }, lang).catch(() => lastMessageId);
          }
          continue;
        }
        return { ok: false, outcome, rest: ops.slice(i) };
      }
    }
    return { ok: true, ...(lastMessageId !== undefined && { lastMessageId }) };
  }

  /** The chat cannot be written to: a person is marked unreachable, a group unlinked. */
  private async unreachable(chatId: string): Promise<void> {
    const { store } = this.core.opts;
    if (chatId.startsWith('-')) await store.groupLinks.unlink(chatId, SYSTEM_ACTOR, this.core.now());
    else await store.identities.markUnreachable('telegram', chatId, true);
  }

  /**
   * OutboundChannel: one message outside a conversation (notify, outbox). No waiting:
   * a 429 comes back as rate_limited for the caller to schedule. With an idempotency key
   * a message already sent is not sent again.
   */
  async send(userId: string, reply: Reply, opts: { idempotencyKey?: string } = {}): Promise<SendOutcome> {
    const { redis, store } = this.core.opts;
    const sentKey = opts.idempotencyKey ? this.core.key('sent', sha(opts.idempotencyKey)) : null;
    if (sentKey) {
      const claimed = await redis.set(sentKey, 'sending', 'EX', 120, 'NX');
      if (claimed !== 'OK') {
        if ((await redis.get(sentKey)) === 'sent') return { ok: true };
        return { ok: false, kind: 'transient', reason: 'a send with this idempotency key is in progress' };
      }
    }
    let result: SendOutcome;
    try {
      const lang = (await store.identities.get('telegram', userId).catch(() => null))?.lang ?? 'vi';
      const delivery = await this.deliver(userId, await this.opsFor([reply]), lang, this.core.plainApi, 'fail');
      result = delivery.ok
        ? { ok: true, ...(delivery.lastMessageId !== undefined && { platformMessageId: String(delivery.lastMessageId) }) }
        : delivery.outcome;
    } catch (err) {
      result = classifyTelegramError(err);
    }
    if (sentKey) {
      // An accepted send also ends a down state (same round trip).
      if (result.ok) await redis.multi().set(sentKey, 'sent', 'EX', SENT_TTL_S).del(this.core.key('down')).exec();
      else await redis.del(sentKey);
    }
    return result;
  }

  /**
   * OutboundChannel.edit: replaces the text (and buttons) of a message sent earlier
   * (broadcast progress). "Not modified" counts as done; text beyond 4096 is cut.
   */
  async edit(userId: string, platformMessageId: string, reply: Reply): Promise<SendOutcome> {
    const messageId = Number(platformMessageId);
    if (!Number.isSafeInteger(messageId)) return { ok: false, kind: 'config', reason: 'not a Telegram message id' };
    const text = reply.text.slice(0, 4096).trim() || '…';
    const keyboard = (await this.opsFor([{ text, ...(reply.choices && { choices: reply.choices }) }]))[0]?.keyboard;
    try {
      await this.core.plainApi.editMessageText(userId, messageId, text, keyboard ? { reply_markup: { inline_keyboard: keyboard } } : {});
      return { ok: true, platformMessageId };
    } catch (err) {
      if (err instanceof GrammyError && /message is not modified/i.test(err.description)) return { ok: true, platformMessageId };
      const outcome = classifyTelegramError(err);
      if (outcome.kind === 'unreachable') await this.unreachable(userId);
      await this.markDownIf(err, outcome.reason);
      return outcome;
    }
  }

  /** A plain message to a chat, best effort (group notices, edit hints). */
  async say(chatId: string, text: string): Promise<void> {
    const d = await this.deliver(chatId, renderReply({ text }, (p) => p), 'vi', this.core.plainApi, 'skip');
    if (!d.ok && d.outcome.kind !== 'unreachable') this.core.opts.log.warn({ kind: d.outcome.kind }, 'telegram notice not delivered');
  }
}
