import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { CHANNELS, type Channel } from '../domain/entities.js';

/**
 * One-time login links and the sessions they open (docs/dashboard.md). Only SHA-256 hashes of
 * tokens and session ids are stored, so a copy of Redis opens nothing. A link is consumed by
 * GETDEL (one winner, however many tabs race) and also refused after `expiresAt` on the app's
 * clock (the demo clock moves it; Redis's TTL cleans up in real time).
 */

export const LOGIN_MINUTES = 10;
export const SESSION_HOURS = 8;

const who = z.object({ channel: z.enum(CHANNELS), userId: z.string().min(1), expiresAt: z.string() });
const sessionSchema = who.extend({ csrf: z.string().min(32), createdAt: z.string() });

export type Session = z.infer<typeof sessionSchema>;
export interface Person {
  channel: Channel;
  userId: string;
}

/** 256 random bits, URL-safe. */
const secret = () => randomBytes(32).toString('base64url');
const hash = (s: string) => createHash('sha256').update(s).digest('hex');
/** What a token or session id looks like; anything else is refused without a Redis call. */
const WELL_FORMED = /^[A-Za-z0-9_-]{43}$/;

export function webKeys(prefix: string) {
  return {
    login: (token: string) => `${prefix}:web:login:${hash(token)}`,
    session: (id: string) => `${prefix}:web:session:${hash(id)}`,
  };
}

export class WebLogins {
  private readonly k: ReturnType<typeof webKeys>;

  constructor(
    private readonly redis: Redis,
    prefix: string,
    private readonly now: () => Date,
  ) {
    this.k = webKeys(prefix);
  }

  /** A new login token for this person, valid LOGIN_MINUTES. */
  async issue(p: Person): Promise<string> {
    const token = secret();
    const expiresAt = new Date(this.now().getTime() + LOGIN_MINUTES * 60_000).toISOString();
    await this.redis.set(this.k.login(token), JSON.stringify({ channel: p.channel, userId: p.userId, expiresAt }), 'EX', LOGIN_MINUTES * 60);
    return token;
  }

  /** Whether the token would still open a session (the page before the button; nothing is used up). */
  async usable(token: string): Promise<boolean> {
    if (!WELL_FORMED.test(token)) return false;
    const rec = who.safeParse(JSON.parse((await this.redis.get(this.k.login(token))) ?? 'null'));
    return rec.success && Date.parse(rec.data.expiresAt) > this.now().getTime();
  }

  /** Uses the token up (atomically: GETDEL) and says whose it was; null when unknown, used or expired. */
  async consume(token: string): Promise<Person | null> {
    if (!WELL_FORMED.test(token)) return null;
    const rec = who.safeParse(JSON.parse((await this.redis.getdel(this.k.login(token))) ?? 'null'));
    if (!rec.success || Date.parse(rec.data.expiresAt) <= this.now().getTime()) return null;
    return { channel: rec.data.channel, userId: rec.data.userId };
  }

  /** A new session for this person: its id (the cookie) and the record (with its CSRF token). */
  async open(p: Person): Promise<{ id: string; session: Session }> {
    const id = secret();
    const now = this.now();
    const session: Session = { channel: p.channel, userId: p.userId, csrf: secret(), createdAt: now.toISOString(), expiresAt: new Date(now.getTime() + SESSION_HOURS * 3600_000).toISOString() };
    await this.redis.set(this.k.session(id), JSON.stringify(session), 'EX', SESSION_HOURS * 3600);
    return { id, session };
  }

  async session(id: string | undefined): Promise<Session | null> {
    if (!id || !WELL_FORMED.test(id)) return null;
    const rec = sessionSchema.safeParse(JSON.parse((await this.redis.get(this.k.session(id))) ?? 'null'));
    if (!rec.success || Date.parse(rec.data.expiresAt) <= this.now().getTime()) return null;
    return rec.data;
  }

  async close(id: string): Promise<void> {
    if (WELL_FORMED.test(id)) await this.redis.del(this.k.session(id));
  }
}

/** Constant-time comparison of a form's CSRF token with the session's. */
export function sameToken(given: unknown, expected: string): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
