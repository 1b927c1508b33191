import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { Channel } from '../domain/entities.js';
import type { IdentityRef } from '../store/identities.js';

/** The role and unit a flow was started under; it ends if they change (engine.mayContinue). */
const grantSchema = z.object({ role: z.string().nullable(), unitId: z.string().nullable() });
export type Grant = z.infer<typeof grantSchema>;

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
  grant: grantSchema.nullable().default(null),
  /** What the flow was started on (`/hoso 12`, `go|review_accept|n_12`): it acts on this and nothing else. */
  args: z.string().nullable().default(null),
  /** A deep link pressed in the middle of a flow, waiting for "Có" / "Không" (engine.askSwitch). */
  switchTo: z.object({ flow: z.string(), args: z.string().nullable() }).nullable().default(null),
  /**
   * Flows left through "menu", kept to resume where the user stopped; keyed by pausedKey(flow, args),
   * so a flow paused on one target is never resumed for another.
   */
  paused: z
    .record(
      z.string(),
      z.object({
        step: z.string(),
        data: z.record(z.string(), z.unknown()),
        history: z.array(z.string()),
        grant: grantSchema.nullable().default(null),
        /** Absent in sessions saved before targets were kept: the key is then the flow id. */
        flow: z.string().optional(),
        args: z.string().nullable().default(null),
        at: z.string().optional(),
      }),
    )
    .default({}),
  /** The page of a long list shown on paging channels (src/engine/pages.ts), while question `at` is asked. */
  page: z.object({ at: z.string(), n: z.number().int().min(0) }).nullable().default(null),
  /** The link buttons of the message-only flow just shown (Chấp nhận under /hoso 12 …): typed at the menu under it, they are pressed. */
  links: z.array(z.object({ label: z.string(), payload: z.string() })).default([]),
  updatedAt: z.string(),
});
export type Session = z.infer<typeof sessionSchema>;

export const emptySession = (now: Date): Session => ({
  flow: null,
  step: null,
  data: {},
  history: [],
  returnTo: null,
  grant: null,
  args: null,
  switchTo: null,
  paused: {},
  page: null,
  links: [],
  updatedAt: now.toISOString(),
});

/** Where a paused flow is kept: its id, and the target it was started on. */
export const pausedKey = (flow: string, args: string | null) => (args === null ? flow : `${flow}|${args}`);

/**
 * The paused flow a start of `flow` resumes. Started on a target (`args`): only one paused on
 * that same target. Started by its name alone (menu, `/dexuat`): the one paused without a
 * target, else the one of that flow paused last.
 */
export function findPaused(session: Session, flow: string, args: string | null): { key: string; entry: Session['paused'][string] } | null {
  const exact = session.paused[pausedKey(flow, args)];
  if (exact) return { key: pausedKey(flow, args), entry: exact };
  if (args !== null) return null;
  const same = Object.entries(session.paused)
    .filter(([key, e]) => (e.flow ?? key) === flow)
    .sort(([, a], [, b]) => (a.at ?? '').localeCompare(b.at ?? ''));
  const last = same.at(-1);
  return last ? { key: last[0], entry: last[1] } : null;
}

/** Leaves the current flow; with `keep`, remembers it (and its target) for resuming. */
export function leaveFlow(session: Session, now: Date, keep: boolean): void {
  const paused = { ...session.paused };
  if (session.flow) {
    const key = pausedKey(session.flow, session.args);
    if (keep && session.step)
      paused[key] = { step: session.step, data: session.data, history: session.history, grant: session.grant, flow: session.flow, args: session.args, at: now.toISOString() };
    else delete paused[key];
  }
  Object.assign(session, emptySession(now), { paused });
}

/**
 * What `enter` found. `sessionJson` is the session as stored (a ready copy for undoing a
 * failed step); `identity` is the stored identity record (JSON) for the store to decode.
 */
export type Entered =
  | { kind: 'entered'; seen: boolean; session: Session | null; sessionJson: string | null; identity: string | null }
  | { kind: 'busy' }
  /** The user is paused by the flood guard: say nothing. */
  | { kind: 'paused' }
  /** This message crossed the flood limit: one notice (in the identity's language). */
  | { kind: 'flooded'; identity: string | null };

/** How long a handled message id is remembered (Zalo's replay window must stay shorter: channels/zalo/webhook.ts). */
export const SEEN_TTL_S = 7 * 24 * 3600;
const SESSION_TTL_S = 90 * 24 * 3600;

/**
 * Everything a message needs before its step, in one round trip and atomically:
 * the flood count, the user's lock, whether the message was handled, the session and
 * the identity record. The flood counter lives for a minute from the user's first
 * message; the message that crosses the limit stretches it to the pause, so every
 * later one in that time is over the limit too (one notice, then silence).
 * KEYS: lock, seen, session, identity, flood counter.
 * ARGV: token, lock ttl (ms), flood limit ('0': no count), flood pause (s).
 * Returns {0} lock held · {1, seen, session, identity} · {2} paused · {3, identity} just flooded.
 */
const ENTER_LUA = `
if ARGV[3] ~= '0' then
  local n = redis.call('INCR', KEYS[5])
  if n == 1 then redis.call('EXPIRE', KEYS[5], 60) end
  local limit = tonumber(ARGV[3])
  if n == limit + 1 then
    redis.call('EXPIRE', KEYS[5], ARGV[4])
    return {3, redis.call('GET', KEYS[4])}
  end
  if n > limit then return {2} end
end
if not redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2], 'NX') then return {0} end
local v = redis.call('MGET', KEYS[2], KEYS[3], KEYS[4])
return {1, v[1], v[2], v[3]}
`;
/**
 * Saves the session, marks the message handled, records the user's last inbound time
 * and releases the lock (if still ours), atomically.
 * KEYS: session, seen, lock, identity last-inbound hash.
 * ARGV: session json, session ttl, seen ttl, token, mark ('1'/'0'), identity member, inbound time ('' = none).
 */
const EXIT_LUA = `
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
if ARGV[5] == '1' then redis.call('SET', KEYS[2], '1', 'EX', ARGV[3]) end
if ARGV[7] ~= '' then redis.call('HSET', KEYS[4], ARGV[6], ARGV[7]) end
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

  /**
   * One round trip before a step: the flood count (when `flood` is given), the lock if free,
   * whether the message was handled, the session and the stored identity (raw).
   */
  async enter(e: {
    channel: Channel;
    userId: string;
    messageId: string;
    token: string;
    ttlMs: number;
    identity: IdentityRef;
    flood?: { limit: number; pauseS: number };
  }): Promise<Entered> {
    const r = (await run(
      this.redis,
      SCRIPTS.enter,
      [this.lockKey(e.channel, e.userId), this.seenKey(e.channel, e.messageId), this.key(e.channel, e.userId), e.identity.key, `${this.prefix}:flood:${e.channel}:${e.userId}`],
      [e.token, e.ttlMs, e.flood ? e.flood.limit : 0, e.flood?.pauseS ?? 0],
    )) as [number, ...(string | null)[]];
    switch (r[0]) {
      case 1: {
        const session = parseSession(r[2]);
        return { kind: 'entered', seen: r[1] !== null, session, sessionJson: session ? r[2]! : null, identity: r[3] ?? null };
      }
      case 2:
        return { kind: 'paused' };
      case 3:
        return { kind: 'flooded', identity: r[1] ?? null };
      default:
        return { kind: 'busy' };
    }
  }

  /**
   * One round trip, atomic: save the session, mark the message handled, record the last
   * inbound time (when given), release the lock if it is still ours.
   */
  async exit(e: { channel: Channel; userId: string; session: Session; messageId: string; token: string; identity: IdentityRef; inboundAt?: Date }): Promise<void> {
    await run(
      this.redis,
      SCRIPTS.exit,
      [this.key(e.channel, e.userId), this.seenKey(e.channel, e.messageId), this.lockKey(e.channel, e.userId), e.identity.lastInboundKey],
      [JSON.stringify(e.session), SESSION_TTL_S, SEEN_TTL_S, e.token, e.messageId ? '1' : '0', e.identity.member, e.inboundAt?.toISOString() ?? ''],
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
