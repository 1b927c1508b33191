import axios, { type AxiosInstance } from 'axios';
import type { Logger } from 'pino';
import { TOKEN_CODES, type ZaloAnswer } from './codes.js';
import type { ZaloTokens } from './tokens.js';

/**
 * The Zalo OpenAPI over axios: `access_token` header (not Authorization), JSON bodies,
 * GET parameters as one JSON `data` query parameter, errors as HTTP 200 with `error` ≠ 0.
 * A token error (-216/-220, ZNS -124) refreshes the token once and retries once.
 * Never logs request headers or bodies (tokens, personal data).
 */

export class ZaloHttpError extends Error {
  override readonly name = 'ZaloHttpError';
  constructor(
    readonly kind: 'transient' | 'rate_limited' | 'config',
    message: string,
    readonly retryAfterMs = 0,
  ) {
    super(message);
  }
}

export type ZaloServer = 'openapi' | 'business';

export interface ZaloRequest {
  server?: ZaloServer;
  method: 'GET' | 'POST';
  path: string;
  json?: unknown;
  /** GET parameters, sent as `?data=<json>`. */
  data?: Record<string, unknown>;
  form?: FormData;
}

export interface ZaloApiOptions {
  apiBase: string;
  znsBase: string;
  tokens: ZaloTokens;
  log: Logger;
  timeoutMs?: number;
}

export class ZaloApi {
  private readonly http: AxiosInstance;

  constructor(private readonly opts: ZaloApiOptions) {
    this.http = axios.create({ timeout: opts.timeoutMs ?? 20_000, validateStatus: () => true, maxRedirects: 0 });
  }

  /** One call with token handling; resolves to Zalo's answer (error 0 or not), throws ZaloHttpError/ZaloDownError. */
  async call(req: ZaloRequest): Promise<ZaloAnswer> {
    const token = await this.opts.tokens.accessToken();
    const first = await this.once(req, token);
    if (!TOKEN_CODES.has(first.error)) return first;
    this.opts.log.info({ code: first.error, path: req.path }, 'zalo: token refused, refreshing once');
    const fresh = await this.opts.tokens.refresh(token);
    return this.once(req, fresh);
  }

  private async once(req: ZaloRequest, token: string): Promise<ZaloAnswer> {
    const base = (req.server === 'business' ? this.opts.znsBase : this.opts.apiBase).replace(/\/+$/, '');
    let status: number;
    let body: unknown;
    try {
      const res = await this.http.request({
        method: req.method,
        url: `${base}${req.path}`,
        headers: { access_token: token, ...(req.json !== undefined ? { 'Content-Type': 'application/json' } : {}) },
        ...(req.data ? { params: { data: JSON.stringify(req.data) } } : {}),
        ...(req.json !== undefined ? { data: JSON.stringify(req.json) } : {}),
        ...(req.form ? { data: req.form } : {}),
      });
      status = res.status;
      body = res.data;
    } catch (err) {
      const code = (err as { code?: string }).code ?? 'network error';
      this.opts.log.warn({ path: req.path, code }, 'zalo: request failed');
      throw new ZaloHttpError('transient', `zalo ${req.path}: ${code}`);
    }
    if (status === 429) throw new ZaloHttpError('rate_limited', `zalo ${req.path}: HTTP 429`, 30_000);
    if (status >= 500) throw new ZaloHttpError('transient', `zalo ${req.path}: HTTP ${status}`);
    if (typeof body === 'string') {
      try {
        body = JSON.parse(body);
      } catch {
        /* handled below */
      }
    }
    const b = body && typeof body === 'object' ? (body as Record<string, unknown>) : undefined;
    const error = Number(b?.error);
    if (status !== 200 || !b || !Number.isFinite(error)) {
      this.opts.log.error({ path: req.path, status }, 'zalo: unexpected answer');
      throw new ZaloHttpError('config', `zalo ${req.path}: HTTP ${status}${b ? '' : ' without JSON'}`);
    }
    const data = b.data && typeof b.data === 'object' ? (b.data as Record<string, unknown>) : undefined;
    return { error, message: typeof b.message === 'string' ? b.message : '', ...(data ? { data } : {}) };
  }
}
