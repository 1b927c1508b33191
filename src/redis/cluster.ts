/**
 * `REDIS_URL` naming a Redis Cluster, and the one rule a cluster imposes on our keys:
 * every key lives under one hash tag, so each Lua script (store, engine, BullMQ) touches
 * one slot. Pure: no connection here (connection.ts makes them).
 *
 *   redis-cluster://[user:password@]host1:port1,host2:port2[?wait=1&wait_ms=1000]
 *   rediss-cluster://…   (TLS)
 *
 * The hosts are seeds: the client learns the rest of the cluster from them. `wait` is how
 * many replicas must acknowledge a store change before it counts as saved (WAIT,
 * docs/store.md "Failover"); 0 turns that off (a cluster without replicas).
 */
export interface ClusterUrl {
  nodes: { host: string; port: number }[];
  username?: string;
  password?: string;
  tls: boolean;
  /** Replicas a store change waits for (WAIT numreplicas). */
  waitReplicas: number;
  /** How long it waits for them (WAIT timeout, ms). */
  waitMs: number;
}

export const DEFAULT_WAIT_REPLICAS = 1;
export const DEFAULT_WAIT_MS = 1000;

const SCHEME = /^(rediss?)-cluster:\/\/(.*)$/;
const HOST_PORT = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/;

export function isClusterUrl(url: string): boolean {
  return SCHEME.test(url);
}

/** Parses a cluster URL; throws an Error whose message says what is wrong (never the password). */
export function parseClusterUrl(url: string): ClusterUrl {
  const m = SCHEME.exec(url);
  if (!m) throw new Error('not a redis-cluster:// URL');
  let rest = m[2]!;
  let query = '';
  const q = rest.indexOf('?');
  if (q >= 0) [rest, query] = [rest.slice(0, q), rest.slice(q + 1)];
  rest = rest.replace(/\/$/, '');
  let username: string | undefined;
  let password: string | undefined;
  const at = rest.lastIndexOf('@');
  if (at >= 0) {
    const auth = rest.slice(0, at);
    rest = rest.slice(at + 1);
    const colon = auth.indexOf(':');
    const user = decodeURIComponent(colon >= 0 ? auth.slice(0, colon) : auth);
    const pass = colon >= 0 ? decodeURIComponent(auth.slice(colon + 1)) : '';
    if (user) username = user;
    if (pass) password = pass;
  }
  const nodes = rest.split(',').map((s) => s.trim()).filter(Boolean).map((hp) => {
    const hm = HOST_PORT.exec(hp);
    const port = hm ? Number(hm[2]) : 0;
    if (!hm || port < 1 || port > 65535) throw new Error(`"${hp}" is not host:port`);
    return { host: hm[1]!.replace(/^\[|\]$/g, ''), port };
  });
  if (nodes.length === 0) throw new Error('no host:port after redis-cluster://');
  const params = new URLSearchParams(query);
  for (const name of params.keys()) if (name !== 'wait' && name !== 'wait_ms') throw new Error(`unknown option "${name}" (wait, wait_ms)`);
  const int = (name: string, dflt: number, max: number) => {
    const v = params.get(name);
    if (v === null) return dflt;
    if (!/^\d+$/.test(v) || Number(v) > max) throw new Error(`${name} must be a whole number from 0 to ${max}`);
    return Number(v);
  };
  return {
    nodes,
    ...(username && { username }),
    ...(password && { password }),
    tls: m[1] === 'rediss',
    waitReplicas: int('wait', DEFAULT_WAIT_REPLICAS, 16),
    waitMs: int('wait_ms', DEFAULT_WAIT_MS, 60_000),
  };
}

/**
 * The hash tag every key under `prefix` hashes on (Redis: the text between the first
 * `{` and the next `}`, when not empty), or null when keys under it scatter over slots.
 */
export function hashTag(prefix: string): string | null {
  const s = prefix.indexOf('{');
  if (s < 0) return null;
  const e = prefix.indexOf('}', s + 1);
  return e > s + 1 ? prefix.slice(s + 1, e) : null;
}

/** The prefix a cluster gets when STORE_PREFIX is not set. */
export const CLUSTER_DEFAULT_PREFIX = '{td}';

/** Why `prefix` cannot be used on a cluster, in one line; null when it can. */
export function clusterPrefixProblem(prefix: string): string | null {
  if (hashTag(prefix) !== null) return null;
  return `a hash-tagged prefix on a Redis Cluster, e.g. {${prefix.replace(/[{}]/g, '') || 'td'}}, so every store and queue key shares one slot (got "${prefix}")`;
}
