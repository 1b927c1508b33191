import { createHash } from 'node:crypto';
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
 * Takes a user's lock and, in the same round trip, tells whether the message was handled
 * and returns the session. KEYS: lock, seen, session; ARGV: token, lock ttl (ms).
 * Returns {0} when the lock is held, {1, seen} or {1, seen, session}.
 */
const ENTER_LUA = `
if not redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2], 'NX') then return {0} end
local session = redis.call('GET', KEYS[3])
if session then return {1, redis.call('EXISTS', KEYS[2]), session} end
return {1, redis.call('EXISTS', KEYS[2])}
`;
/**
 * Saves the session, marks the message handled and releases the lock (if still ours),
 * atomically. KEYS: session, seen, lock; ARGV: session json, session ttl, seen ttl, token, mark.
 */
const EXIT_LUA = `
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
if ARGV[5] == '1' then redis.call('SET', KEYS[2], '1', 'EX', ARGV[3]) end
if redis.call('GET', KEYS[3]) == ARGV[4] then redis.call('DEL', KEYS[3]) end
return 1
`;
const RELEASE_LUA = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;
const sha1 = (s: string) => createHash('sha1').update(s).digest('hex');
const SCRIPTS = { enter: [ENTER_LUA, sha1(ENTER_LUA)], exit: [EXIT_LUA, sha1(EXIT_LUA)], release: [RELEASE_LUA, sha1(RELEASE_LUA)] } as const;

/** EVALSHA, loading the script once when the server does not know it (restart, SCRIPT FLUSH). */
async function run(redis: Redis, [lua, sha]: readonly [string, string], keys: string[], args: (string | number)[]): Promise<unknown> {
  try {
    return await redis.evalsha(sha, keys.length, ...keys, ...args);
  } catch (err) {
    if (!(err instanceof Error) || !/NOSCRIPT/.test(err.message)) throw err;
    return redis.eval(lua, keys.length, ...keys, ...args);
  }
}

function parseSession(raw: string | null | undefined): Session | null {
  if (!raw) return null;
  const parsed = sessionSchema.safeParse(JSON.parse(raw));
  return parsed.success ? parsed.data : null;
}

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
    return parseSession(await this.redis.get(this.key(channel, userId)));
  }

  /** One round trip: the lock if free (else `acquired: false`), whether the message was handled, the session. */
  async enter(
    channel: Channel,
    userId: string,
    messageId: string,
    token: string,
    ttlMs: number,
  ): Promise<{ acquired: false } | { acquired: true; seen: boolean; session: Session | null }> {
    const r = (await run(this.redis, SCRIPTS.enter, [this.lockKey(channel, userId), this.seenKey(channel, messageId), this.key(channel, userId)], [token, ttlMs])) as [
      number,
      number?,
      string?,
    ];
    if (r[0] !== 1) return { acquired: false };
    return { acquired: true, seen: r[1] === 1, session: parseSession(r[2]) };
  }

  /** One round trip, atomic: save the session, mark the message handled, release the lock if it is still ours. */
  async exit(channel: Channel, userId: string, session: Session, handledMessageId: string, token: string): Promise<void> {
    await run(
      this.redis,
      SCRIPTS.exit,
      [this.key(channel, userId), this.seenKey(channel, handledMessageId), this.lockKey(channel, userId)],
      [JSON.stringify(session), SESSION_TTL_S, SEEN_TTL_S, token, handledMessageId ? '1' : '0'],
    );
  }

  /** Releases the lock if it is still ours (compare-and-delete). */
  async release(channel: Channel, userId: string, token: string): Promise<void> {
    await run(this.redis, SCRIPTS.release, [this.lockKey(channel, userId)], [token]);
  }

  async save(channel: Channel, userId: string, session: Session, handledMessageId?: string): Promise<void> {
    const m = this.redis.multi().set(this.key(channel, userId), JSON.stringify(session), 'EX', SESSION_TTL_S);
    if (handledMessageId) m.set(this.seenKey(channel, handledMessageId), '1', 'EX', SEEN_TTL_S);
    await m.exec();
  }
}
