import type { Redis } from 'ioredis';

/**
 * Replica acknowledgement of a write (docs/store.md "Failover"). Redis replicates
 * asynchronously: a master can acknowledge a write and die before its replica has it,
 * and the promoted replica then never had it. `WAIT n ms`, sent on the same connection
 * right after the write, returns once n replicas have acknowledged everything that
 * connection wrote, or after ms with how many did. Clients made for a cluster with
 * `wait` > 0 (connection.ts) carry their setting here; others never send WAIT.
 */
export interface ReplicaWait {
  replicas: number;
  timeoutMs: number;
}

interface State extends ReplicaWait {
  shortfalls: number;
  lastShortfallAt: number;
  lastAckAt: number;
  /** After a WAIT fell short, writes go unwaited until then (a missing replica must not slow every write). */
  skipUntil: number;
}
const settings = new WeakMap<object, State>();

/** How long writes go without WAIT after one fell short, before trying again. */
export const WAIT_PAUSE_MS = 5_000;

export function setReplicaWait(redis: object, wait: ReplicaWait): void {
  settings.set(redis, { ...wait, shortfalls: 0, lastShortfallAt: 0, lastAckAt: 0, skipUntil: 0 });
}

export function replicaWait(redis: Redis): ReplicaWait | undefined {
  return settings.get(redis);
}

/**
 * Writes of this client that no replica acknowledged in time (WAIT short, failed, or
 * skipped while paused), and whether the latest one was such a write; /healthz reads
 * it. Null: this client never waits.
 */
export function replicaShortfalls(redis: Redis): { count: number; lagging: boolean } | null {
  const s = settings.get(redis);
  return s ? { count: s.shortfalls, lagging: s.lastShortfallAt > s.lastAckAt } : null;
}

type Pipe = ReturnType<Redis['pipeline']>;

/**
 * Runs the commands `add` puts in one pipeline, followed by WAIT when the client asks
 * for it: one round trip, one connection, so on a cluster WAIT reaches the master that
 * ran the write (every key we send shares one slot). Resolves with the commands'
 * [error, result] pairs (WAIT's left out). A WAIT that falls short is counted, not
 * thrown: the write is on the master (with AOF); the shortfall is the risk window
 * docs/store.md describes, and /healthz reports it.
 */
export async function execWithReplicas(redis: Redis, add: (p: Pipe) => void): Promise<[Error | null, unknown][]> {
  const state = settings.get(redis);
  const now = Date.now(); // host clock: replica-acknowledgement timing
  const wait = state && now >= state.skipUntil ? state : undefined;
  const p = redis.pipeline();
  add(p);
  const n = p.length;
  if (wait) p.wait(wait.replicas, wait.timeoutMs);
  const res = ((await p.exec()) ?? []) as [Error | null, unknown][];
  if (state) {
    const [err, acked] = wait ? (res[n] ?? [new Error('no reply'), 0]) : [null, -1];
    if (wait && !err && Number(acked) >= wait.replicas) state.lastAckAt = Date.now(); // host clock: replica-acknowledgement timing
    else {
      state.shortfalls++;
      state.lastShortfallAt = Date.now(); // host clock: replica-acknowledgement timing
      if (wait) state.skipUntil = state.lastShortfallAt + WAIT_PAUSE_MS;
    }
  }
  return res.slice(0, n);
}

/** EVAL of a write script, followed by WAIT when the client asks for it (else exactly `redis.eval`). */
export async function evalWithReplicas(redis: Redis, lua: string, numKeys: number, ...args: (string | number)[]): Promise<unknown> {
  if (!settings.has(redis)) return redis.eval(lua, numKeys, ...args);
  const [[err, res]] = (await execWithReplicas(redis, (p) => p.eval(lua, numKeys, ...args))) as [[Error | null, unknown]];
  if (err) throw err;
  return res;
}
