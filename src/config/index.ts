import path from 'node:path';
import { z } from 'zod';
import { fromRoot } from '../paths.js';
import { CLUSTER_DEFAULT_PREFIX, clusterPrefixProblem, isClusterUrl, parseClusterUrl } from '../redis/cluster.js';

/** The environment contract of docs/architecture.md, parsed once. */
const adminList = z
  .string()
  .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean))
  .pipe(
    z.array(
      z
        .string()
        .regex(/^(telegram|zalo|sim):[A-Za-z0-9_-]+$/, 'a comma-separated list like telegram:123,zalo:456'),
    ),
  );

const url = (what: string) => z.string().url(`an http(s) URL of ${what}`);

/**
 * Which proxies in front of us may set X-Forwarded-For: a hop count (1 = the one proxy
 * right in front), or addresses/subnets and express's names (loopback, linklocal,
 * uniquelocal). Never "true": that would let any client choose its own address.
 */
const trustProxy = z
  .string()
  .transform((s) => s.trim())
  .pipe(
    z.union([
      z.string().regex(/^[1-9]\d?$/).transform(Number),
      z
        .string()
        .regex(
          /^(loopback|linklocal|uniquelocal|[0-9A-Fa-f:.]+(\/\d{1,3})?)(\s*,\s*(loopback|linklocal|uniquelocal|[0-9A-Fa-f:.]+(\/\d{1,3})?))*$/,
          'a hop count (1-99) or a comma-separated list of proxy addresses, subnets, loopback, linklocal or uniquelocal',
        ),
    ]),
  );

export const configSchema = z
  .object({
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    HOST: z.string().default('0.0.0.0'),
    /** Unset: the client address is the socket's; X-Forwarded-For is ignored. */
    TRUST_PROXY: trustProxy.optional(),
    /** Base URL people open the web dashboard at (login links from /web); unset: http://localhost:PORT. */
    PUBLIC_URL: z
      .string()
      .regex(/^https?:\/\/[^\s/?#]+(\/[^\s?#]*)?$/, 'an http:// or https:// URL without query or fragment, e.g. https://thidua.example.gov.vn')
      .transform((u) => u.replace(/\/+$/, ''))
      .optional(),
    /** Requests per minute one client address may make to the public routes (not /healthz, /metrics, webhooks). */
    HTTP_REQUESTS_PER_MINUTE: z.coerce.number().int().min(1).max(100_000).default(300),
    /** One Redis (redis://, rediss://) or a Redis Cluster (redis-cluster://h1:p1,h2:p2, src/redis/cluster.ts). */
    REDIS_URL: z
      .string()
      .regex(/^rediss?(-cluster)?:\/\//, 'a redis:// or rediss:// URL, or redis-cluster://host1:port1,host2:port2 for a Redis Cluster')
      .superRefine((v, ctx) => {
        if (!isClusterUrl(v)) return;
        try {
          parseClusterUrl(v);
        } catch (err) {
          ctx.addIssue({ code: 'custom', message: `a valid redis-cluster:// URL: ${(err as Error).message}` });
        }
      })
      .optional(),
    /** Unset: `data/` of the project, whatever the working directory (npm start and the CLI share it). */
    DATA_DIR: z.string().min(1).default(fromRoot('data')),
    /** Key namespace in Redis; lets several deployments (or tests) share one Redis. */
    /** Default `td`; `{td}` on a Redis Cluster, where it must carry a hash tag (resolved below). */
    STORE_PREFIX: z.string().regex(/^[A-Za-z0-9_{}.-]{1,64}$/, '1-64 characters of A-Z a-z 0-9 _ - . { }').optional(),
    CAMPAIGN: z.string().min(1).default('binh-thanh-2024'),
    TELEGRAM_BOT_TOKEN: z
      .string()
      .regex(/^\d+:[A-Za-z0-9_-]+$/, 'a bot token like 123456:ABC-def from @BotFather')
      .optional(),
    TELEGRAM_WEBHOOK_SECRET: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,256}$/, '1-256 characters of A-Z a-z 0-9 _ -')
      .optional(),
    TELEGRAM_API_ROOT: url('the Telegram Bot API').default('https://api.telegram.org'),
    TELEGRAM_MODE: z.enum(['webhook', 'polling']).default('webhook'),
    ZALO_APP_ID: z.string().min(1).optional(),
    ZALO_APP_SECRET: z.string().min(1).optional(),
    ZALO_OA_SECRET_KEY: z.string().min(1).optional(),
    ZALO_REFRESH_TOKEN: z.string().min(1).optional(),
    ZALO_API_BASE: url('the Zalo OpenAPI').default('https://openapi.zalo.me'),
    ZALO_OAUTH_BASE: url('the Zalo OAuth server').default('https://oauth.zaloapp.com'),
    ZALO_ZNS_BASE: url('the Zalo ZNS (business) API').default('https://business.openapi.zalo.me'),
    /** Attachment download hosts; unset: any host at a public address (src/download.ts). */
    ZALO_FILE_HOSTS: z
      .string()
      .regex(/^\s*[A-Za-z0-9.-]+(:\d{1,5})?\s*(,\s*[A-Za-z0-9.-]+(:\d{1,5})?\s*)*$/, 'a comma-separated list of host or host:port')
      .optional(),
    /** Bytes of files one person may send per day (Vietnam date), all channels together. */
    UPLOAD_MB_PER_DAY: z.coerce.number().positive().default(100),
    /** Stored files (DATA_DIR/files and simulator uploads) stop growing past this. */
    FILES_MAX_MB: z.coerce.number().positive().default(10_240),
    /** Stored files that no dossier refers to are deleted after this many days; dossier parts are kept. */
    FILE_RETENTION_DAYS: z.coerce.number().int().min(1).default(30),
    /** Exports (DATA_DIR/exports) are deleted after this many days. */
    EXPORT_RETENTION_DAYS: z.coerce.number().int().min(1).default(7),
    ADMINS: adminList.default([]),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    SESSION_IDLE_HOURS: z.coerce.number().positive().default(72),
    /** Messages one user may send per minute before being ignored for a while (flood guard). */
    USER_MESSAGES_PER_MINUTE: z.coerce.number().int().min(1).default(30),
    /** Unset: on only when no platform is configured (the local demo); resolved by the transform below. */
    SIMULATOR: z.enum(['on', 'off']).optional(),
    /** Basic-auth password of the simulator; required to turn it on next to platform tokens. */
    SIMULATOR_PASSWORD: z.string().min(12, 'at least 12 characters').max(256).optional(),
    /** Outbox send rate for bulk messages (reminders, alerts, broadcasts), all workers together. */
    TELEGRAM_RATE_PER_SEC: z.coerce.number().positive().max(1000).default(25),
    ZALO_RATE_PER_SEC: z.coerce.number().positive().max(1000).default(10),
    /** Bull Board at /admin/queues behind HTTP basic auth; not mounted unless both are set. */
    BULL_BOARD_USER: z.string().regex(/^[^:\s]{1,64}$/, '1-64 characters without ":" or spaces').optional(),
    BULL_BOARD_PASSWORD: z.string().min(12, 'at least 12 characters').max(256).optional(),
    /** HMAC key for stored invite codes; unset: generated once into DATA_DIR (src/config/invite-secret.ts). */
    INVITE_SECRET: z.string().min(32, 'at least 32 characters (e.g. from: openssl rand -hex 32)').max(512).optional(),
  })
  .superRefine((c, ctx) => {
    if (c.TELEGRAM_BOT_TOKEN && c.TELEGRAM_MODE === 'webhook' && !c.TELEGRAM_WEBHOOK_SECRET) {
      ctx.addIssue({
        code: 'custom',
        path: ['TELEGRAM_WEBHOOK_SECRET'],
        message: 'required when TELEGRAM_BOT_TOKEN is set in webhook mode (or set TELEGRAM_MODE=polling)',
      });
    }
    if (c.REDIS_URL && isClusterUrl(c.REDIS_URL) && c.STORE_PREFIX !== undefined) {
      const problem = clusterPrefixProblem(c.STORE_PREFIX);
      if (problem) ctx.addIssue({ code: 'custom', path: ['STORE_PREFIX'], message: problem });
    }
    if (Boolean(c.BULL_BOARD_USER) !== Boolean(c.BULL_BOARD_PASSWORD)) {
      const missing = c.BULL_BOARD_USER ? 'BULL_BOARD_PASSWORD' : 'BULL_BOARD_USER';
      ctx.addIssue({ code: 'custom', path: [missing], message: 'set (Bull Board needs BULL_BOARD_USER and BULL_BOARD_PASSWORD together)' });
    }
    if (c.SIMULATOR === 'on' && platformConfigured(c) && !c.SIMULATOR_PASSWORD) {
      ctx.addIssue({
        code: 'custom',
        path: ['SIMULATOR_PASSWORD'],
        message: 'set (at least 12 characters) when SIMULATOR=on next to a Telegram or Zalo token: the simulator is then served behind basic auth',
      });
    }
    // Zalo is on when any of its credentials is given; then it needs all three (docs/zalo.md).
    if (c.ZALO_APP_ID || c.ZALO_APP_SECRET || c.ZALO_OA_SECRET_KEY || c.ZALO_REFRESH_TOKEN) {
      for (const name of ['ZALO_APP_ID', 'ZALO_APP_SECRET', 'ZALO_OA_SECRET_KEY'] as const) {
        if (!c[name]) ctx.addIssue({ code: 'custom', path: [name], message: 'set (the Zalo channel needs ZALO_APP_ID, ZALO_APP_SECRET and ZALO_OA_SECRET_KEY together)' });
      }
    }
  })
  // The simulator is a local demo: on by default only when no platform is configured.
  .transform((c) => ({
    ...c,
    STORE_PREFIX: c.STORE_PREFIX ?? (c.REDIS_URL && isClusterUrl(c.REDIS_URL) ? CLUSTER_DEFAULT_PREFIX : 'td'),
    SIMULATOR: c.SIMULATOR ?? (platformConfigured(c) ? ('off' as const) : ('on' as const)),
  }));

export type Config = z.output<typeof configSchema> & { dataDir: string };

type PlatformVariable = 'TELEGRAM_BOT_TOKEN' | 'ZALO_APP_ID' | 'ZALO_APP_SECRET' | 'ZALO_OA_SECRET_KEY' | 'ZALO_REFRESH_TOKEN';
/** Whether a real platform (Telegram, Zalo) is configured: any of its credentials counts. */
export function platformConfigured(c: Partial<Record<PlatformVariable, string>>): boolean {
  return Boolean(c.TELEGRAM_BOT_TOKEN || c.ZALO_APP_ID || c.ZALO_APP_SECRET || c.ZALO_OA_SECRET_KEY || c.ZALO_REFRESH_TOKEN);
}

export class ConfigError extends Error {}

/** Parses an environment; throws ConfigError with one line per bad variable. */
export function parseConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // Empty strings mean "unset", as in most .env files.
  const clean = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const result = configSchema.safeParse(clean);
  if (!result.success) {
    const lines = result.error.issues.map((i) => {
      const name = String(i.path[0] ?? 'environment');
      return `Invalid configuration: ${name} must be ${i.message}`;
    });
    throw new ConfigError(lines.join('\n'));
  }
  return { ...result.data, dataDir: path.resolve(result.data.DATA_DIR) };
}
