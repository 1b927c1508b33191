import { afterAll, beforeAll } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { findRedisBinary, freePort } from '../../src/redis/embedded.js';

/**
 * A private Redis Cluster for a test file: 3 masters + 3 replicas from `redis-server`
 * (`--cluster-enabled yes`, random free ports, a temp dir each), joined with
 * `redis-cli --cluster create … --cluster-replicas 1 --cluster-yes`. No Docker. A small
 * cluster-node-timeout, so a killed master's replica is promoted in about two seconds.
 */
export interface ClusterNode {
  port: number;
  dir: string;
  child: ChildProcess;
}

export interface TestCluster {
  /** `redis-cluster://127.0.0.1:p1,…` (REDIS_URL); `wait` options appended by the caller if needed. */
  url: string;
  nodes: ClusterNode[];
  /** The master (and its replicas) serving `key`'s slot, by port. */
  slotOwners(key: string): Promise<{ master: number; replicas: number[] }>;
  /** SIGKILL (or another signal to) the node on `port`. */
  signal(port: number, signal: NodeJS.Signals): void;
  /** Starts a killed node again with its own nodes.conf: it rejoins (a former master as a replica). */
  restart(port: number): Promise<void>;
  /** Until every live node says cluster_state:ok and each master has a replica online. */
  waitHealthy(timeoutMs?: number): Promise<void>;
  /** A plain client on one node (not cluster-aware), for inspection. */
  node(port: number): Redis;
  stop(): Promise<void>;
}

export const NODE_TIMEOUT_MS = 1000;

/** Why no cluster can be started here, or null when one can. */
export function clusterUnsupported(): string | null {
  const server = findRedisBinary();
  if (!server) return 'redis-server is not on PATH';
  const version = /v=(\d+)\./.exec(spawnSync(server, ['--version'], { encoding: 'utf8' }).stdout ?? '')?.[1];
  if (!version || Number(version) < 7) return `redis-server ${version ?? '?'} is older than 7 (no cluster-port)`;
  const cli = spawnSync('redis-cli', ['--version'], { encoding: 'utf8' });
  if (cli.status !== 0) return 'redis-cli is not on PATH (needed for --cluster create)';
  const help = spawnSync('redis-cli', ['--cluster', 'help'], { encoding: 'utf8' });
  if (!/create/.test(`${help.stdout}${help.stderr}`)) return 'redis-cli has no --cluster create';
  return null;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function ask(port: number, ...args: string[]): Promise<string> {
  const c = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 1000 });
  c.on('error', () => {});
  try {
    await c.connect();
    return String(await c.call(args[0]!, ...args.slice(1)));
  } finally {
    c.disconnect();
  }
}

function run(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (d) => (out += d.toString()));
    p.stderr.on('data', (d) => (out += d.toString()));
    p.on('error', reject);
    p.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`${cmd} ${args.join(' ')} exited ${code}: ${out.slice(-500)}`))));
  });
}

function startNode(port: number, busPort: number, dir: string): ChildProcess {
  const child = spawn(
    findRedisBinary()!,
    [
      '--port', String(port),
      '--cluster-port', String(busPort),
      '--bind', '127.0.0.1',
      '--cluster-enabled', 'yes',
      '--cluster-config-file', path.join(dir, 'nodes.conf'),
      '--cluster-node-timeout', String(NODE_TIMEOUT_MS),
      '--dir', dir,
      '--save', '',
      '--appendonly', 'no',
      '--maxmemory-policy', 'noeviction',
      // A replica's first sync starts at once (the default waits 5 s for more replicas).
      '--repl-diskless-sync-delay', '0',
      '--daemonize', 'no',
      '--logfile', path.join(dir, 'redis.log'),
      '--loglevel', 'warning',
    ],
    { stdio: 'ignore' },
  );
  child.on('error', () => {});
  return child;
}

async function waitPing(port: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if ((await ask(port, 'PING').catch(() => '')) === 'PONG') return;
    if (Date.now() > deadline) throw new Error(`cluster node ${port} did not start`);
    await sleep(50);
  }
}

export async function startCluster(): Promise<TestCluster> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'thidua-cluster-'));
  const nodes: ClusterNode[] = [];
  const busPorts = new Map<number, number>();
  // 12 distinct free ports (a port just freed can be handed out twice).
  const ports = new Set<number>();
  while (ports.size < 12) ports.add(await freePort());
  const free = [...ports];
  for (let i = 0; i < 6; i++) {
    const [port, bus] = [free[2 * i]!, free[2 * i + 1]!];
    const dir = path.join(root, String(i));
    fs.mkdirSync(dir);
    busPorts.set(port, bus);
    nodes.push({ port, dir, child: startNode(port, bus, dir) });
  }
  const byPort = (port: number) => nodes.find((n) => n.port === port)!;
  const alive = () => nodes.filter((n) => n.child.exitCode === null && n.child.signalCode === null);

  const cluster: TestCluster = {
    url: `redis-cluster://${nodes.map((n) => `127.0.0.1:${n.port}`).join(',')}`,
    nodes,
    async slotOwners(key) {
      const live = alive()[0]!;
      const slot = Number(await ask(live.port, 'CLUSTER', 'KEYSLOT', key));
      const c = new Redis({ port: live.port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0 });
      c.on('error', () => {});
      try {
        await c.connect();
        const ranges = (await c.call('CLUSTER', 'SLOTS')) as [number, number, ...[string, number, string][]][];
        const r = ranges.find(([from, to]) => slot >= from && slot <= to);
        if (!r) throw new Error(`slot ${slot} is not served`);
        const [, , master, ...replicas] = r;
        return { master: Number(master![1]), replicas: replicas.map((x) => Number(x[1])) };
      } finally {
        c.disconnect();
      }
    },
    signal(port, signal) {
      byPort(port).child.kill(signal);
    },
    async restart(port) {
      const n = byPort(port);
      if (n.child.exitCode === null && n.child.signalCode === null) throw new Error(`node ${port} is running`);
      n.child = startNode(port, busPorts.get(port)!, n.dir);
      await waitPing(port);
    },
    async waitHealthy(timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const live = alive();
        const states = await Promise.all(live.map((n) => ask(n.port, 'CLUSTER', 'INFO').catch(() => '')));
        const repl = await Promise.all(live.map((n) => ask(n.port, 'INFO', 'replication').catch(() => '')));
        const ok = states.every((s) => /cluster_state:ok/.test(s));
        const masters = repl.filter((r) => /role:master/.test(r));
        const replicated = masters.length === 3 && masters.every((r) => /connected_slaves:[1-9]/.test(r));
        const synced = repl.filter((r) => /role:slave/.test(r)).every((r) => /master_link_status:up/.test(r));
        // Every live node knows every other live node, connected and not flagged failing.
        const views = await Promise.all(live.map((n) => ask(n.port, 'CLUSTER', 'NODES').catch(() => '')));
        const agreed = views.every((v) => v.trim().split('\n').filter((l) => / connected/.test(l) && !/fail/.test(l.split(' ')[2] ?? '')).length === live.length);
        if (ok && replicated && synced && agreed) return;
        if (Date.now() > deadline) throw new Error(`cluster not healthy: ${states.map((s) => /cluster_state:(\w+)/.exec(s)?.[1]).join(',')}`);
        await sleep(100);
      }
    },
    node(port) {
      const c = new Redis({ port, host: '127.0.0.1', maxRetriesPerRequest: 1 });
      c.on('error', () => {});
      return c;
    },
    async stop() {
      await Promise.all(
        nodes.map(
          (n) =>
            new Promise<void>((resolve) => {
              if (n.child.exitCode !== null || n.child.signalCode !== null) return resolve();
              n.child.once('exit', () => resolve());
              n.child.kill('SIGKILL');
            }),
        ),
      );
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
  // A test process that dies without afterAll must not leave six servers behind.
  const killAll = () => nodes.forEach((n) => n.child.kill('SIGKILL'));
  process.once('exit', killAll);
  const stop = cluster.stop;
  cluster.stop = async () => {
    process.off('exit', killAll);
    await stop();
  };
  try {
    await Promise.all(nodes.map((n) => waitPing(n.port)));
    await run('redis-cli', ['--cluster', 'create', ...nodes.map((n) => `127.0.0.1:${n.port}`), '--cluster-replicas', '1', '--cluster-yes']);
    await cluster.waitHealthy();
  } catch (err) {
    await cluster.stop();
    throw err;
  }
  return cluster;
}

/** One cluster for the calling test file: started before its tests, stopped after; the getter gives it inside a test. */
export function clusterPerFile(): () => TestCluster {
  let cluster: TestCluster | undefined;
  beforeAll(async () => {
    cluster = await startCluster();
  }, 60_000);
  afterAll(async () => cluster?.stop());
  return () => cluster!;
}
