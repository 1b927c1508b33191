import axios from 'axios';
import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import { RequestFilteringHttpAgent, RequestFilteringHttpsAgent } from 'request-filtering-agent';
import { MAX_FILE_BYTES } from './files.js';

/**
 * Where attachment downloads may go. `listed` hosts (`host:port`, lower case, port always
 * written) may be at any address, loopback included: an operator named them. Any other
 * host is allowed only when `publicOthers` is set, and then only at a public address,
 * checked by request-filtering-agent on the address actually connected to (so a name that
 * resolves, or re-resolves, to 127.0.0.1 or 10.x is refused before any packet is sent).
 */
export interface DownloadPolicy {
  listed: ReadonlySet<string>;
  publicOthers: boolean;
}

/** Why a download did not give bytes; only `too_big` is told apart to the user (docs/zalo.md). */
export type DownloadFailure = 'refused' | 'failed' | 'too_big';

export class DownloadError extends Error {
  constructor(
    readonly reason: DownloadFailure,
    /** For logs: never the URL (it may hold a token) nor the user's data. */
    detail: string,
  ) {
    super(`download ${reason}: ${detail}`);
  }
}

const DEFAULT_PORT: Record<string, string> = { 'http:': '80', 'https:': '443' };

/** `host:port` of a URL, lower case, with the scheme's default port written out. */
export function hostKey(url: URL): string {
  return `${url.hostname.toLowerCase()}:${url.port || DEFAULT_PORT[url.protocol] || ''}`;
}

/** "files.zdn.vn, 127.0.0.1:8080" → {files.zdn.vn:443, files.zdn.vn:80, 127.0.0.1:8080}; a host without a port allows 80 and 443. */
export function parseHostList(list: string | undefined): Set<string> {
  const out = new Set<string>();
  for (const raw of (list ?? '').split(',').map((s) => s.trim().toLowerCase()).filter(Boolean)) {
    const u = new URL(`http://${raw}`);
    if (u.port) out.add(`${u.hostname}:${u.port}`);
    else for (const p of ['80', '443']) out.add(`${u.hostname}:${p}`);
  }
  return out;
}

/** The Zalo rule: ZALO_FILE_HOSTS when set, otherwise any public address. */
export const zaloPolicy = (fileHosts: string | undefined): DownloadPolicy => {
  const listed = parseHostList(fileHosts);
  return { listed, publicOthers: listed.size === 0 };
};

/** The Telegram rule: the Bot API's own host (TELEGRAM_API_ROOT), and public addresses for anything it redirects to. */
export const telegramPolicy = (apiRoot: string): DownloadPolicy => ({ listed: new Set([hostKey(new URL(apiRoot))]), publicOthers: true });

// Downloads are rare: no pooled sockets to keep anything open.
const PUBLIC = { http: new RequestFilteringHttpAgent(), https: new RequestFilteringHttpsAgent() };
const LISTED = { http: new RequestFilteringHttpAgent({ allowPrivateIPAddress: true }), https: new RequestFilteringHttpsAgent({ allowPrivateIPAddress: true }) };

export interface DownloadOptions {
  maxBytes?: number;
  /** For the whole download, redirects included. */
  timeoutMs?: number;
  maxRedirects?: number;
}

/**
 * GETs `url` into memory under `policy`: http(s) only, every redirect hop checked again
 * (scheme, host, address), at most `maxRedirects` hops, at most `maxBytes` read (counted
 * while streaming, whatever Content-Length says), only a 200 answer accepted.
 */
export async function safeDownload(url: string, policy: DownloadPolicy, opts: DownloadOptions = {}): Promise<{ bytes: Buffer; headers: IncomingHttpHeaders }> {
  const maxBytes = opts.maxBytes ?? MAX_FILE_BYTES;
  const maxRedirects = opts.maxRedirects ?? 3;
  const signal = AbortSignal.timeout(opts.timeoutMs ?? 60_000);
  let current = url;
  for (let hop = 0; ; hop++) {
    let target: URL;
    try {
      target = new URL(current);
    } catch {
      throw new DownloadError('refused', 'not a URL');
    }
    if (target.protocol !== 'http:' && target.protocol !== 'https:') throw new DownloadError('refused', `scheme ${target.protocol}`);
    if (target.username || target.password) throw new DownloadError('refused', 'credentials in URL');
    const listed = policy.listed.has(hostKey(target));
    if (!listed && !policy.publicOthers) throw new DownloadError('refused', 'host not listed');
    const agents = listed ? LISTED : PUBLIC;
    let res;
    try {
      res = await axios.get<Readable>(target.href, {
        responseType: 'stream',
        httpAgent: agents.http,
        httpsAgent: agents.https,
        // Redirects are followed here, one checked hop at a time; no proxy from the environment.
        maxRedirects: 0,
        proxy: false,
        signal,
        timeout: opts.timeoutMs ?? 60_000,
        validateStatus: () => true,
        decompress: true,
      });
    } catch (err) {
      // The agent's refusal ("… is not allowed") and a network failure look alike to the user.
      const msg = err instanceof Error ? err.message : String(err);
      throw new DownloadError(/is not allowed/.test(msg) ? 'refused' : 'failed', /is not allowed/.test(msg) ? 'address not public' : (err as { code?: string }).code ?? 'network');
    }
    const { status, headers, data } = res;
    if (status >= 300 && status < 400 && headers.location) {
      data.destroy();
      if (hop >= maxRedirects) throw new DownloadError('failed', 'too many redirects');
      current = new URL(String(headers.location), target).href;
      continue;
    }
    if (status !== 200) {
      data.destroy();
      throw new DownloadError('failed', `HTTP ${status}`);
    }
    if (Number(headers['content-length'] ?? 0) > maxBytes) {
      data.destroy();
      throw new DownloadError('too_big', 'declared');
    }
    return { bytes: await readCapped(data, maxBytes), headers: headers as IncomingHttpHeaders };
  }
}

async function readCapped(stream: Readable, maxBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of stream) {
      total += (chunk as Buffer).length;
      if (total > maxBytes) {
        stream.destroy();
        throw new DownloadError('too_big', 'streamed');
      }
      chunks.push(chunk as Buffer);
    }
  } catch (err) {
    if (err instanceof DownloadError) throw err;
    throw new DownloadError('failed', 'interrupted');
  }
  return Buffer.concat(chunks);
}
