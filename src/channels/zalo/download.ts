import type { InboundAttachment } from '../../engine/types.js';
import { DownloadError, safeDownload, type DownloadPolicy } from '../../download.js';
import { MAX_FILE_BYTES } from '../../files.js';

/**
 * Downloads a file or image a Zalo user sent (attachment.ref = the URL from the event;
 * plain HTTP(S), no token, may expire: fetched at once) under the download policy
 * (ZALO_FILE_HOSTS, or public addresses only; src/download.ts). An HTML page (an expired
 * link's error page) is refused. The real type is then checked from the bytes by FileStore.
 */
export async function downloadZaloAttachment(a: InboundAttachment, policy: DownloadPolicy, opts: { timeoutMs?: number; maxBytes?: number } = {}): Promise<Buffer> {
  const maxBytes = opts.maxBytes ?? MAX_FILE_BYTES;
  if (!a.ref) throw new DownloadError('refused', 'no URL');
  if (a.size !== undefined && a.size > maxBytes) throw new DownloadError('too_big', 'declared in the event');
  const { bytes, headers } = await safeDownload(a.ref, policy, { maxBytes, timeoutMs: opts.timeoutMs ?? 20_000 });
  if (/^text\/html/i.test(String(headers['content-type'] ?? ''))) throw new DownloadError('failed', 'a web page');
  return bytes;
}
