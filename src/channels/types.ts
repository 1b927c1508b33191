import type { Channel } from '../domain/entities.js';
import type { Reply } from '../engine/types.js';

/**
 * What happened to one outbound message. The outbox (jobs/) decides from this alone:
 * retry later, pause the whole channel, stop and mark the recipient, or alert admins.
 */
export type SendOutcome =
  /**
   * `via`: how it went when a platform has several ways (Zalo: 'cs' free consultation,
   * 'cs_paid' consultation 48 h–7 days after the user's last message, 'template', 'zns').
   */
  | { ok: true; platformMessageId?: string; via?: string }
  /** The platform asked us to slow down (Telegram 429, Zalo -32): pause the channel. */
  | { ok: false; kind: 'rate_limited'; retryAfterMs: number; reason: string }
  /** Permanent for this recipient (blocked the bot, unfollowed, outside Zalo's window): do not retry. */
  | { ok: false; kind: 'unreachable'; reason: string }
  /** Network errors, 5xx: retry with backoff. */
  | { ok: false; kind: 'transient'; reason: string }
  /** Our side is wrong (bad token, OA not verified, quota): alert admins, do not retry blindly. */
  | { ok: false; kind: 'config'; reason: string };

/** A platform's outbound side: renders one normalised reply in the platform's best form. */
export interface OutboundChannel {
  readonly channel: Channel;
  send(userId: string, reply: Reply, opts?: { idempotencyKey?: string }): Promise<SendOutcome>;
  /**
   * Optional: replace the content of a message this channel sent earlier (`platformMessageId`
   * from that send's outcome). Telegram: editMessageText. The jobs use it for a broadcast's
   * live progress line; channels without it get occasional new progress messages instead.
   * An outcome of `ok` means the message now shows `reply` (also when it already did).
   */
  edit?(userId: string, platformMessageId: string, reply: Reply): Promise<SendOutcome>;
}
