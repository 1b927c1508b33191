import { createHash, randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { realClock } from '../../clock.js';
import { requestGrant, ZaloTransientError, type DownState } from './oauth.js';

export { ZaloTransientError, type DownState } from './oauth.js';

/**
 * The OA access token, refreshed with OAuth v4 (docs/zalo.md §7).
 *
 * Refresh tokens are SINGLE-USE: each refresh returns a new pair and kills the old refresh
 * token. So, across every process sharing this Redis:
 *  - one refresh at a time, under a Redis lock whose TTL (60 s) outlasts the HTTP timeout
 *    (20 s) — the known incident was a 10 s lock around a 30 s request;
 *  - after taking the lock, re-read the stored pair: another process may have refreshed;
 *  - store the new pair in Redis (one HSET) before anyone uses it;
 *  - a body without access_token AND refresh_token is a failure, never stored.
 * A refresh that fails for good (dead refresh token, wrong app credentials) marks the
 * channel down, once, and raises an alert; `zalo:set-refresh-token` brings it back.
 *
 * Keys (prefix = the store prefix):
 *   {p}:zalo:tokens       hash  access, refresh, expiresAt (ms), refreshedAt (ms), source, envHash
 *   {p}:zalo:tokens:lock  string  lock holder's random id, PX lockTtlMs
 *   {p}:zalo:down         string  JSON DownState while the channel is down
 * The OAuth request itself and how its answers are classified: oauth.ts.
 */

export interface TokenStatus {
  hasRefreshToken: boolean;
  hasAccessToken: boolean;
  expiresAt: string | null;
  refreshedAt: string | null;
  source: string | null;
  down: DownState | null;
}

/** The channel cannot send until an operator acts (alert already raised). */
export class ZaloDownError extends Error {
  override readonly name = 'ZaloDownError';
  constructor(readonly down: DownState) {
    super(`zalo channel down: ${down.reason}`);
  }
}


export interface ZaloTokensOptions {
  redis: Redis;
  prefix: string;
  oauthBase: string;
  appId: string;
  appSecret: string;
  /** ZALO_REFRESH_TOKEN: used when Redis has none, or when it changes (a new one was given). */
  bootstrapRefreshToken?: string;
  now?: () => Date;
  log: Logger;
  /** Called once when the channel goes down (raise an alert). */
  onDown?: (down: DownState) => Promise<void>;
  lockTtlMs?: number;
  httpTimeoutMs?: number;
  /** Refresh when less than this is left (default 5 h: at 20 h of Zalo's 25 h). */
  refreshMarginMs?: number;
  /** How long this process trusts its copy of the access token before reading Redis again (default 60 s). */
  recheckMs?: number;
}

const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

/** Adopts ZALO_REFRESH_TOKEN when Redis has none or the env token changed. */
const ADOPT = `
local h = redis.call('HGET', KEYS[1], 'envHash')
if h == ARGV[2] then return 0 end
redis.call('HDEL', KEYS[1], 'access', 'expiresAt')
redis.call('HSET', KEYS[1], 'refresh', ARGV[1], 'envHash', ARGV[2], 'source', 'env', 'refreshedAt', ARGV[3])
redis.call('DEL', KEYS[2])
return 1`;

const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** An access token and when it expires (ms). */
type Held = { access: string; expiresAt: number };

export class ZaloTokens {
  readonly keys: { tokens: string; lock: string; down: string };
  private readonly now: () => Date;
  private readonly lockTtlMs: number;
  private readonly httpTimeoutMs: number;
  private readonly marginMs: number;
  private readonly recheckMs: number;
  /** One refresh per process at a time; others in this process wait for it. */
  private inflight: Promise<string> | null = null;
  /**
   * This process's copy of the stored token, so a send reads no Redis. Dropped when Zalo
   * refuses it (refresh re-reads Redis: another process may have rotated it) and re-read
   * after recheckMs, so a rotation or a down state elsewhere is seen here soon after.
   */
  private cached: (Held & { readAt: number }) | null = null;

  constructor(private readonly opts: ZaloTokensOptions) {
    this.keys = { tokens: `${opts.prefix}:zalo:tokens`, lock: `${opts.prefix}:zalo:tokens:lock`, down: `${opts.prefix}:zalo:down` };
    this.now = opts.now ?? realClock.now;
    this.lockTtlMs = opts.lockTtlMs ?? 60_000;
    this.httpTimeoutMs = opts.httpTimeoutMs ?? 20_000;
    this.marginMs = opts.refreshMarginMs ?? 5 * 3600_000;
    this.recheckMs = opts.recheckMs ?? 60_000;
    if (this.lockTtlMs < this.httpTimeoutMs * 2) {
      throw new RangeError('the refresh lock must outlast the OAuth request (lockTtlMs ≥ 2 × httpTimeoutMs)');
    }
  }

  get fingerprint(): string {
    return sha(`${this.opts.appId}\n${this.opts.appSecret}`).slice(0, 16);
  }

  /**
   * At start: adopt ZALO_REFRESH_TOKEN if Redis has none or it changed, and clear a
   * 'config' down state if the app credentials are not the ones that failed.
   */
  async init(): Promise<void> {
    const down = await this.down();
    if (down?.kind === 'config' && down.fingerprint !== this.fingerprint) await this.opts.redis.del(this.keys.down);
    const env = this.opts.bootstrapRefreshToken;
    if (env) {
      await this.withLock(async () => {
        const adopted = await this.opts.redis.eval(ADOPT, 2, this.keys.tokens, this.keys.down, env, sha(env), String(this.now().getTime()));
        if (adopted === 1) this.opts.log.info('zalo: refresh token taken from ZALO_REFRESH_TOKEN');
      });
    } else if (!(await this.opts.redis.hexists(this.keys.tokens, 'refresh')) && !(await this.down())) {
      await this.markDown({ kind: 'missing', reason: 'no refresh token (set ZALO_REFRESH_TOKEN or run zalo:set-refresh-token)' });
    }
  }

  async down(): Promise<DownState | null> {
    const raw = await this.opts.redis.get(this.keys.down);
    return raw ? (JSON.parse(raw) as DownState) : null;
  }

  async status(): Promise<TokenStatus> {
    const h = await this.opts.redis.hgetall(this.keys.tokens);
    const iso = (ms: string | undefined) => (ms ? new Date(Number(ms)).toISOString() : null);
    return {
      hasRefreshToken: !!h.refresh,
      hasAccessToken: !!h.access,
      expiresAt: iso(h.expiresAt),
      refreshedAt: iso(h.refreshedAt),
      source: h.source ?? null,
      down: await this.down(),
    };
  }

  /** A valid access token, refreshed first when it is missing or near expiry. */
  async accessToken(): Promise<string> {
    const now = this.now().getTime();
    const c = this.cached;
    if (c && c.expiresAt - now > this.marginMs && now - c.readAt < this.recheckMs) return c.access;
    this.cached = null;
    // One round trip for both reads.
    const [[downErr, rawDown], [tokensErr, h]] = (await this.opts.redis.pipeline().get(this.keys.down).hgetall(this.keys.tokens).exec()) as [
      [Error | null, string | null],
      [Error | null, Record<string, string>],
    ];
    if (downErr ?? tokensErr) throw downErr ?? tokensErr;
    if (rawDown) throw new ZaloDownError(JSON.parse(rawDown) as DownState);
    if (h.access && Number(h.expiresAt) - now > this.marginMs) return this.remember({ access: h.access, expiresAt: Number(h.expiresAt) });
    return this.refresh(h.access ?? null);
  }

  /**
   * Refreshes unless someone already replaced `stale` (the token that just failed, or null
   * when none is stored / it is near expiry). Resolves to a usable access token.
   */
  refresh(stale: string | null): Promise<string> {
    // Zalo refused our copy: nobody here uses it again.
    if (stale !== null && this.cached?.access === stale) this.cached = null;
    // Within one process, callers share the refresh in flight.
    this.inflight ??= this.refreshAcrossProcesses(stale)
      .then((held) => this.remember(held))
      .finally(() => {
        this.inflight = null;
      });
    return this.inflight;
  }

  private remember(held: Held): string {
    this.cached = { ...held, readAt: this.now().getTime() };
    return held.access;
  }

  /** Operator action (CLI): a new refresh token from a reconnect; the channel comes back up. */
  async setRefreshToken(token: string): Promise<void> {
    const t = token.trim();
    if (!/^[A-Za-z0-9._~+/=-]{10,2000}$/.test(t)) throw new RangeError('that does not look like a Zalo refresh token');
    this.cached = null;
    await this.withLock(async () => {
      await this.opts.redis
        .multi()
        .hdel(this.keys.tokens, 'access', 'expiresAt')
        .hset(this.keys.tokens, { refresh: t, source: 'cli', refreshedAt: String(this.now().getTime()) })
        .del(this.keys.down)
        .exec();
    });
  }

  private usable(h: Record<string, string>, stale: string | null): Held | null {
    const expiresAt = Number(h.expiresAt);
    const left = expiresAt - this.now().getTime();
    if (!h.access) return null;
    if (stale === null) return left > this.marginMs ? { access: h.access, expiresAt } : null;
    // Someone replaced the token that failed: use theirs while it lives.
    return h.access !== stale && left > 0 ? { access: h.access, expiresAt } : null;
  }

  private async refreshAcrossProcesses(stale: string | null): Promise<Held> {
    return this.withLock(async () => {
      const down = await this.down();
      if (down) throw new ZaloDownError(down);
      const h = await this.opts.redis.hgetall(this.keys.tokens);
      const fresh = this.usable(h, stale);
      if (fresh) return fresh;
      if (!h.refresh) {
        throw new ZaloDownError(await this.markDown({ kind: 'missing', reason: 'no refresh token (set ZALO_REFRESH_TOKEN or run zalo:set-refresh-token)' }));
      }
      const { oauthBase, appId, appSecret, log } = this.opts;
      const answer = await requestGrant({ oauthBase, appId, appSecret, log, httpTimeoutMs: this.httpTimeoutMs, fingerprint: this.fingerprint }, h.refresh);
      if (answer.ok) {
        const { grant } = answer;
        const at = this.now().getTime();
        const expiresAt = at + grant.expiresInS * 1000;
        // Stored before it is used; one HSET, so nobody sees half a pair.
        await this.opts.redis.hset(this.keys.tokens, {
          access: grant.access,
          refresh: grant.refresh,
          expiresAt: String(expiresAt),
          refreshedAt: String(at),
          source: 'refresh',
        });
        this.opts.log.info({ expiresInS: grant.expiresInS }, 'zalo: access token refreshed');
        return { access: grant.access, expiresAt };
      }
      // A refused refresh token may have been spent by a process whose lock we outlived:
      // if the stored one changed meanwhile, theirs is the live pair.
      const again = await this.opts.redis.hgetall(this.keys.tokens);
      if (again.refresh && again.refresh !== h.refresh && again.access) return { access: again.access, expiresAt: Number(again.expiresAt) };
      throw new ZaloDownError(await this.markDown(answer.down));
    });
  }

  private async markDown(d: Omit<DownState, 'at'>): Promise<DownState> {
    const down: DownState = { ...d, at: this.now().toISOString() };
    // NX: the first process to see the failure raises the one alert.
    const first = await this.opts.redis.set(this.keys.down, JSON.stringify(down), 'NX');
    if (first === 'OK') {
      this.opts.log.error({ kind: down.kind, reason: down.reason }, 'zalo: channel down until a new refresh token is given');
      await this.opts.onDown?.(down).catch((err: Error) => this.opts.log.error({ err: err.message }, 'zalo: down alert failed'));
      return down;
    }
    return (await this.down()) ?? down;
  }

  private async withLock<T>(fn: () => Promise<T>): Promise<T> {
    const { redis } = this.opts;
    const id = randomUUID();
    const deadline = Date.now() + this.lockTtlMs + 5_000; // host clock: how long to wait for the lock
    let delay = 20;
    while ((await redis.set(this.keys.lock, id, 'PX', this.lockTtlMs, 'NX')) !== 'OK') {
      if (Date.now() > deadline) throw new ZaloTransientError('zalo token lock busy'); // host clock: how long to wait for the lock
      await sleep(delay);
      delay = Math.min(delay * 2, 100);
    }
    try {
      return await fn();
    } finally {
      await redis.eval(RELEASE, 1, this.keys.lock, id).catch(() => {});
    }
  }
}
