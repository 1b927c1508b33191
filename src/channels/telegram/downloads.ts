import type { InboundAttachment } from '../../engine/types.js';
import { DownloadError, safeDownload, telegramPolicy } from '../../download.js';
import { MAX_FILE_BYTES } from '../../files.js';
import type { TelegramCore } from './shared.js';

/**
 * The engine's fetcher for channel 'telegram': getFile, then download (at most 20 MB)
 * from TELEGRAM_API_ROOT's host; a redirect elsewhere must lead to a public address
 * (src/download.ts).
 */
export function telegramFetcher(core: TelegramCore, apiRoot: string): (a: InboundAttachment) => Promise<Buffer> {
  const fileRoot = `${apiRoot}/file/bot${core.opts.token}`;
  const policy = telegramPolicy(apiRoot);
  return async (a) => {
    if (!a.ref) throw new DownloadError('refused', 'no file id');
    const file = await core.bot.api.getFile(a.ref);
    if (!file.file_path) throw new DownloadError('failed', 'getFile returned no file_path');
    if (file.file_size !== undefined && file.file_size > MAX_FILE_BYTES) throw new DownloadError('too_big', 'declared by getFile');
    // The URL holds the bot token: DownloadError never quotes it.
    const url = `${fileRoot}/${file.file_path.split('/').map(encodeURIComponent).join('/')}`;
    return (await safeDownload(url, policy, { maxBytes: MAX_FILE_BYTES, timeoutMs: 120_000 })).bytes;
  };
}
