import type { Update } from 'grammy/types';
import { t } from '../../i18n.js';
import { SYSTEM_ACTOR } from '../../store/index.js';
import type { TelegramGroupAdmin } from './group-admin.js';
import { normalizeUpdate, type TelegramAction } from './normalize.js';
import type { TelegramOutbound } from './outbound.js';
import type { TelegramOp } from './render.js';
import type { TelegramCore } from './shared.js';

/** The update was handled and stored, but some replies could not be delivered yet. */
export class DeliveryPendingError extends Error {
  override readonly name = 'DeliveryPendingError';
}

const PENDING_TTL_S = 24 * 3600; // Telegram keeps an unanswered update at most 24 hours
const DONE_TTL_S = 7 * 24 * 3600;

/**
 * The Telegram channel's receiving side: one update, whatever its shape → normalise →
 * engine → replies (a conversation), or a reachability change, a group command, a group
 * membership change. Throws only when the update must be delivered again.
 */
export class TelegramInbound {
  constructor(
    private readonly core: TelegramCore,
    private readonly out: TelegramOutbound,
    private readonly groups: TelegramGroupAdmin,
  ) {}

  async process(update: Update): Promise<void> {
    const { store, log } = this.core.opts;
    const action = normalizeUpdate(update, this.core.bot.botInfo.username);
    const updateId = String(update.update_id);
    switch (action.kind) {
      case 'converse':
        return this.converse(updateId, action);
      case 'reachability':
        await store.identities.markUnreachable('telegram', action.userId, action.blocked);
        return;
      case 'edited': {
        if (!(await this.once(updateId))) return;
        const lang = (await store.identities.get('telegram', action.userId))?.lang ?? 'vi';
        await this.out.say(action.chatId, t(lang, 'telegram.edited'));
        return;
      }
      case 'group_command': {
        const text = await this.groups.command(action);
        if (text !== null && (await this.once(updateId))) await this.out.say(action.chatId, text);
        return;
      }
      case 'group_membership':
        if (action.member) {
          if (await this.once(updateId)) await this.out.say(action.chatId, t('vi', 'telegram.group_added'));
        } else await store.groupLinks.unlink(action.chatId, SYSTEM_ACTOR, this.core.now());
        return;
      case 'group_migrated':
        await store.groupLinks.migrate(action.from, action.to, SYSTEM_ACTOR, this.core.now());
        return;
      case 'ignore':
        if (action.callbackId) await this.core.plainApi.answerCallbackQuery(action.callbackId).catch(() => {});
        log.debug({ update: update.update_id, reason: action.reason }, 'telegram update ignored');
        return;
    }
  }

  private async converse(updateId: string, action: Extract<TelegramAction, { kind: 'converse' }>): Promise<void> {
    const { store, redis, engine } = this.core.opts;
    const api = this.core.plainApi;
    const { inbound, chatId, callback } = action;
    // Answer the button press at once (the client shows a spinner until then) and drop
    // the pressed keyboard so old buttons are not pressed again; both best effort.
    const side: Promise<unknown>[] = [];
    if (callback?.inGroup) {
      // A button under a group message (an alert): the answer goes to the presser's private
      // chat, which only works once they have started the bot; if not, open it for them.
      const known = await store.identities.get('telegram', inbound.userId);
      if (!known) {
        await api.answerCallbackQuery(callback.id, { url: `https://t.me/${this.core.bot.botInfo.username}?start=g` }).catch(() => {});
        return;
      }
      side.push(api.answerCallbackQuery(callback.id, { text: t(known.lang, 'telegram.answered_privately') }).catch(() => {}));
    } else if (callback) {
      side.push(api.answerCallbackQuery(callback.id).catch(() => {}));
      if (callback.chatId && callback.messageId) side.push(api.editMessageReplyMarkup(callback.chatId, callback.messageId).catch(() => {}));
    }
    try {
      if (inbound.payload?.startsWith('h|')) {
        inbound.payload = (await redis.get(this.core.key('cb', inbound.payload.slice(2)))) ?? 'h|expired';
      }
      const result = await engine.handle(inbound);
      const pendingKey = this.core.key('pending', updateId);
      let ops: TelegramOp[];
      if (result.duplicate) {
        // Handled before; send what could not be delivered then, if anything.
        const raw = await redis.get(pendingKey);
        if (!raw) return;
        ops = (JSON.parse(raw) as { ops: TelegramOp[] }).ops;
      } else {
        ops = await this.out.opsFor(result.replies);
      }
      const delivery = await this.out.deliver(chatId, ops, result.lang, this.core.bot.api, 'skip');
      if (delivery.ok || delivery.outcome.kind === 'unreachable') {
        if (result.duplicate) await redis.del(pendingKey);
        return;
      }
      await redis.set(pendingKey, JSON.stringify({ ops: delivery.rest }), 'EX', PENDING_TTL_S);
      throw new DeliveryPendingError(`replies not delivered (${delivery.outcome.kind}: ${delivery.outcome.reason})`);
    } finally {
      await Promise.all(side);
    }
  }

  /** true the first time an update id is seen (for updates that do not go through the engine). */
  private async once(updateId: string): Promise<boolean> {
    return (await this.core.opts.redis.set(this.core.key('done', updateId), '1', 'EX', DONE_TTL_S, 'NX')) === 'OK';
  }
}
