import type { Readable } from 'node:stream';
import { Agent } from 'undici';

/** What grammY passes to `fetch` (see grammy/out/core/payload.js) and what it reads back. */
interface BotApiRequest {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Readable;
  signal?: AbortSignal;
}
interface BotApiResponse {
  ok: boolean;
  status: number;
  json(): Promise<unknown>;
}

/**
 * The Bot API transport for grammY's `client.fetch` option: undici's request on a pool
 * of keep-alive connections, instead of node-fetch on an http.Agent. Replies are the
 * hot path of every update, and undici does the same call with far less work per
 * request (no WHATWG Request/Headers objects, no per-call URL parsing or header checks).
 * grammY only calls `.json()` on the response (Telegram answers JSON, errors included),
 * so that is all this returns; multipart uploads (sendDocument) arrive as a stream.
 */
export function createBotApiTransport(opts: { connections?: number } = {}) {
  const agent = new Agent({ connections: opts.connections ?? 32, keepAliveTimeout: 30_000, keepAliveMaxTimeout: 120_000 });
  const fetch = async (url: string, init: BotApiRequest = {}): Promise<BotApiResponse> => {
    const origin = originOf(url);
    const res = await agent.request({
      origin,
      path: url.slice(origin.length) || '/',
      method: (init.method ?? 'GET') as 'GET',
      ...(init.headers && { headers: init.headers }),
      ...(init.body !== undefined && { body: init.body }),
      ...(init.signal && { signal: init.signal }),
    });
    return { ok: res.statusCode >= 200 && res.statusCode < 300, status: res.statusCode, json: () => res.body.json() };
  };
  return {
    /** Typed for grammY's ClientOptions.fetch, which names node-fetch's signature. */
    fetch: fetch as unknown as typeof globalThis.fetch,
    close: () => agent.close(),
  };
}

/** `http://host:port` of an absolute URL, without building a URL object per call. */
function originOf(url: string): string {
  const slash = url.indexOf('/', url.indexOf('//') + 2);
  return slash < 0 ? url : url.slice(0, slash);
}
