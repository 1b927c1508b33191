import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileTypeFromBuffer } from 'file-type';
import type { FileRef } from './domain/entities.js';

/** Dossier documents we accept: what offices actually send (PDF, Word, scans as images). */
const ACCEPTED: Record<string, string> = {
  pdf: 'application/pdf',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  doc: 'application/msword',
  jpg: 'image/jpeg',
  png: 'image/png',
};
export const MAX_FILE_BYTES = 20 * 1024 * 1024;

export type SaveResult = { ok: true; file: FileRef } | { ok: false; error: 'too_big' | 'unsupported' | 'empty' };

/**
 * Stores received files under DATA_DIR/files by content hash, after checking the size
 * and the real type from the bytes (a name or a MIME header can lie).
 */
export class FileStore {
  constructor(private readonly dataDir: string) {}

  async save(bytes: Buffer, meta: { name?: string; at: Date }): Promise<SaveResult> {
    if (bytes.length === 0) return { ok: false, error: 'empty' };
    if (bytes.length > MAX_FILE_BYTES) return { ok: false, error: 'too_big' };
    const detected = await fileTypeFromBuffer(bytes);
    // Old .doc files are OLE containers; file-type reports them as "cfb".
    const ext = detected?.ext === 'cfb' ? 'doc' : detected?.ext;
    if (!ext || !(ext in ACCEPTED)) return { ok: false, error: 'unsupported' };
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const rel = path.join('files', sha256.slice(0, 2), `${sha256}.${ext}`);
    const abs = path.join(this.dataDir, rel);
    await fs.mkdir(path.dirname(abs), { recursive: true });
    await fs.writeFile(abs, bytes, { flag: 'w' });
    const name = (meta.name ?? `tai-lieu.${ext}`).replace(/[\\/\u0000-\u001f]/g, '_').slice(0, 200) || `tai-lieu.${ext}`;
    return {
      ok: true,
      file: { sha256, name, mime: ACCEPTED[ext]!, size: bytes.length, path: rel, receivedAt: meta.at.toISOString() },
    };
  }

  absolute(file: Pick<FileRef, 'path'>): string {
    return path.join(this.dataDir, file.path);
  }
}
