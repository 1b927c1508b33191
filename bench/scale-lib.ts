/** What bench/scale.ts shares: timing with CPU figures and profiles, parallel runs, apps, the compiled worker. */
import type { ChildProcess } from 'node:child_process';
import { spawnWorker } from './lib/processes.js';
import fs from 'node:fs';
import { Session } from 'node:inspector/promises';
import os from 'node:os';
import path from 'node:path';
import { createApp, type App } from '../src/app.js';
import { parseConfig } from '../src/config/index.js';
import { createLogger } from '../src/logger.js';
import { createRedis } from '../src/redis/connection.js';
import { deletePrefix } from './lib/redis-prefix.js';

export const CAMPAIGN = 'thai-nguyen-2026';
const WORKER = path.resolve('dist/src/worker.js');

/** PROFILE=dir: a V8 CPU profile of each timed section into dir (open in Chrome DevTools). */
const PROFILE = process.env.PROFILE;
let inspector: Session | undefined;
let redisForCpu: App['redis'] | undefined;
/** The Redis whose CPU the timings count (none: 0). */
export const countRedisCpu = (redis: App['redis'] | undefined) => {
  redisForCpu = redis;
};

/** Redis's own CPU seconds so far (INFO cpu), so a section's cost shows apart from the machine's load. */
async function redisCpu(): Promise<number> {
  if (!redisForCpu) return 0;
  const info = await redisForCpu.info('cpu');
  return Number(/used_cpu_user:([\d.]+)/.exec(info)?.[1] ?? 0) + Number(/used_cpu_sys:([\d.]+)/.exec(info)?.[1] ?? 0);
}

export interface Timing {
  ms: number;
  /** CPU ms of this process and of redis-server during the section. */
  nodeCpuMs: number;
  redisCpuMs: number;
}
export const cpuText = (x: Timing) => `CPU: node ${secs(x.nodeCpuMs)}, redis ${secs(x.redisCpuMs)}`;

export async function timed<T>(name: string, fn: () => Promise<T>): Promise<[T, Timing]> {
  if (PROFILE && !inspector) {
    inspector = new Session();
    inspector.connect();
    await inspector.post('Profiler.enable');
  }
  if (PROFILE) await inspector!.post('Profiler.start');
  const r0 = await redisCpu();
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const value = await fn();
  const ms = performance.now() - t0;
  const c = process.cpuUsage(c0);
  const redisCpuMs = ((await redisCpu()) - r0) * 1000;
  if (PROFILE) {
    const { profile } = await inspector!.post('Profiler.stop');
    fs.mkdirSync(PROFILE, { recursive: true });
    fs.writeFileSync(path.join(PROFILE, `${name}.cpuprofile`), JSON.stringify(profile));
  }
  return [value, { ms, nodeCpuMs: (c.user + c.system) / 1000, redisCpuMs }];
}

export const fmt = (n: number, d = 0) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
export const secs = (ms: number) => `${fmt(ms / 1000, 2)} s`;
/** Runs `fn` over `items`, `width` at a time. */
export async function inParallel<T>(items: readonly T[], width: number, fn: (x: T, i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) {
        const i = next++;
        await fn(items[i]!, i);
      }
    }),
  );
}

export async function appFor(url: string, prefix: string, env: Record<string, string>, now?: () => Date): Promise<App> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'thidua-scale-'));
  const config = parseConfig({ CAMPAIGN, DATA_DIR: dataDir, LOG_LEVEL: 'silent', PORT: '0', SIMULATOR: 'off', STORE_PREFIX: prefix, ...env });
  return createApp(config, { redisUrl: url, log: createLogger('silent'), prefix, ...(now && { now }) });
}

export async function clean(url: string, prefix: string) {
  const redis = createRedis(url);
  await deletePrefix(redis, prefix);
  await redis.quit();
}

/** CPU ms (user + system) a process has used so far, from /proc (null elsewhere). */
export function processCpuMs(pid: number): number | null {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    // utime and stime are fields 14 and 15 of stat: 12 and 13 after the command name.
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return null;
  }
}

export function peakRssMb(pid: number): number | null {
  try {
    const kb = Number(/VmHWM:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
    return Number.isFinite(kb) ? kb / 1024 : null;
  } catch {
    return null;
  }
}

/** The worker as the Docker image runs it: compiled, plain node, production. */
export async function startWorker(url: string, prefix: string, env: Record<string, string>): Promise<ChildProcess> {
  if (!fs.existsSync(WORKER)) throw new Error(`${WORKER} is missing: run through npm run bench:scale (tsc first)`);
  return spawnWorker([WORKER], { NODE_ENV: 'production', REDIS_URL: url, STORE_PREFIX: prefix, CAMPAIGN, DATA_DIR: os.tmpdir(), ...env });
}

export async function stopWorker(child: ChildProcess) {
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
}
