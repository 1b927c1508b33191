import { hostname } from 'node:os';
import type { Redis } from 'ioredis';
import { isCluster } from '../redis/connection.js';
import { replicaShortfalls } from '../redis/durable.js';

/** How long a worker process's heartbeat counts as alive. */
export const HEARTBEAT_TTL_MS = 30_000;
export const HEARTBEAT_EVERY_MS = 10_000;

/** One sorted set per deployment: member = worker process, score = its last heartbeat (ms). */
export const heartbeatKey = (prefix: string) => `${prefix}:ops:workers`;

/** Something with BullMQ's Worker.isRunning(). */
export interface RunningCheck {
  isRunning(): boolean;
}

/**
 * A worker process refreshes its heartbeat while all of its BullMQ workers run, so any
 * web replica's /healthz can tell whether workers are alive anywhere in the deployment.
 */
export function startHeartbeat(redis: Redis, prefix: string, workers: () => readonly RunningCheck[], opts: { everyMs?: number; id?: string } = {}) {
  const id = opts.id ?? `${hostname()}:${process.pid}`;
  const key = heartbeatKey(prefix);
  const beat = async () => {
    const list = workers();
    if (list.length === 0 || !list.every((w) => w.isRunning())) return;
    await redis.zadd(key, Date.now(), id).catch(() => {}); // host clock: worker heartbeat
  };
  const timer = setInterval(() => void beat(), opts.everyMs ?? HEARTBEAT_EVERY_MS);
  timer.unref();
  return {
    id,
    beat,
    /** Stops beating and takes this process out of the set at once. */
    async stop() {
      clearInterval(timer);
      await redis.zrem(key, id).catch(() => {});
    },
  };
}

/** A platform channel as seen by every replica (its state lives in Redis). */
export interface ChannelHealth {
  state: 'up' | 'down';
  /** Why it is down (the platform's error code and text; never a token or a person). */
  reason?: string;
  /** When it went down (ISO). */
  since?: string;
}

/** One channel's outbox: jobs by state, and how long the job at the head of the line has been waiting. */
export interface OutboxHealth {
  /** Ready to send now (BullMQ waiting + prioritized, and staged messages not yet a job). */
  waiting: number;
  /** Of `waiting`, messages of a large pass still in the staged list (jobs/outbox-staging.ts). */
  staged: number;
  delayed: number;
  active: number;
  failed: number;
  /** Age of the longest-waiting ready job in seconds; null when none waits. */
  oldestWaitingAgeSec: number | null;
}

export interface RedisHealth {
  /** Answers PING. */
  ok: boolean;
  /** A small SET succeeds (false at maxmemory with noeviction, on a read-only replica). */
  writable: boolean;
  /** The first word of Redis's refusal (OOM, READONLY) or 'timeout'; never a value. */
  writeError?: string;
  usedMemory: number | null;
  /** 0 means no limit. */
  maxMemory: number | null;
  /** Free share of maxmemory, 0..1; null without a limit. */
  headroom: number | null;
  /** On a Redis Cluster: its state as a node sees it, and how many nodes are flagged failing. */
  cluster?: { state: string; failingNodes: number };
}

export interface HealthDeps {
  redis: Redis;
  prefix: string;
  /** BullMQ workers running in this process, if any. */
  localWorkers: () => readonly RunningCheck[];
  /** Each configured platform channel's state. */
  channels: () => Promise<Record<string, ChannelHealth>>;
  /** The outbox of each enabled channel. */
  outbox: () => Promise<Record<string, OutboxHealth>>;
  now?: () => number;
}

export interface Health {
  /** false exactly when the HTTP status is 503 (status 'down'). */
  ok: boolean;
  /**
   * 'down': this replica cannot do its job (Redis unreachable or refusing writes, no
   * worker alive). 'degraded': it works, but a channel is down, the outbox is stuck or
   * Redis is nearly full; `reasons` says which.
   */
  status: 'ok' | 'degraded' | 'down';
  reasons: string[];
  redis: RedisHealth;
  channels: Record<string, ChannelHealth>;
  outbox: Record<string, OutboxHealth>;
  workers: {
    ok: boolean;
    /** Workers of this process: running / total (null when this process runs none). */
    local: { running: number; total: number } | null;
    /** Worker processes with a fresh heartbeat, in the whole deployment. */
    alive: number;
  };
}

/** Below this free share of maxmemory, the deployment is degraded (writes soon fail). */
export const MIN_REDIS_HEADROOM = 0.1;
/** A ready outbox job waiting longer than this means the channel is not moving (a 20 000-message Zalo broadcast at 10/s takes 33 min). */
export const OUTBOX_STALE_AFTER_SEC = 45 * 60;
const PROBE_TTL_S = 60;

export async function checkHealth(deps: HealthDeps): Promise<Health> {
  const ping = await withTimeout(deps.redis.ping(), 2_000).then((r) => r === 'PONG', () => false);
  const redis: RedisHealth = { ok: ping, writable: false, usedMemory: null, maxMemory: null, headroom: null };
  const list = deps.localWorkers();
  const local = list.length ? { running: list.filter((w) => w.isRunning()).length, total: list.length } : null;
  let alive = 0;
  let channels: Record<string, ChannelHealth> = {};
  let outbox: Record<string, OutboxHealth> = {};
  if (ping) {
    Object.assign(redis, await probeRedis(deps.redis, deps.prefix));
    const now = (deps.now ?? Date.now)();
    const key = heartbeatKey(deps.prefix);
    alive = await deps.redis
      .zremrangebyscore(key, '-inf', now - 24 * 3600_000)
      .then(() => deps.redis.zcount(key, now - HEARTBEAT_TTL_MS, '+inf'))
      .catch(() => 0);
    [channels, outbox] = await Promise.all([withTimeout(deps.channels(), 2_000).catch(() => ({})), withTimeout(deps.outbox(), 2_000).catch(() => ({}))]);
  }
  const workersOk = local ? local.running === local.total : alive > 0;

  const down: string[] = [];
  if (!redis.ok) down.push('redis_unreachable');
  else if (!redis.writable) down.push('redis_not_writable');
  if (!workersOk) down.push('no_workers');
  const degraded: string[] = [];
  if (redis.headroom !== null && redis.headroom < MIN_REDIS_HEADROOM) degraded.push('redis_memory_low');
  if (redis.cluster && (redis.cluster.state !== 'ok' || redis.cluster.failingNodes > 0)) degraded.push('redis_cluster_degraded');
  if (replicaShortfalls(deps.redis)?.lagging) degraded.push('redis_replica_lag');
  for (const [name, c] of Object.entries(channels)) if (c.state === 'down') degraded.push(`channel_down:${name}`);
  for (const [name, o] of Object.entries(outbox)) if ((o.oldestWaitingAgeSec ?? 0) > OUTBOX_STALE_AFTER_SEC) degraded.push(`outbox_stale:${name}`);
  const status = down.length ? 'down' : degraded.length ? 'degraded' : 'ok';
  return { ok: status !== 'down', status, reasons: [...down, ...degraded], redis, channels, outbox, workers: { ok: workersOk, local, alive } };
}

/**
 * A write probe (one small key per process, with a TTL, under the prefix: safe to run on
 * every check) and the memory figures from INFO. A ping alone said "healthy" while every
 * write failed with OOM.
 */
async function probeRedis(redis: Redis, prefix: string): Promise<Omit<RedisHealth, 'ok'>> {
  const out: Omit<RedisHealth, 'ok'> = { writable: false, usedMemory: null, maxMemory: null, headroom: null };
  const probeKey = `${prefix}:ops:probe:${hostname()}:${process.pid}`;
  try {
    await withTimeout(redis.set(probeKey, String(Date.now()), 'EX', PROBE_TTL_S), 2_000); // host clock: write probe
    out.writable = true;
  } catch (err) {
    const msg = err instanceof Error ? err.message : '';
    out.writeError = msg === 'timeout' ? 'timeout' : (/^[A-Z]+/.exec(msg)?.[0] ?? 'error');
  }
  // Managed Redis may refuse INFO: the figures then stay null. On a cluster, INFO of the
  // master holding our slot: a keyed command in the same pipeline takes it there.
  const info = isCluster(redis)
    ? await withTimeout(redis.pipeline().exists(probeKey).info('memory').exec(), 2_000).then((r) => String(r?.[1]?.[1] ?? ''), () => '')
    : await withTimeout(redis.info('memory'), 2_000).catch(() => '');
  if (isCluster(redis)) out.cluster = await withTimeout(clusterState(redis), 2_000).catch(() => ({ state: 'unknown', failingNodes: 0 }));
  const field = (name: string) => {
    const m = new RegExp(`^${name}:(\\d+)`, 'm').exec(info);
    return m ? Number(m[1]) : null;
  };
  out.usedMemory = field('used_memory');
  out.maxMemory = field('maxmemory');
  if (out.usedMemory !== null && out.maxMemory) out.headroom = Math.max(0, Math.round((1 - out.usedMemory / out.maxMemory) * 1000) / 1000);
  return out;
}

/** CLUSTER INFO's state and the nodes CLUSTER NODES flags `fail` or `fail?` (a killed master until it is back). */
async function clusterState(redis: Redis): Promise<{ state: string; failingNodes: number }> {
  const [info, nodes] = (await Promise.all([redis.cluster('INFO'), redis.cluster('NODES')])) as [string, string];
  const state = /^cluster_state:(\w+)/m.exec(info)?.[1] ?? 'unknown';
  const failingNodes = nodes.split('\n').filter((line) => /(^|,)fail\??(,|$)/.test(line.split(' ')[2] ?? '')).length;
  return { state, failingNodes };
}

/** The slice of a BullMQ queue that outboxHealth reads. */
export interface BacklogQueue {
  getJobCounts(...types: string[]): Promise<Record<string, number>>;
  getWaiting(start?: number, end?: number): Promise<{ timestamp: number; delay: number; processedOn?: number }[]>;
  getPrioritized(start?: number, end?: number): Promise<{ timestamp: number; delay: number; processedOn?: number }[]>;
}

/**
 * Counts, and the age of the jobs next in line (the head of the FIFO wait list and the
 * first prioritized job). A job counts as ready from its creation plus its delay, or
 * from its last attempt plus the backoff when it is a retry.
 */
export async function outboxHealth(queue: BacklogQueue, now: number, stagedCount: () => Promise<number> = async () => 0): Promise<OutboxHealth> {
  const [counts, head, first, staged] = await Promise.all([
    queue.getJobCounts('waiting', 'prioritized', 'delayed', 'active', 'failed'),
    queue.getWaiting(0, 0),
    queue.getPrioritized(0, 0),
    stagedCount(),
  ]);
  const readySince = [...head, ...first].map((j) => Math.max(j.timestamp, j.processedOn ?? 0) + (j.delay || 0));
  const oldest = readySince.length ? Math.min(...readySince) : null;
  return {
    waiting: (counts.waiting ?? 0) + (counts.prioritized ?? 0) + staged,
    staged,
    delayed: counts.delayed ?? 0,
    active: counts.active ?? 0,
    failed: counts.failed ?? 0,
    oldestWaitingAgeSec: oldest === null ? null : Math.max(0, Math.round((now - oldest) / 1000)),
  };
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([p, new Promise<T>((_, reject) => (timer = setTimeout(() => reject(new Error('timeout')), ms)))]).finally(() => clearTimeout(timer));
}
