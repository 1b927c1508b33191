import { isIPv6 } from 'node:net';
import type { RequestHandler } from 'express';
import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { t } from '../i18n.js';

export interface IpLimitOptions {
  redis: Redis;
  prefix: string;
  /** Requests per client per minute (HTTP_REQUESTS_PER_MINUTE). */
  perMinute: number;
  /** Paths that are never limited. */
  exempt: (path: string) => boolean;
  /** Called for each refused request (a metric); never given the address. */
  onLimited?: () => void;
}

/**
 * Per-client request limit on the public routes, shared by every replica through Redis
 * (rate-limiter-flexible, fixed one-minute windows). The client is express's `req.ip`:
 * the socket address unless TRUST_PROXY names the proxies allowed to say otherwise.
 * An address over its limit is then refused from memory, without a Redis call; while
 * Redis fails, each process limits on its own.
 */
export function ipLimit(opts: IpLimitOptions): RequestHandler {
  const points = opts.perMinute;
  const limiter = new RateLimiterRedis({
    storeClient: opts.redis,
    keyPrefix: `${opts.prefix}:rl:http`,
    points,
    duration: 60,
    inMemoryBlockOnConsumed: points + 1,
    inMemoryBlockDuration: 60,
    rejectIfRedisNotReady: true,
    insuranceLimiter: new RateLimiterMemory({ points, duration: 60 }),
  });
  return (req, res, next) => {
    if (opts.exempt(req.path)) return next();
    limiter.consume(clientKey(req.ip ?? req.socket.remoteAddress ?? 'unknown')).then(
      () => next(),
      (rej: unknown) => {
        if (!(rej instanceof RateLimiterRes)) return next(); // both limiters failed: do not block real users
        opts.onLimited?.();
        const seconds = Math.max(1, Math.ceil(rej.msBeforeNext / 1000));
        res.set('retry-after', String(seconds)).status(429).json({ error: 'too many requests', message: t('vi', 'error.http_rate_limited', { seconds }) });
      },
    );
  };
}

/** IPv4 as is (also when IPv4-mapped); IPv6 by its /64, the block one subscriber usually holds. */
export function clientKey(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return mapped[1]!;
  if (!isIPv6(ip)) return ip;
  const [head = '', tail = ''] = ip.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = ip.includes('::') ? [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right] : left;
  return `${groups.slice(0, 4).map((g) => g.toLowerCase().replace(/^0+(?=.)/, '')).join(':')}::/64`;
}
