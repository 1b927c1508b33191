import type { Channel } from '../src/domain/entities.js';
import type { Reply } from '../src/engine/types.js';

/** What one outbox message is (jobs/outbox.ts queues it, jobs/outbox-staging.ts stages it). */

export type MessageKind = 'direct' | 'reminder' | 'alert' | 'broadcast' | 'progress' | 'report' | 'admin';
export type Outcome = 'sent' | 'unreachable' | 'failed' | 'cancelled';

export interface OutboxMessage {
  channel: Channel;
  userId: string;
  reply: Reply;
  /** Idempotency key: a message with a key that was already delivered is never sent again. */
  key: string;
  kind: MessageKind;
  /** Counts are kept per group (`bc-12`, `rem-<campaign>-report-2024-d3` …). */
  ref?: string;
  /** Messages of a broadcast are dropped once it is cancelled. */
  broadcastId?: string;
  /** How long the outcome of `key` is remembered (default DONE_TTL_SECONDS). */
  ttlSeconds?: number;
  /** Send no earlier than this many ms from now (parts of one digest to one chat are spaced). */
  delayMs?: number;
  /** BullMQ priority (keys.ts PRIORITY); 0 = before every prioritised message. */
  priority?: number;
}

export type OutboxJobData = Omit<OutboxMessage, 'delayMs' | 'priority'>;
