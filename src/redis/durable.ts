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
}
const settings = new WeakMap<object, State>();

export function setReplicaWait(redis: object, wait: ReplicaWait): void {
  settings.set(redis, { ...wait, shortfalls: 0, lastShortfallAt: 0 });
}

export function replicaWait(redis: Redis): ReplicaWait | undefined {
  return settings.get(redis);
}

/**
 * Writes of this client whose WAIT got fewer replicas than asked (or failed), and when
 * the latest happened (ms since epoch, 0: never); /healthz reads it. Null: it never waits.
 */
export function replicaShortfalls(redis: Redis): { count: number; lastAt: number } | null {
  const s = settings.get(redis);
  return s ? { count: s.shortfalls, lastAt: s.lastShortfallAt } : null;
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
  const wait = settings.get(redis);
  const p = redis.pipeline();
  add(p);
  const n = p.length;
  if (wait) p.wait(wait.replicas, wait.timeoutMs);
  const res = ((await p.exec()) ?? []) as [Error | null, unknown][];
  if (wait) {
    const [err, acked] = res[n] ?? [new Error('no reply'), 0];
    if (err || Number(acked) < wait.replicas) {
      wait.shortfalls++;
      wait.lastShortfallAt = Date.now();
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
