import { autoRetry } from '@grammyjs/auto-retry';
import { Api, Bot, BotError } from 'grammy';
import type { Update, UserFromGetMe } from 'grammy/types';
import type { InboundAttachment, Reply } from '../../engine/types.js';
import type { GroupLinksRepo } from '../../store/group-links.js';
import type { OutboundChannel, SendOutcome } from '../types.js';
import { telegramFetcher } from './downloads.js';
import { TelegramGroupAdmin } from './group-admin.js';
import { TelegramInbound } from './inbound.js';
import { TelegramOutbound } from './outbound.js';
import { ALLOWED_UPDATES, errMessage, type TelegramChannelOptions, type TelegramCore } from './shared.js';
import { createBotApiTransport } from './transport.js';
import { realClock } from '../../clock.js';

export { ALLOWED_UPDATES, type TelegramChannelOptions } from './shared.js';
export { DeliveryPendingError } from './inbound.js';

/**
 * The Telegram channel: a grammY bot whose only middleware hands each update to the
 * inbound side (inbound.ts: normalise → engine → replies; group commands in
 * group-admin.ts), and the OutboundChannel the outbox and notify() send through
 * (outbound.ts). Attachments are fetched by downloads.ts.
 */
export class TelegramChannel implements OutboundChannel {
  readonly channel = 'telegram' as const;
  readonly bot: Bot;
  /** Staff group chats linked to an office (the store's repository). */
  readonly groups: GroupLinksRepo;
  /** The engine's fetcher for channel 'telegram'. */
  readonly fetch: (a: InboundAttachment) => Promise<Buffer>;
  private readonly core: TelegramCore;
  private readonly out: TelegramOutbound;
  private readonly inbound: TelegramInbound;
  private readonly transport: ReturnType<typeof createBotApiTransport>;
  private polling = false;

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
    this.core = {
      opts,
      bot: this.bot,
      plainApi: new Api(opts.token, client),
      now: opts.now ?? realClock.now,
      key: (...parts) => [opts.prefix, 'tg', ...parts].join(':'),
    };
    this.groups = opts.store.groupLinks;
    this.out = new TelegramOutbound(this.core);
    this.inbound = new TelegramInbound(this.core, this.out, new TelegramGroupAdmin(this.core));
    this.fetch = telegramFetcher(this.core, apiRoot);
    this.bot.use(async (ctx) => {
      if (this.polling) await this.processWithRetries(ctx.update);
      else await this.process(ctx.update);
    });
    this.bot.catch((err) => this.opts.log.error({ err: errMessage(err.error), update: err.ctx.update.update_id }, 'telegram update dropped'));
  }

  /** The channel's down state (the Bot API refused the token), for /healthz. */
  down(): Promise<{ reason: string; since: string } | null> {
    return this.out.down();
  }

  send(userId: string, reply: Reply, opts?: { idempotencyKey?: string }): Promise<SendOutcome> {
    return this.out.send(userId, reply, opts);
  }

  edit(userId: string, platformMessageId: string, reply: Reply): Promise<SendOutcome> {
    return this.out.edit(userId, platformMessageId, reply);
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

  /** One update, whatever its shape; throws only when it must be delivered again. */
  process(update: Update): Promise<void> {
    return this.inbound.process(update);
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
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
