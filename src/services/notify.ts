import type { OutboundChannel, SendOutcome } from '../channels/types.js';
import type { Channel } from '../domain/entities.js';
import type { Reply } from '../engine/types.js';

export interface Recipient {
  channel: Channel;
  userId: string;
}

/**
 * The one way code outside a conversation reaches a user (a dossier returned, a
 * reminder, an alert). The jobs' outbox will take this over so every such message is
 * rate-limited and sent at most once per idempotency key.
 */
export async function notify(
  outbound: Partial<Record<Channel, OutboundChannel>>,
  to: Recipient,
  reply: Reply,
  idempotencyKey?: string,
): Promise<SendOutcome> {
  const channel = outbound[to.channel];
  if (!channel) return { ok: false, kind: 'config', reason: `channel ${to.channel} is not enabled` };
  return channel.send(to.userId, reply, { idempotencyKey });
}
