import { hostname } from 'node:os';
import type { Redis } from 'ioredis';
import type { QueueSize } from './metrics.js';

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
    await redis.zadd(key, Date.now(), id).catch(() => {});
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

export interface HealthDeps {
  redis: Redis;
  prefix: string;
  /** BullMQ workers running in this process, if any. */
  localWorkers: () => readonly RunningCheck[];
  queueSizes: () => Promise<QueueSize[]>;
  now?: () => number;
}

export interface Health {
  ok: boolean;
  redis: boolean;
  workers: {
    ok: boolean;
    /** Workers of this process: running / total (null when this process runs none). */
    local: { running: number; total: number } | null;
    /** Worker processes with a fresh heartbeat, in the whole deployment. */
    alive: number;
  };
  /** Per queue: waiting, prioritized, delayed, active and failed job counts. */
  queues: Record<string, Record<string, number>>;
}

/**
 * Redis answers PING; workers are alive (all of this process's running, or when it runs
 * none, at least one worker process anywhere with a fresh heartbeat); the queues' backlog.
 */
export async function checkHealth(deps: HealthDeps): Promise<Health> {
  const redis = await withTimeout(deps.redis.ping(), 2_000).then((r) => r === 'PONG', () => false);
  const list = deps.localWorkers();
  const local = list.length ? { running: list.filter((w) => w.isRunning()).length, total: list.length } : null;
  let alive = 0;
  const queues: Health['queues'] = {};
  if (redis) {
    const now = (deps.now ?? Date.now)();
    const key = heartbeatKey(deps.prefix);
    alive = await deps.redis
      .zremrangebyscore(key, '-inf', now - 24 * 3600_000)
      .then(() => deps.redis.zcount(key, now - HEARTBEAT_TTL_MS, '+inf'))
      .catch(() => 0);
    for (const q of await withTimeout(deps.queueSizes(), 2_000).catch(() => [])) queues[q.queue] = q.counts;
  }
  const workersOk = local ? local.running === local.total : alive > 0;
  return { ok: redis && workersOk, redis, workers: { ok: workersOk, local, alive }, queues };
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([p, new Promise<T>((_, reject) => (timer = setTimeout(() => reject(new Error('timeout')), ms)))]).finally(() => clearTimeout(timer));
}
