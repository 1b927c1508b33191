import fs from 'node:fs/promises';
import path from 'node:path';
import type { Redis } from 'ioredis';
import { CHARTS_DIR, FILES_DIR, UPLOADS_DIR } from '../src/files.js';
import { scanNodes } from '../src/redis/connection.js';
import { jobKeys } from './keys.js';

/** Where received files and exports live, and how long they are kept (FILE_RETENTION_DAYS, EXPORT_RETENTION_DAYS). */
export interface RetentionConfig {
  dataDir: string;
  fileRetentionDays: number;
  exportRetentionDays: number;
}

export interface CleanupResult {
  exports: number;
  /** Charts sent with /thongke and the staff digests (DATA_DIR/charts), kept as long as exports. */
  charts: number;
  files: number;
  uploads: number;
  /** Stored files old enough to go that a dossier (or a running broadcast) still needs. */
  kept: number;
}

const EXPORTS_DIR = 'exports';
/** Simulator uploads are copied into files/ by the engine at once: a day is plenty. */
const UPLOAD_RETENTION_DAYS = 1;
const DAY_MS = 86_400_000;

/**
 * Frees disk: exports and charts older than their retention, simulator uploads older than a day,
 * and stored files older than their retention that no dossier part (nominations of any
 * campaign and year) and no running broadcast refers to. A file sent again is written
 * again, so its age counts from the last time someone sent it.
 */
export async function cleanupFiles(redis: Redis, prefix: string, cfg: RetentionConfig, now: Date): Promise<CleanupResult> {
  const keep = await referencedFiles(redis, prefix);
  // Files are dated by the host (mtime): a simulated clock ahead of it (the demo) must not age them early.
  const ref = Math.min(now.getTime(), Date.now()); // host clock: file times are host times
  const before = (days: number) => ref - days * DAY_MS;
  const result: CleanupResult = { exports: 0, charts: 0, files: 0, uploads: 0, kept: 0 };
  result.exports = await removeOld(path.join(cfg.dataDir, EXPORTS_DIR), before(cfg.exportRetentionDays), () => true);
  result.charts = await removeOld(path.join(cfg.dataDir, CHARTS_DIR), before(cfg.exportRetentionDays), () => true);
  result.uploads = await removeOld(path.join(cfg.dataDir, UPLOADS_DIR), before(UPLOAD_RETENTION_DAYS), () => true);
  result.files = await removeOld(path.join(cfg.dataDir, FILES_DIR), before(cfg.fileRetentionDays), (abs) => {
    const needed = keep.has(path.relative(cfg.dataDir, abs));
    if (needed) result.kept++;
    return !needed;
  });
  return result;
}

/** Paths (relative to DATA_DIR) of every dossier part and every running broadcast's file. */
async function referencedFiles(redis: Redis, prefix: string): Promise<Set<string>> {
  const out = new Set<string>();
  const add = (file: unknown) => {
    const p = (file as { path?: unknown } | null)?.path;
    if (typeof p === 'string') out.add(path.normalize(p));
  };
  // SCAN sees one server's keys: on a Redis Cluster, every master's.
  for (const node of scanNodes(redis)) {
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', `${prefix}:nom:*`, 'COUNT', 500);
      cursor = next;
      const raws = keys.length ? await redis.mget(...keys) : [];
      for (const raw of raws) {
        if (!raw) continue;
        const parts = (JSON.parse(raw) as { parts?: Record<string, unknown> }).parts ?? {};
        for (const f of Object.values(parts)) add(f);
      }
    } while (cursor !== '0');
  }
  const k = jobKeys(prefix);
  for (const id of await redis.smembers(k.broadcastsRunning)) {
    const spec = await redis.hget(k.broadcast(id), 'spec');
    if (spec) add((JSON.parse(spec) as { file?: unknown }).file);
  }
  return out;
}

/** Deletes the files under `dir` last written before `cutoff` that `mayGo` lets go; returns how many. */
async function removeOld(dir: string, cutoff: number, mayGo: (abs: string) => boolean): Promise<number> {
  let removed = 0;
  const entries = await fs.readdir(dir, { withFileTypes: true, recursive: true }).catch(() => []);
  for (const e of entries) {
    if (!e.isFile()) continue;
    const abs = path.join(e.parentPath, e.name);
    const st = await fs.stat(abs).catch(() => null);
    if (!st || st.mtimeMs >= cutoff || !mayGo(abs)) continue;
    await fs.rm(abs, { force: true });
    removed++;
  }
  return removed;
}
