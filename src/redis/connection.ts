import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';
import { isClusterUrl, parseClusterUrl } from './cluster.js';
import { setReplicaWait } from './durable.js';

/**
 * The one place Redis connections are made. BullMQ workers need
 * maxRetriesPerRequest: null (they block); store clients keep ioredis' default so a
 * dead Redis fails a request instead of hanging a user's step forever.
 *
 * A `redis-cluster://` URL (src/redis/cluster.ts) gives an ioredis Cluster. It is typed
 * as `Redis` on purpose: it speaks the same commands, and every key we send carries the
 * prefix's hash tag, so each command and script lands on the one master of that slot.
 * The few things that differ on a cluster (a SCAN, INFO of that master) ask
 * `isCluster` / `scanNodes` here.
 */
export type ConnectionRole = 'store' | 'bullmq';

/**
 * Failover budget: a command that meets a closed connection or CLUSTERDOWN is retried
 * every RETRY_MS, up to MAX_REDIRECTIONS times (~10 s), which covers a replica's
 * promotion (cluster-node-timeout plus an election) without failing a user's step.
 */
const RETRY_MS = 200;
const MAX_REDIRECTIONS = 50;

export function createRedis(url: string, role: ConnectionRole = 'store', extra: RedisOptions = {}): Redis {
  if (isClusterUrl(url)) return createCluster(url, role, extra);
  const client = new Redis(url, {
    maxRetriesPerRequest: role === 'bullmq' ? null : 3,
    enableReadyCheck: true,
    lazyConnect: false,
    ...extra,
  });
  // ioredis re-emits connection errors; without a listener Node would crash the process.
  client.on('error', () => {});
  return client;
}

function createCluster(url: string, role: ConnectionRole, extra: RedisOptions): Redis {
  const c = parseClusterUrl(url);
  const { lazyConnect, retryStrategy, maxRetriesPerRequest, ...rest } = extra;
  const options: ClusterOptions = {
    lazyConnect: lazyConnect ?? false,
    // BullMQ's connections without the ready check: a BullMQ worker whose blocking read
    // outlives its watchdog disconnects and awaits `cluster.connect()`. Made during a
    // failover (cluster_state:fail until the replica is promoted), ioredis 6's connect()
    // fails its ready check, reconnects through a new connect() and never settles the
    // promise it returned, although the client is ready moments later: the worker waits
    // on it forever, takes no job and cannot close (docs/store.md "BullMQ workers during
    // a failover"). Without the check, connect() resolves once the slots are known; a
    // command sent before the promotion meets CLUSTERDOWN and is retried below.
    enableReadyCheck: role !== 'bullmq',
    retryDelayOnFailover: RETRY_MS,
    retryDelayOnClusterDown: RETRY_MS,
    retryDelayOnTryAgain: RETRY_MS,
    maxRedirections: MAX_REDIRECTIONS,
    ...(retryStrategy !== undefined && { clusterRetryStrategy: retryStrategy }),
    redisOptions: {
      ...rest,
      maxRetriesPerRequest: maxRetriesPerRequest !== undefined ? maxRetriesPerRequest : role === 'bullmq' ? null : 3,
      ...(c.username && { username: c.username }),
      ...(c.password && { password: c.password }),
      ...(c.tls && { tls: {} }),
    },
  };
  const cluster = new Cluster(c.nodes, options);
  cluster.on('error', () => {});
  // The store waits for replicas after each change (durable.ts); BullMQ's own writes do not.
  if (role === 'store' && c.waitReplicas > 0) setReplicaWait(cluster, { replicas: c.waitReplicas, timeoutMs: c.waitMs });
  return cluster as unknown as Redis;
}

/** Whether a client made by createRedis talks to a Redis Cluster. */
export function isCluster(redis: Redis): boolean {
  return (redis as unknown as { isCluster?: boolean }).isCluster === true;
}

/** The servers a keyspace SCAN must cover: every master of a cluster, else the one server. */
export function scanNodes(redis: Redis): Redis[] {
  return isCluster(redis) ? (redis as unknown as Cluster).nodes('master') : [redis];
}

