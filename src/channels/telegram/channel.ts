import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { autoRetry } from '@grammyjs/auto-retry';
import { Api, Bot, BotError, GrammyError, InputFile } from 'grammy';
import type { Update, UserFromGetMe } from 'grammy/types';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Identity, Lang } from '../../domain/entities.js';
import { canManageGroup, isReviewer, scopeOf } from '../../domain/roles.js';
import type { Engine } from '../../engine/engine.js';
import type { InboundAttachment, Reply } from '../../engine/types.js';
import { DownloadError, safeDownload, telegramPolicy, type DownloadPolicy } from '../../download.js';
import { MAX_FILE_BYTES } from '../../files.js';
import { t } from '../../i18n.js';
import { SYSTEM_ACTOR, type Store } from '../../store/index.js';
import type { OutboundChannel, SendOutcome } from '../types.js';
import { classifyTelegramError, migratedTo } from './errors.js';
import { TelegramGroups } from './groups.js';
import { normalizeUpdate, type TelegramAction } from './normalize.js';
import { CALLBACK_DATA_MAX_BYTES, renderReply, utf8Bytes, type TelegramOp } from './render.js';
import { createBotApiTransport } from './transport.js';
import { ALLOWED_UPDATES } from './constants.js';

export { ALLOWED_UPDATES };

export interface TelegramChannelOptions {
  token: string;
  /** Bot API base URL without a trailing slash (TELEGRAM_API_ROOT). */
  apiRoot: string;
  engine: Engine;
  store: Store;
  redis: Redis;
  /** Key prefix shared with the store. */
  prefix: string;
  dataDir: string;
  log: Logger;
  /** Known bot identity (tests): no getMe call. */
  botInfo?: UserFromGetMe;
  /**
   * How long a conversation reply may wait on a 429 (auto-retry), per call. Longer
   * waits, 5xx and network errors are not waited out: the update is answered non-2xx
   * and the undelivered replies are sent when Telegram delivers it again.
   */
  retry?: { maxRetryAttempts: number; maxDelaySeconds: number };
  now?: () => Date;
}

/** The update was handled and stored, but some replies could not be delivered yet. */
export class DeliveryPendingError extends Error {
  override readonly name = 'DeliveryPendingError';
}

type Delivery =
  | { ok: true; lastMessageId?: number }
  | { ok: false; outcome: Exclude<SendOutcome, { ok: true }>; rest: TelegramOp[] };

const sha = (s: string) => createHash('sha256').update(s).digest('base64url');
const PENDING_TTL_S = 24 * 3600; // Telegram keeps an unanswered update at most 24 hours
const DONE_TTL_S = 7 * 24 * 3600;
const SENT_TTL_S = 30 * 24 * 3600;
const LONG_PAYLOAD_TTL_S = 90 * 24 * 3600;

/**
 * The Telegram channel: a grammY bot whose only middleware hands each update to
 * `process` (normalise → engine → render), and the OutboundChannel the outbox and
 * notify() send through.
 */
export class TelegramChannel implements OutboundChannel {
  readonly channel = 'telegram' as const;
  readonly bot: Bot;
  readonly groups: TelegramGroups;
  /** Without retries: for send(), where the outbox decides what a 429 means. */
  private readonly plainApi: Api;
  private readonly fileRoot: string;
  private readonly downloadPolicy: DownloadPolicy;
  private polling = false;
  private readonly now: () => Date;
  private readonly transport: ReturnType<typeof createBotApiTransport>;
  /** Which token a stored down state is about (a hash: the token never reaches Redis). */
  private readonly tokenId: string;

  constructor(private readonly opts: TelegramChannelOptions) {
    const apiRoot = opts.apiRoot.replace(/\/+$/, '');
    this.transport = createBotApiTransport();
    const client = { apiRoot, timeoutSeconds: 30, fetch: this.transport.fetch };
    this.bot = new Bot(opts.token, { client, ...(opts.botInfo && { botInfo: opts.botInfo }) });
    // auto-retry's defaults retry forever; network errors and 5xx are rethrown here and
    // retried through Telegram's own redelivery instead (see DeliveryPendingError).
    this.bot.api.config.use(
      autoRetry({ maxRetryAttempts: 2, maxDelaySeconds: 5, rethrowHttpErrors: true, rethrowInternalServerErrors: true, ...opts.retry }),
    );
    this.plainApi = new Api(opts.token, client);
    this.fileRoot = `${apiRoot}/file/bot${opts.token}`;
    this.downloadPolicy = telegramPolicy(apiRoot);
    this.groups = new TelegramGroups(opts.store, opts.prefix);
    this.now = opts.now ?? (() => new Date());
    this.tokenId = sha(opts.token).slice(0, 12);
    this.bot.use(async (ctx) => {
      if (this.polling) await this.processWithRetries(ctx.update);
      else await this.process(ctx.update);
    });
    this.bot.catch((err) => this.opts.log.error({ err: errMessage(err.error), update: err.ctx.update.update_id }, 'telegram update dropped'));
  }

  private key(...parts: string[]) {
    return [this.opts.prefix, 'tg', ...parts].join(':');
  }

  /**
   * Set when the Bot API refuses our token (401: revoked or wrong), so every replica's
   * /healthz reports the channel down. A new TELEGRAM_BOT_TOKEN (another hash) or an
   * accepted outbox send ends it.
   */
  async down(): Promise<{ reason: string; since: string } | null> {
    const raw = await this.opts.redis.get(this.key('down'));
    if (!raw) return null;
    const state = JSON.parse(raw) as { reason: string; at: string; token: string };
    return state.token === this.tokenId ? { reason: state.reason, since: state.at } : null;
  }

  private async markDownIf(err: unknown, reason: string): Promise<void> {
    if (!(err instanceof GrammyError && err.error_code === 401)) return;
    const state = JSON.stringify({ reason, at: this.now().toISOString(), token: this.tokenId });
    const first = await this.opts.redis.set(this.key('down'), state, 'NX').catch(() => null);
    if (first === 'OK') this.opts.log.error({ reason }, 'telegram: the Bot API refuses the bot token; channel down until TELEGRAM_BOT_TOKEN is replaced');
  }

  /** The bot's identity (getMe once, unless botInfo was given). */
  async init(): Promise<UserFromGetMe> {
    if (!this.bot.isInited()) await this.bot.init();
    return this.bot.botInfo;
  }

  /**
   * Webhook path: handles one update through grammY's middleware. Resolves when the
   * effect is stored and the replies are delivered (or the user is unreachable);
   * rejects when the update must be delivered again (Redis down, replies pending).
   */
  async handleUpdate(update: Update): Promise<void> {
    await this.init();
    try {
      await this.bot.handleUpdate(update);
    } catch (err) {
      throw err instanceof BotError ? err.error : err;
    }
  }

  /** Development: long polling (TELEGRAM_MODE=polling). Only one process may poll a bot. */
  startPolling(): void {
    this.polling = true;
    void this.bot
      .start({
        allowed_updates: [...ALLOWED_UPDATES],
        onStart: (me) => this.opts.log.info({ bot: me.username }, 'telegram long polling started'),
      })
      .catch((err: unknown) => this.opts.log.error({ err: errMessage(err) }, 'telegram long polling stopped'));
  }

  async stop(): Promise<void> {
    if (this.bot.isRunning()) await this.bot.stop().catch(() => {});
    this.polling = false;
  }

  /** Stops polling and closes the Bot API connections (after the last send). */
  async close(): Promise<void> {
    await this.stop();
    await this.transport.close().catch(() => {});
  }

  /** Polling confirms an update once the middleware returns: try a few times before giving up. */
  private async processWithRetries(update: Update): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.process(update);
      } catch (err) {
        if (attempt >= 4) throw err;
        this.opts.log.warn({ err: errMessage(err), update: update.update_id, attempt }, 'telegram update failed; retrying');
        await sleep(500 * 2 ** attempt);
      }
    }
  }

  /** One update, whatever its shape; throws only when it must be delivered again. */
  async process(update: Update): Promise<void> {
    const action = normalizeUpdate(update, this.bot.botInfo.username);
    const updateId = String(update.update_id);
    switch (action.kind) {
      case 'converse':
        return this.converse(updateId, action);
      case 'reachability':
        await this.opts.store.identities.markUnreachable('telegram', action.userId, action.blocked);
        return;
      case 'edited': {
        if (!(await this.once(updateId))) return;
        const lang = (await this.opts.store.identities.get('telegram', action.userId))?.lang ?? 'vi';
        await this.say(action.chatId, t(lang, 'telegram.edited'));
        return;
      }
      case 'group_command':
        return this.groupCommand(updateId, action);
      case 'group_membership':
        if (action.member) {
          if (await this.once(updateId)) await this.say(action.chatId, t('vi', 'telegram.group_added'));
        } else await this.groups.unlink(action.chatId, SYSTEM_ACTOR, this.now());
        return;
      case 'group_migrated':
        await this.groups.migrate(action.from, action.to, SYSTEM_ACTOR, this.now());
        return;
      case 'ignore':
        if (action.callbackId) await this.plainApi.answerCallbackQuery(action.callbackId).catch(() => {});
        this.opts.log.debug({ update: update.update_id, reason: action.reason }, 'telegram update ignored');
        return;
    }
  }

  private async converse(updateId: string, action: Extract<TelegramAction, { kind: 'converse' }>): Promise<void> {
    const { inbound, chatId, callback } = action;
    // Answer the button press at once (the client shows a spinner until then) and drop
    // the pressed keyboard so old buttons are not pressed again; both best effort.
    const side: Promise<unknown>[] = [];
    if (callback?.inGroup) {
      // A button under a group message (an alert): the answer goes to the presser's private
      // chat, which only works once they have started the bot; if not, open it for them.
      const known = await this.opts.store.identities.get('telegram', inbound.userId);
      if (!known) {
        await this.plainApi.answerCallbackQuery(callback.id, { url: `https://t.me/${this.bot.botInfo.username}?start=g` }).catch(() => {});
        return;
      }
      side.push(this.plainApi.answerCallbackQuery(callback.id, { text: t(known.lang, 'telegram.answered_privately') }).catch(() => {}));
    } else if (callback) {
      side.push(this.plainApi.answerCallbackQuery(callback.id).catch(() => {}));
      if (callback.chatId && callback.messageId) side.push(this.plainApi.editMessageReplyMarkup(callback.chatId, callback.messageId).catch(() => {}));
    }
    try {
      if (inbound.payload?.startsWith('h|')) {
        inbound.payload = (await this.opts.redis.get(this.key('cb', inbound.payload.slice(2)))) ?? 'h|expired';
      }
      const result = await this.opts.engine.handle(inbound);
      const pendingKey = this.key('pending', updateId);
      let ops: TelegramOp[];
      if (result.duplicate) {
        // Handled before; send what could not be delivered then, if anything.
        const raw = await this.opts.redis.get(pendingKey);
        if (!raw) return;
        ops = (JSON.parse(raw) as { ops: TelegramOp[] }).ops;
      } else {
        ops = await this.opsFor(result.replies);
      }
      const delivery = await this.deliver(chatId, ops, result.lang, this.bot.api, 'skip');
      if (delivery.ok || delivery.outcome.kind === 'unreachable') {
        if (result.duplicate) await this.opts.redis.del(pendingKey);
        return;
      }
      await this.opts.redis.set(pendingKey, JSON.stringify({ ops: delivery.rest }), 'EX', PENDING_TTL_S);
      throw new DeliveryPendingError(`replies not delivered (${delivery.outcome.kind}: ${delivery.outcome.reason})`);
    } finally {
      await Promise.all(side);
    }
  }

  /** Renders replies; a payload over 64 bytes travels as a short key kept in Redis. */
  private async opsFor(replies: Reply[]): Promise<TelegramOp[]> {
    const long = new Map<string, string>();
    for (const r of replies) for (const c of r.choices ?? []) if (utf8Bytes(c.payload) > CALLBACK_DATA_MAX_BYTES) long.set(c.payload, sha(c.payload).slice(0, 22));
    if (long.size > 0) {
      const m = this.opts.redis.multi();
      for (const [payload, id] of long) m.set(this.key('cb', id), payload, 'EX', LONG_PAYLOAD_TTL_S);
      await m.exec();
    }
    return replies.flatMap((r) => renderReply(r, (p) => (long.has(p) ? `h|${long.get(p)!}` : p)));
  }

  /** Absolute path of a stored file; never outside DATA_DIR. */
  private filePath(rel: string): string | null {
    const root = path.resolve(this.opts.dataDir);
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
    const m = await api.sendDocument(chatId, new InputFile(abs, op.name), { ...(op.caption && { caption: op.caption }), ...(reply_markup && { reply_markup }) });
    return m.message_id;
  }

  /**
   * Sends ops in order. Stops at the first failure that a later attempt may fix and
   * returns what is left; an unreachable chat is marked and the rest dropped. With
   * `badRequest: 'skip'` (conversations) a 400 is logged and that message degraded or
   * skipped, so one rendering bug never blocks a conversation.
   */
  private async deliver(chatId: string, ops: TelegramOp[], lang: Lang, api: Api, badRequest: 'skip' | 'fail'): Promise<Delivery> {
    let lastMessageId: number | undefined;
    let chat = chatId;
    for (let i = 0; i < ops.length; i++) {
      const op = ops[i]!;
      try {
        lastMessageId = await this.call(api, chat, op, lang);
      } catch (err) {
        const moved = migratedTo(err);
        if (moved) {
          await this.groups.migrate(chat, moved, SYSTEM_ACTOR, this.now());
          chat = moved;
          i--;
          continue;
        }
        const outcome = classifyTelegramError(err);
        this.opts.log.warn({ kind: outcome.kind, reason: outcome.reason, method: op.method }, 'telegram send failed');
        await this.markDownIf(err, outcome.reason);
        if (outcome.kind === 'unreachable') {
          await this.unreachable(chat);
          return { ok: false, outcome, rest: [] };
        }
        if (outcome.kind === 'config' && err instanceof GrammyError && err.error_code === 400 && badRequest === 'skip') {
          this.opts.log.error({ reason: outcome.reason, method: op.method }, 'telegram rejected a reply; sending it without buttons');
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
    if (chatId.startsWith('-')) await this.groups.unlink(chatId, SYSTEM_ACTOR, this.now());
    else await this.opts.store.identities.markUnreachable('telegram', chatId, true);
  }

  /**
   * OutboundChannel: one message outside a conversation (notify, outbox). No waiting:
   * a 429 comes back as rate_limited for the caller to schedule. With an idempotency key
   * a message already sent is not sent again.
   */
  async send(userId: string, reply: Reply, opts: { idempotencyKey?: string } = {}): Promise<SendOutcome> {
    const sentKey = opts.idempotencyKey ? this.key('sent', sha(opts.idempotencyKey)) : null;
    if (sentKey) {
      const claimed = await this.opts.redis.set(sentKey, 'sending', 'EX', 120, 'NX');
      if (claimed !== 'OK') {
        if ((await this.opts.redis.get(sentKey)) === 'sent') return { ok: true };
        return { ok: false, kind: 'transient', reason: 'a send with this idempotency key is in progress' };
      }
    }
    let result: SendOutcome;
    try {
      const lang = (await this.opts.store.identities.get('telegram', userId).catch(() => null))?.lang ?? 'vi';
      const delivery = await this.deliver(userId, await this.opsFor([reply]), lang, this.plainApi, 'fail');
      result = delivery.ok
        ? { ok: true, ...(delivery.lastMessageId !== undefined && { platformMessageId: String(delivery.lastMessageId) }) }
        : delivery.outcome;
    } catch (err) {
      result = classifyTelegramError(err);
    }
    if (sentKey) {
      // An accepted send also ends a down state (same round trip).
      if (result.ok) await this.opts.redis.multi().set(sentKey, 'sent', 'EX', SENT_TTL_S).del(this.key('down')).exec();
      else await this.opts.redis.del(sentKey);
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
      await this.plainApi.editMessageText(userId, messageId, text, keyboard ? { reply_markup: { inline_keyboard: keyboard } } : {});
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
  private async say(chatId: string, text: string): Promise<void> {
    const d = await this.deliver(chatId, renderReply({ text }, (p) => p), 'vi', this.plainApi, 'skip');
    if (!d.ok && d.outcome.kind !== 'unreachable') this.opts.log.warn({ kind: d.outcome.kind }, 'telegram notice not delivered');
  }

  /** true the first time an update id is seen (for updates that do not go through the engine). */
  private async once(updateId: string): Promise<boolean> {
    return (await this.opts.redis.set(this.key('done', updateId), '1', 'EX', DONE_TTL_S, 'NX')) === 'OK';
  }

  // --- groups -------------------------------------------------------------------------

  private async groupCommand(updateId: string, a: Extract<TelegramAction, { kind: 'group_command' }>): Promise<void> {
    const identity = await this.opts.store.identities.get('telegram', a.userId);
    const lang = identity?.lang ?? 'vi';
    let text: string;
    if (a.command === 'lienket') text = await this.linkGroup(a, identity, lang);
    else if (a.command === 'huylienket') text = await this.unlinkGroup(a, identity, lang);
    else if (['start', 'help', 'menu'].includes(a.command)) text = t(lang, 'telegram.group_private_only', { bot: `@${this.bot.botInfo.username}` });
    else return; // a command for someone else: stay quiet in the group
    if (await this.once(updateId)) await this.say(a.chatId, text);
  }

  private async linkGroup(a: Extract<TelegramAction, { kind: 'group_command' }>, identity: Identity | null, lang: Lang): Promise<string> {
    if (!identity || !isReviewer(identity)) return t(lang, 'telegram.group_not_allowed', { bot: `@${this.bot.botInfo.username}` });
    const { store } = this.opts;
    let office = identity.unitId;
    if (a.args) {
      const unit = await store.units.getByCode(a.args);
      if (!unit || !canManageGroup(identity, await scopeOf(identity, store.units), unit.id))
        return t(lang, 'telegram.group_unit_unknown', { code: a.args.slice(0, 40) });
      office = unit.id;
    }
    const actor = { id: `telegram:${a.userId}`, role: identity.role, channel: 'telegram' };
    await this.groups.link({ chatId: a.chatId, title: a.title.slice(0, 255), officeUnitId: office, linkedBy: actor.id, linkedAt: this.now().toISOString() }, actor);
    const name = office ? ((await store.units.get(office))?.name ?? office) : t(lang, 'telegram.group_all_units');
    return t(lang, 'telegram.group_linked', { office: name });
  }

  private async unlinkGroup(a: Extract<TelegramAction, { kind: 'group_command' }>, identity: Identity | null, lang: Lang): Promise<string> {
    if (!identity || !isReviewer(identity)) return t(lang, 'telegram.group_not_allowed', { bot: `@${this.bot.botInfo.username}` });
    const link = await this.groups.get(a.chatId);
    if (!link) return t(lang, 'telegram.group_not_linked');
    if (!canManageGroup(identity, await scopeOf(identity, this.opts.store.units), link.officeUnitId)) return t(lang, 'telegram.group_not_allowed', { bot: `@${this.bot.botInfo.username}` });
    await this.groups.unlink(a.chatId, { id: `telegram:${a.userId}`, role: identity.role, channel: 'telegram' }, this.now());
    return t(lang, 'telegram.group_unlinked');
  }

  // --- files ----------------------------------------------------------------------------

  /**
   * The engine's fetcher for channel 'telegram': getFile, then download (at most 20 MB)
   * from TELEGRAM_API_ROOT's host; a redirect elsewhere must lead to a public address
   * (src/download.ts).
   */
  readonly fetch = async (a: InboundAttachment): Promise<Buffer> => {
    if (!a.ref) throw new DownloadError('refused', 'no file id');
    const file = await this.bot.api.getFile(a.ref);
    if (!file.file_path) throw new DownloadError('failed', 'getFile returned no file_path');
    if (file.file_size !== undefined && file.file_size > MAX_FILE_BYTES) throw new DownloadError('too_big', 'declared by getFile');
    // The URL holds the bot token: DownloadError never quotes it.
    const url = `${this.fileRoot}/${file.file_path.split('/').map(encodeURIComponent).join('/')}`;
    return (await safeDownload(url, this.downloadPolicy, { maxBytes: MAX_FILE_BYTES, timeoutMs: 120_000 })).bytes;
  };
}

function errMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
