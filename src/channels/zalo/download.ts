import axios from 'axios';
import type { InboundAttachment } from '../../engine/types.js';
import { MAX_FILE_BYTES } from '../../files.js';

/**
 * Downloads a file or image a Zalo user sent (attachment.ref = the URL from the event;
 * plain HTTP(S), no token, may expire: fetched at once). Size is checked before and while
 * reading; an HTML page (an expired link's error page) is refused. The real type is then
 * checked from the bytes by FileStore.
 */
export async function downloadZaloAttachment(a: InboundAttachment, opts: { timeoutMs?: number; maxBytes?: number } = {}): Promise<Buffer> {
  const maxBytes = opts.maxBytes ?? MAX_FILE_BYTES;
  if (!a.ref || !/^https?:\/\//i.test(a.ref)) throw new Error('zalo attachment without an http(s) URL');
  if (a.size !== undefined && a.size > maxBytes) throw new Error('zalo attachment too big');
  const res = await axios.get<ArrayBuffer>(a.ref, {
    responseType: 'arraybuffer',
    timeout: opts.timeoutMs ?? 20_000,
    maxContentLength: maxBytes,
    maxRedirects: 3,
    validateStatus: (s) => s === 200,
  });
  const type = String(res.headers['content-type'] ?? '');
  if (/^text\/html/i.test(type)) throw new Error('zalo attachment URL answered a web page');
  return Buffer.from(res.data);
}
