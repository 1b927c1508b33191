import { randomUUID } from 'node:crypto';
import type { Outbox, NotifyOutcome } from '../../jobs/outbox.js';
import type { OutboundChannel, SendOutcome } from '../channels/types.js';
import type { Channel } from '../domain/entities.js';
import type { Reply } from '../engine/types.js';

export interface Recipient {
  channel: Channel;
  userId: string;
}

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
 * only for code that runs where no outbox exists.
 */
export async function notify(
  outbox: Pick<Outbox, 'enqueue'> | Partial<Record<Channel, OutboundChannel>>,
  to: Recipient,
  reply: Reply,
  idempotencyKey?: string,
): Promise<NotifyOutcome | SendOutcome> {
  if (!('enqueue' in outbox) || typeof outbox.enqueue !== 'function') {
    const channel = (outbox as Partial<Record<Channel, OutboundChannel>>)[to.channel];
    if (!channel) return { ok: false, kind: 'config', reason: `channel ${to.channel} is not enabled` };
    return channel.send(to.userId, reply, { idempotencyKey });
  }
  return (outbox as Pick<Outbox, 'enqueue'>).enqueue({
    channel: to.channel,
    userId: to.userId,
    reply,
    key: idempotencyKey ?? `direct|${randomUUID()}`,
    kind: 'direct',
    ref: 'direct',
  });
}
