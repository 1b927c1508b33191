import { createHash } from 'node:crypto';
import type { Channel } from '../src/domain/entities.js';

/**
 * Names and keys of the jobs (docs/jobs.md). BullMQ keeps its own keys under
 * `${prefix}:bull:<queue>:…`; ours live next to the store's, under `${prefix}:`, so a
 * prefix with a Redis Cluster hash tag keeps each multi-key script in one slot.
 */

export const QUEUES = {
  outbox: (channel: Channel) => `outbox-${channel}`,
  /** Reminder and alert passes, the catch-up sweep, per-event alerts. */
  schedule: 'schedule',
  /** One step job per broadcast (fan-out in windows, progress, final report). */
  broadcast: 'broadcast',
} as const;

/** BullMQ's `prefix` option: queues of different apps/tests never meet. */
export const bullPrefix = (prefix: string) => `${prefix}:bull`;

/**
 * BullMQ job id of an outbox message: derived from its idempotency key, so adding the
 * same message twice is a no-op while the job exists. Ids must not contain ':' nor be
 * all digits: base64url of a hash behind a letter is neither.
 */
export function messageJobId(key: string): string {
  return `m${createHash('sha256').update(key).digest('base64url').slice(0, 32)}`;
}

/** A job id made of parts: every ':' (and anything outside [A-Za-z0-9_.-]) becomes '_'. */
export function safeJobId(...parts: (string | number)[]): string {
  return parts.map((p) => String(p).replace(/[^A-Za-z0-9_.-]/g, '_')).join('-');
}

/**
 * Outbox priorities (BullMQ: no priority is served first, then 1, 2, … in order).
 * Messages to one person (a dossier returned, an admin's progress line) go first, a
 * 10,000-recipient broadcast never holds up a reminder.
 */
export const PRIORITY = { direct: 0, alert: 2, reminder: 5, broadcast: 10 } as const;

export function jobKeys(prefix: string) {
  const p = prefix;
  return {
    /** The final outcome of a message key (`ok:<platform message id>`, `unreachable`, `failed:<why>`, `cancelled`). */
    done: (key: string) => `${p}:outbox:done:${key}`,
    /** Set while a send is in progress; still there on retry = the previous attempt died mid-send. */
    inflight: (key: string) => `${p}:outbox:inflight:${key}`,
    /** Counts per group of messages (`bc-12`, `rem-…`), fields `<channel>.<outcome>`. */
    stats: (ref: string) => `${p}:outbox:stats:${ref}`,
    /** Staged messages of a channel, oldest first (outbox-staging.ts), and the set of their keys. */
    staged: (channel: Channel) => `${p}:outbox:staged:${channel}`,
    stagedKeys: (channel: Channel) => `${p}:outbox:staged:${channel}:keys`,
    /** Held by the one process moving a channel's staged messages into its queue. */
    feedLock: (channel: Channel) => `${p}:outbox:staged:${channel}:lock`,
    /** Counts per channel since the start, fields `<channel>.<outcome>`. */
    totals: `${p}:outbox:totals`,
    /** One admin alert per configuration problem per day. */
    configAlerted: (hash: string) => `${p}:outbox:cfgalert:${hash}`,
    /** The daily files cleanup ran on this Vietnam date. */
    cleanedOn: (date: string) => `${p}:files:cleaned:${date}`,

    broadcastSeq: `${p}:bc:seq`,
    broadcast: (id: string) => `${p}:bc:${id}`,
    broadcastTo: (id: string, channel: Channel) => `${p}:bc:${id}:to:${channel}`,
    broadcastsRunning: `${p}:bc:running`,
    broadcastsAll: `${p}:bc:all`,
  };
}
export type JobKeys = ReturnType<typeof jobKeys>;

/**
 * How long the outcome of a message key is remembered by default (a broadcast, a
 * notification). Reminders keep theirs until a week after their deadline, so a
 * catch-up sweep never sends the same reminder again.
 */
export const DONE_TTL_SECONDS = 35 * 86_400;
