import { createHash } from 'node:crypto';
import type { Api, Bot } from 'grammy';
import type { UserFromGetMe } from 'grammy/types';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Engine } from '../../engine/engine.js';
import type { Store } from '../../store/index.js';

/** The update types we ask Telegram for (setWebhook and getUpdates). */
export { ALLOWED_UPDATES } from './constants.js';

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

/** What the parts of the Telegram channel (inbound, outbound, group admin, downloads) share. */
export interface TelegramCore {
  readonly opts: TelegramChannelOptions;
  /** grammY bot; its `api` waits out short 429s (conversation replies). */
  readonly bot: Bot;
  /** Without retries: for send(), where the outbox decides what a 429 means. */
  readonly plainApi: Api;
  readonly now: () => Date;
  /** Redis key under `{prefix}:tg:`. */
  key(...parts: string[]): string;
}

export const sha = (s: string) => createHash('sha256').update(s).digest('base64url');

export function errMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
