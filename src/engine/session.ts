import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { Channel } from '../domain/entities.js';

/** One user's place in a conversation; everything needed to resume after a restart. */
export const sessionSchema = z.object({
  flow: z.string().nullable(),
  step: z.string().nullable(),
  /** Answers so far, by field name. */
  data: z.record(z.string(), z.unknown()),
  /** Steps answered, most recent last: "back" pops it. */
  history: z.array(z.string()),
  /** Set by "sửa N": after that step, jump back to the summary. */
  returnTo: z.string().nullable(),
  /** Flows left through "menu", kept to resume where the user stopped. */
  paused: z
    .record(z.string(), z.object({ step: z.string(), data: z.record(z.string(), z.unknown()), history: z.array(z.string()) }))
    .default({}),
  updatedAt: z.string(),
});
export type Session = z.infer<typeof sessionSchema>;

export const emptySession = (now: Date): Session => ({
  flow: null,
  step: null,
  data: {},
  history: [],
  returnTo: null,
  paused: {},
  updatedAt: now.toISOString(),
});

/** Leaves the current flow; with `keep`, remembers it for resuming. */
export function leaveFlow(session: Session, now: Date, keep: boolean): void {
  const paused = { ...session.paused };
  if (session.flow) {
    if (keep && session.step) paused[session.flow] = { step: session.step, data: session.data, history: session.history };
    else delete paused[session.flow];
  }
  Object.assign(session, emptySession(now), { paused });
}

const SEEN_TTL_S = 7 * 24 * 3600;
const SESSION_TTL_S = 90 * 24 * 3600;

/**
 * Sessions and the "already handled" marks. A message is marked handled in the same
 * MULTI that saves the session it produced, so a crash before that point means the
 * redelivered message is handled again rather than lost.
 */
export class SessionStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private key(channel: Channel, userId: string) {
    return `${this.prefix}:session:${channel}:${userId}`;
  }
  private seenKey(channel: Channel, messageId: string) {
    return `${this.prefix}:seen:${channel}:${messageId}`;
  }
  lockKey(channel: Channel, userId: string) {
    return `${this.prefix}:lock:${channel}:${userId}`;
  }

  async seen(channel: Channel, messageId: string): Promise<boolean> {
    return (await this.redis.exists(this.seenKey(channel, messageId))) === 1;
  }

  async load(channel: Channel, userId: string): Promise<Session | null> {
    const raw = await this.redis.get(this.key(channel, userId));
    if (!raw) return null;
    const parsed = sessionSchema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : null;
  }

  async save(channel: Channel, userId: string, session: Session, handledMessageId?: string): Promise<void> {
    const m = this.redis.multi().set(this.key(channel, userId), JSON.stringify(session), 'EX', SESSION_TTL_S);
    if (handledMessageId) m.set(this.seenKey(channel, handledMessageId), '1', 'EX', SEEN_TTL_S);
    await m.exec();
  }
}
