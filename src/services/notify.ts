import { randomUUID } from 'node:crypto';
import type { Channel } from '../domain/entities.js';
import type { SendOutcome } from '../engine/ports.js';
import type { Reply } from '../engine/types.js';

export interface Recipient {
  channel: Channel;
  userId: string;
}

/**
 * What `notify` and the outbox's `enqueue` answer: accepted for delivery (`queued: false`
 * when the key had already been delivered or is already queued), or the channel is not
 * enabled here. Assignable to SendOutcome, so it fits callers written against a direct send.
 */
export type NotifyOutcome = { ok: true; queued: boolean; jobId: string } | { ok: false; kind: 'config'; reason: string };

/** One message for the outbox, as notify() hands it over. */
export interface DirectMessage extends Recipient {
  reply: Reply;
  key: string;
  kind: 'direct';
  ref: 'direct';
}

/** What notify() needs of the outbox (jobs/outbox.ts implements it). */
export interface OutboxPort {
  enqueue(message: DirectMessage): Promise<NotifyOutcome>;
}

/** Channels that send at once, by platform (the app's outbound channels). */
export type DirectSenders = Partial<Record<Channel, { send(userId: string, reply: Reply, opts?: { idempotencyKey?: string }): Promise<SendOutcome> }>>;

/**
 * The one way code outside a conversation reaches a user (a dossier returned, a
 * reminder, an alert): the message goes into the outbox of the recipient's channel
 * (jobs/outbox.ts), which sends it at the platform's rate, waits out 429s, and sends a
 * given idempotency key at most once (a second notify with the same key is a no-op).
 *
 * The answer comes before the send: `ok` means accepted for delivery (assignable to
 * SendOutcome); `{ ok: false, kind: 'config' }` means the channel is not enabled here.
 * Without a key every call is a new message.
 *
 * Pass the app's outbox (`app.jobs.outbox`). A map of channels (the pre-outbox
 * signature) still works and sends at once, without rate limit or once-only guarantee:
 * only for code that must not wait for a worker (admin alerts, admin-alerts.ts).
 */
export async function notify(outbox: OutboxPort | DirectSenders, to: Recipient, reply: Reply, idempotencyKey?: string): Promise<NotifyOutcome | SendOutcome> {
  if (!('enqueue' in outbox) || typeof outbox.enqueue !== 'function') {
    const channel = (outbox as DirectSenders)[to.channel];
    if (!channel) return { ok: false, kind: 'config', reason: `channel ${to.channel} is not enabled` };
    return channel.send(to.userId, reply, { idempotencyKey });
  }
  return (outbox as OutboxPort).enqueue({
    channel: to.channel,
    userId: to.userId,
    reply,
    key: idempotencyKey ?? `direct|${randomUUID()}`,
    kind: 'direct',
    ref: 'direct',
  });
}
