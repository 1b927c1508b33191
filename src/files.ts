import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileTypeFromBuffer } from 'file-type';
import type { Redis } from 'ioredis';
import type { FileRef } from './domain/entities.js';
import { fold, stripInvisible } from './domain/text.js';
import { vnDate } from './domain/time.js';

/** Dossier documents we accept: what offices actually send (PDF, Word, scans as images). */
const ACCEPTED: Record<string, string> = {
  pdf: 'application/pdf',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  doc: 'application/msword',
  jpg: 'image/jpeg',
  png: 'image/png',
};
export const MAX_FILE_BYTES = 20 * 1024 * 1024;

/** The folders of DATA_DIR that received files fill (the global cap counts both). */
export const FILES_DIR = 'files';
export const UPLOADS_DIR = 'uploads';
/** Charts the bot renders to send (src/services/charts): kept like exports, then cleaned up. */
export const CHARTS_DIR = 'charts';

export type SaveError = 'too_big' | 'unsupported' | 'empty' | 'user_quota' | 'disk_full';
export type SaveResult = { ok: true; file: FileRef } | { ok: false; error: SaveError };

/** The files folders reached FILES_MAX_MB. */
export class FilesFullError extends Error {
  constructor() {
    super('the files folders are full (FILES_MAX_MB)');
  }
}

export interface FileQuotas {
  redis: Redis;
  prefix: string;
  /** Bytes one sender may store per Vietnam day (UPLOAD_MB_PER_DAY). */
  perUserDailyBytes: number;
  /** Bytes under files/ and uploads/ together (FILES_MAX_MB). */
  maxTotalBytes: number;
}

/** How long a measured size of the files folders is trusted (plus what this process wrote since). */
const USAGE_TTL_MS = 60_000;

/**
 * Stores received files under DATA_DIR/files by content hash, after checking the size,
 * the real type from the bytes (a name or a MIME header can lie), the sender's daily
 * quota and the global cap. Without `quotas` (tests, tools) there are no quotas.
 */
export class FileStore {
  private usage: { bytes: number; at: number } | null = null;

  constructor(
    /** DATA_DIR: where generated files (charts) are written too. */
    readonly dataDir: string,
    private readonly quotas?: FileQuotas,
  ) {}

  /** `owner` (`channel:userId`) is charged against the daily quota. */
  async save(bytes: Buffer, meta: { name?: string; at: Date; owner?: string }): Promise<SaveResult> {
    if (bytes.length === 0) return { ok: false, error: 'empty' };
    if (bytes.length > MAX_FILE_BYTES) return { ok: false, error: 'too_big' };
    const detected = await fileTypeFromBuffer(bytes);
    // Old .doc files are OLE containers; file-type reports them as "cfb".
    const ext = detected?.ext === 'cfb' ? 'doc' : detected?.ext;
    if (!ext || !(ext in ACCEPTED)) return { ok: false, error: 'unsupported' };
    if (!(await this.hasRoom(bytes.length))) return { ok: false, error: 'disk_full' };
    if (meta.owner && !(await this.charge(meta.owner, bytes.length, meta.at))) return { ok: false, error: 'user_quota' };
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const rel = path.join(FILES_DIR, sha256.slice(0, 2), `${sha256}.${ext}`);
    const abs = path.join(this.dataDir, rel);
    await fs.mkdir(path.dirname(abs), { recursive: true });
    await fs.writeFile(abs, bytes, { flag: 'w' });
    this.wrote(bytes.length);
    const name = senderLabel(meta.name ?? '') || `tai-lieu.${ext}`;
    return {
      ok: true,
      file: { sha256, name, mime: ACCEPTED[ext]!, size: bytes.length, path: rel, receivedAt: meta.at.toISOString() },
    };
  }

  absolute(file: Pick<FileRef, 'path'>): string {
    return path.join(this.dataDir, file.path);
  }

  /** Whether `bytes` more fit under the global cap (FILES_MAX_MB). */
  async hasRoom(bytes: number): Promise<boolean> {
    if (!this.quotas) return true;
    if (!this.usage || Date.now() - this.usage.at > USAGE_TTL_MS) { // host clock: age of the cached disk usage
      const measured = (await dirBytes(path.join(this.dataDir, FILES_DIR))) + (await dirBytes(path.join(this.dataDir, UPLOADS_DIR)));
      this.usage = { bytes: measured, at: Date.now() }; // host clock: age of the cached disk usage
    }
    return this.usage.bytes + bytes <= this.quotas.maxTotalBytes;
  }

  /** The daily quota in MB, for messages (0: none). */
  dailyMb(): number {
    return this.quotas ? Math.round(this.quotas.perUserDailyBytes / 1024 / 1024) : 0;
  }

  /** Counts bytes written outside save() (simulator uploads) towards the cap. */
  wrote(bytes: number): void {
    if (this.usage) this.usage.bytes += bytes;
  }

  /** Adds `bytes` to the sender's count for today; false (and nothing added) when it would pass the quota. */
  private async charge(owner: string, bytes: number, at: Date): Promise<boolean> {
    if (!this.quotas) return true;
    const d = vnDate(at);
    const key = `${this.quotas.prefix}:files:quota:${owner}:${d.year}-${d.month}-${d.day}`;
    const used = await this.quotas.redis.incrby(key, bytes);
    if (used === bytes) await this.quotas.redis.expire(key, 2 * 86_400);
    if (used <= this.quotas.perUserDailyBytes) return true;
    await this.quotas.redis.decrby(key, bytes);
    return false;
  }
}

/** The sender's file name as a label: no invisible or control characters, no path, at most 100 characters. */
export function senderLabel(name: string): string {
  return stripInvisible(name)
    .replace(/[\\/\u0000-\u001f\u007f-\u009f]/g, '_')
    .trim()
    .slice(0, 100);
}

/**
 * The name the bot gives a stored file when it shows or sends it: readable words
 * (`to-trinh-de-nghi-khen-thuong-ho-so-12.pdf`) and the extension of its real type, found from its bytes. The
 * sender's own name is at most a secondary label (senderLabel), never the file's name.
 */
export function documentName(words: string, file: Pick<FileRef, 'path'>, id?: string): string {
  const ext = path.extname(file.path).slice(1) || 'bin';
  const slug = fold(stripInvisible(words))
    .replace(/[^a-z0-9]+/g, '-')
    .slice(0, 48)
    // Runs are single dashes by now: one at either end at most (a `-+$` would be quadratic).
    .replace(/^-|-$/g, '');
  return `${slug || 'tai-lieu'}${id ? `-${id.replace(/[^A-Za-z0-9_-]/g, '')}` : ''}.${ext}`;
}

/** Total size of the files under `dir` (0 when it does not exist). */
export async function dirBytes(dir: string): Promise<number> {
  let total = 0;
  const entries = await fs.readdir(dir, { withFileTypes: true, recursive: true }).catch(() => []);
  for (const e of entries) {
    if (!e.isFile()) continue;
    const st = await fs.stat(path.join(e.parentPath, e.name)).catch(() => null);
    total += st?.size ?? 0;
  }
  return total;
}
