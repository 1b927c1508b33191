import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Channel, Lang } from '../domain/entities.js';
import type { Store } from '../store/index.js';
import { notify, type DirectSenders } from './notify.js';

/** One problem operators must hear about (a channel's token is dead, its configuration is refused). */
export interface AdminAlert {
  /** The channel the problem is about: admins are not told through it. */
  about: Channel;
  /** Redis key that makes the alert go out once … */
  onceKey: string;
  /** … per this many seconds. */
  ttlSeconds: number;
  /** Idempotency key of the messages (the recipient is appended). */
  key: string;
  text(lang: Lang): string;
}

export interface AdminAlertDeps {
  store: Pick<Store, 'identities'>;
  redis: Redis;
  log: Logger;
  /** The app's outbound channels, whichever are enabled at the time of the alert. */
  senders: () => DirectSenders;
}

/**
 * The one admin-alert path (the jobs' configuration alerts and the Zalo channel's token
 * and configuration alerts both come here). Admins on Telegram hear first; if there are
 * none, every admin on another enabled channel. Sent at once through the channels, not
 * the outbox: an alert that a channel is failing must not wait for a worker or behind a
 * channel's queue. Returns how many admins were told, null when this alert went out already.
 */
export async function alertAdmins(deps: AdminAlertDeps, alert: AdminAlert): Promise<number | null> {
  if ((await deps.redis.set(alert.onceKey, '1', 'EX', alert.ttlSeconds, 'NX')) !== 'OK') return null;
  const senders = deps.senders();
  const admins = (await deps.store.identities.listByRole('admin')).filter((a) => !a.unreachable && a.channel !== alert.about && senders[a.channel]);
  const telegram = admins.filter((a) => a.channel === 'telegram');
  let told = 0;
  for (const admin of telegram.length ? telegram : admins) {
    const outcome = await notify(senders, admin, { text: alert.text(admin.lang) }, `${alert.key}|${admin.channel}|${admin.userId}`).catch(
      (err: Error) => ({ ok: false as const, kind: 'transient' as const, reason: err.message }),
    );
    if (outcome.ok) told++;
    else deps.log.warn({ about: alert.about, to: admin.channel, kind: outcome.kind }, 'admin alert not delivered');
  }
  return told;
}

