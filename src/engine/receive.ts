import type { Logger } from 'pino';
import type { Channel, FileRef } from '../domain/entities.js';
import { DownloadError } from '../download.js';
import { MAX_FILE_BYTES, type FileStore } from '../files.js';
import type { MsgKey } from '../i18n.js';
import type { InboundAttachment } from './types.js';

export type AttachmentFetcher = (attachment: InboundAttachment) => Promise<Buffer>;

/**
 * Fetches and stores a file a user sent. Every failure before the bytes arrived from an
 * allowed host gets the same neutral answer (a refused address, a closed port, a 404 and
 * a timeout look alike: docs/zalo.md); the size, type and quota answers come only after.
 */
export async function receiveFile(
  deps: { fetchers?: Partial<Record<Channel, AttachmentFetcher>>; files: FileStore; log: Logger },
  who: { channel: Channel; userId: string },
  attachment: InboundAttachment,
  at: Date,
): Promise<{ ok: true; file: FileRef } | { ok: false; error: MsgKey }> {
  const fetch = deps.fetchers?.[who.channel];
  if (!fetch || !attachment.ref) return { ok: false, error: 'error.file_unavailable' };
  if (attachment.size !== undefined && attachment.size > MAX_FILE_BYTES) return { ok: false, error: 'error.file_too_big' };
  let bytes: Buffer;
  try {
    bytes = await fetch(attachment);
  } catch (err) {
    // The message only: DownloadError never holds the URL; other errors may (a token), so only their class.
    const why = err instanceof DownloadError ? err.message : err instanceof Error ? err.name : 'error';
    deps.log.warn({ err: why, channel: who.channel }, 'file download failed');
    return { ok: false, error: err instanceof DownloadError && err.reason === 'too_big' ? 'error.file_too_big' : 'error.file_unavailable' };
  }
  const saved = await deps.files.save(bytes, { name: attachment.name, at, owner: `${who.channel}:${who.userId}` });
  if (saved.ok) return saved;
  const key = {
    too_big: 'error.file_too_big',
    unsupported: 'error.file_type',
    empty: 'error.file_empty',
    user_quota: 'error.file_quota',
    disk_full: 'error.files_full',
  } as const;
  if (saved.error === 'disk_full') deps.log.error({ channel: who.channel }, 'file refused: FILES_MAX_MB reached');
  return { ok: false, error: key[saved.error] };
}
