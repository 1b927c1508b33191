import type { Channel, Identity } from '../domain/entities.js';
import type { SendOutcome } from '../engine/ports.js';
import type { Reply } from '../engine/types.js';

export type { SendOutcome } from '../engine/ports.js';

/** The kinds of pre-approved template a reply may carry parameters for. */
export type TemplateKind = NonNullable<Reply['template']>['kind'];

/**
 * A platform's outbound side: renders one normalised reply in the platform's best form.
 * The jobs reach platforms only through this port.
 */
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
  /**
   * Optional: whether a message carrying a `template` of this kind could reach the person at
   * `now`, by the platform's own rule (Zalo: its messaging window, then the campaign's
   * templates). Without it, everyone not marked unreachable is reachable.
   */
  reachable?(identity: Identity, now: Date, template?: TemplateKind): boolean;
}
