import express, { type Router } from 'express';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Campaign } from '../../campaign/schema.js';
import type { Config } from '../../config/index.js';
import type { Channel, Lang } from '../../domain/entities.js';
import { hasJoined } from '../../domain/roles.js';
import type { Engine } from '../../engine/engine.js';
import { t, type MsgKey } from '../../i18n.js';
import type { Store } from '../../store/index.js';
import { ZaloApi } from './api.js';
import { ZaloChannel } from './channel.js';
import { normaliseEvent } from './events.js';
import { ZaloInbound } from './inbound.js';
import { ZaloPhones } from './phones.js';
import { ZaloProfiles } from './profiles.js';
import { ZaloTokens, type DownState } from './tokens.js';
import { eventFreshness, MAX_EVENT_BYTES, verifyZaloSignature } from './webhook.js';

export { downloadZaloAttachment } from './download.js';
export { ZaloTokens } from './tokens.js';

/** Zalo is on when its app id, app secret and OA secret key are configured (config checks they come together). */
export function zaloEnabled(config: Config): boolean {
  return !!(config.ZALO_APP_ID && config.ZALO_APP_SECRET && config.ZALO_OA_SECRET_KEY);
}

export interface ZaloDeps {
  config: Config;
  redisUrl: string;
  redis: Redis;
  store: Store;
  engine: Engine;
  campaign: Campaign;
  prefix: string;
  log: Logger;
  now: () => Date;
  /** The app's admin-alert path (src/services/admin-alerts.ts); the token's death and refused configurations go there. */
  alertAdmins: (alert: ZaloAdminAlert) => Promise<unknown>;
  /** Start the inbound worker (default true). */
  worker?: boolean;
}

/** What the Zalo channel asks of the app's admin-alert path: tell admins on other channels, once per `onceKey` and period. */
export interface ZaloAdminAlert {
  about: Channel;
  onceKey: string;
  ttlSeconds: number;
  key: string;
  text(lang: Lang): string;
}

export interface ZaloRuntime {
  channel: ZaloChannel;
  tokens: ZaloTokens;
  api: ZaloApi;
  inbound: ZaloInbound;
  profiles: ZaloProfiles;
  phones: ZaloPhones;
  /** POST /webhooks/zalo */
  routes: Router;
  close(): Promise<void>;
}

/** How often each process checks that the access token is not near expiry (refresh tokens also stay alive). */
const KEEP_FRESH_MS = 30 * 60_000;
/** At most one admin alert per configuration problem in this time. */
const CONFIG_ALERT_EVERY_S = 6 * 3600;

export async function createZalo(deps: ZaloDeps): Promise<ZaloRuntime> {
  const { config, redis, store, prefix, log, now } = deps;
  const zlog = log.child({ channel: 'zalo' });

  /** Tells admins (on the other channels), once per `dedupe` key and period. */
  const alertAdmins = async (key: MsgKey, reason: string, dedupe: string, ttlS: number): Promise<void> => {
    await deps.alertAdmins({
      about: 'zalo',
      onceKey: `${prefix}:zalo:alerted:${dedupe}`,
      ttlSeconds: ttlS,
      key: `zalo-alert.${dedupe}`,
      text: (lang) => t(lang, key, { reason }),
    });
  };

  const tokens = new ZaloTokens({
    redis,
    prefix,
    oauthBase: config.ZALO_OAUTH_BASE,
    appId: config.ZALO_APP_ID!,
    appSecret: config.ZALO_APP_SECRET!,
    bootstrapRefreshToken: config.ZALO_REFRESH_TOKEN,
    now,
    log: zlog,
    onDown: (down: DownState) => alertAdmins('zalo.alert_down', down.reason, `down.${down.at}`, 30 * 24 * 3600),
  });
  await tokens.init();

  const api = new ZaloApi({ apiBase: config.ZALO_API_BASE, znsBase: config.ZALO_ZNS_BASE, tokens, log: zlog });
  const phones = new ZaloPhones(redis, prefix);
  const profiles = new ZaloProfiles(api, redis, prefix, now);
  const channel = new ZaloChannel({
    api,
    redis,
    prefix,
    store,
    campaign: deps.campaign,
    dataDir: config.dataDir,
    phones,
    log: zlog,
    now,
  });
  const inbound = new ZaloInbound({
    redisUrl: deps.redisUrl,
    redis,
    prefix,
    bullPrefix: `${prefix}:bull`,
    engine: deps.engine,
    channel,
    phones,
    profiles,
    log: zlog,
    now,
    onConfigError: (reason) => {
      if (reason.startsWith('zalo_down')) return; // already alerted when it went down
      const code = /^zalo (-?\d+)/.exec(reason)?.[1] ?? reason.split(':')[0]!.slice(0, 40);
      void alertAdmins('zalo.alert_config', reason, `config.${code}`, CONFIG_ALERT_EVERY_S).catch(() => {});
    },
    // With a ZNS template configured, a member (any role) who has not shared a phone is asked
    // once, so reminders can still reach them by phone after 7 silent days.
    afterReplies: async (userId) => {
      if (!deps.campaign.zaloTemplates.zns) return;
      const identity = await store.identities.get('zalo', userId);
      if (!identity || !hasJoined(identity) || identity.unreachable || (await phones.get(userId))) return;
      if ((await redis.set(`${prefix}:zalo:asked-info:${userId}`, now().toISOString(), 'NX')) !== 'OK') return;
      const outcome = await channel.requestUserInfo(userId, identity.lang);
      if (!outcome.ok) zlog.warn({ kind: outcome.kind, reason: outcome.reason }, 'zalo: phone request not sent');
    },
  });
  if (deps.worker !== false) inbound.start();

  // Check the token now (a bad bootstrap token is reported at start, not at the first
  // message), then every 30 minutes.
  void tokens.accessToken().catch(() => {});
  const keepFresh = setInterval(() => {
    void tokens.accessToken().catch(() => {});
  }, KEEP_FRESH_MS);
  keepFresh.unref();

  const routes = express.Router();
  routes.post('/webhooks/zalo', express.raw({ type: () => true, limit: MAX_EVENT_BYTES }), async (req, res, next) => {
    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const check = verifyZaloSignature(raw, req.headers['x-zevent-signature'], config.ZALO_OA_SECRET_KEY!);
    if (!check.ok) {
      // A body that is no signable Zalo event: 400; a missing, malformed or wrong signature: 401.
      const notAnEvent = check.reason === 'not_event';
      zlog.warn({ reason: notAnEvent ? 'not an event' : check.reason }, 'zalo: webhook rejected');
      res.status(notAnEvent ? 400 : 401).json({ error: notAnEvent ? 'not a Zalo event' : 'invalid signature' });
      return;
    }
    // A signed event from outside the replay window is acknowledged (Zalo must not retry it) and dropped.
    const { fresh, ageMs } = eventFreshness(check.event.timestamp, now());
    if (!fresh) {
      const event = typeof check.event.event_name === 'string' ? check.event.event_name.slice(0, 40) : null;
      zlog.warn({ event, ageS: ageMs === null ? null : Math.round(ageMs / 1000) }, 'zalo: event outside the replay window ignored');
      res.status(200).json({ ok: true });
      return;
    }
    const n = normaliseEvent(check.event);
    if (n.kind === 'ignore') {
      res.status(200).json({ ok: true });
      return;
    }
    if (String(check.event.app_id) !== config.ZALO_APP_ID) {
      zlog.warn('zalo: event for another app id ignored');
      res.status(200).json({ ok: true });
      return;
    }
    try {
      // Persisted before we answer: Zalo only redelivers what we did not acknowledge.
      await inbound.enqueue(check.event, n.key);
    } catch (err) {
      next(err);
      return;
    }
    res.status(200).json({ ok: true });
  });

  return {
    channel,
    tokens,
    api,
    inbound,
    profiles,
    phones,
    routes,
    async close() {
      clearInterval(keepFresh);
      await inbound.close();
    },
  };
}
