import axios from 'axios';
import type { Logger } from 'pino';

/** The OAuth v4 refresh request and how its answers are read (docs/zalo.md §7). */

export interface DownState {
  /** 'grant': the refresh token is dead (reconnect needed); 'config': our app id/secret are wrong. */
  kind: 'grant' | 'config' | 'missing';
  reason: string;
  code?: number;
  at: string;
  /** Hash of app id + secret when kind = 'config': a restart with other credentials clears it. */
  fingerprint?: string;
}

/** A refresh that may work later (network error, timeout, 5xx): nothing was stored. */
export class ZaloTransientError extends Error {
  override readonly name = 'ZaloTransientError';
}

export interface OAuthClient {
  oauthBase: string;
  appId: string;
  appSecret: string;
  httpTimeoutMs: number;
  log: Logger;
  /** Recorded with a 'config' failure (tokens.ts clears it when the credentials change). */
  fingerprint: string;
}

export type Grant = { access: string; refresh: string; expiresInS: number };
export type RefreshAnswer = { ok: true; grant: Grant } | { ok: false; down: Omit<DownState, 'at'> };

/** POST /v4/oa/access_token; classifies the answer. Throws ZaloTransientError when it may work later. */
export async function requestGrant(o: OAuthClient, refreshToken: string): Promise<RefreshAnswer> {
  let status: number;
  let body: string;
  try {
    const res = await axios.post<string>(
      `${o.oauthBase.replace(/\/+$/, '')}/v4/oa/access_token`,
      new URLSearchParams({ app_id: o.appId, grant_type: 'refresh_token', refresh_token: refreshToken }).toString(),
      {
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', secret_key: o.appSecret },
        timeout: o.httpTimeoutMs,
        responseType: 'text',
        transformResponse: (x: unknown) => x,
        validateStatus: () => true,
        maxRedirects: 0,
      },
    );
    status = res.status;
    body = typeof res.data === 'string' ? res.data : '';
  } catch (err) {
    // No answer: the token may or may not have been spent; the next attempt will tell.
    o.log.warn({ err: (err as Error).message }, 'zalo: token refresh failed to reach OAuth');
    throw new ZaloTransientError(`oauth unreachable: ${(err as { code?: string }).code ?? 'network error'}`);
  }
  if (status >= 500 || status === 429) {
    o.log.warn({ status }, 'zalo: OAuth server error');
    throw new ZaloTransientError(`oauth http ${status}`);
  }
  let json: Record<string, unknown> | null = null;
  try {
    const parsed: unknown = body.trim() ? JSON.parse(body) : null;
    json = parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : null;
  } catch {
    json = null;
  }
  const access = json?.access_token;
  const refresh = json?.refresh_token;
  if (status === 200 && typeof access === 'string' && access && typeof refresh === 'string' && refresh) {
    const expires = Number(json?.expires_in);
    return { ok: true, grant: { access, refresh, expiresInS: Number.isFinite(expires) && expires > 60 ? expires : 90_000 } };
  }
  const code = typeof json?.error === 'number' ? json.error : Number(json?.error);
  const named = [json?.error_name, json?.error_description, json?.message].find((x) => typeof x === 'string' && x) as string | undefined;
  o.log.error({ status, code: Number.isFinite(code) ? code : undefined }, 'zalo: token refresh refused');
  if (!body.trim()) return { ok: false, down: { kind: 'grant', reason: 'empty answer to the refresh (refresh token already used?)' } };
  if (!json) return { ok: false, down: { kind: 'config', reason: `OAuth answered HTTP ${status} without JSON (check ZALO_OAUTH_BASE)`, fingerprint: o.fingerprint } };
  const reason = `${Number.isFinite(code) ? code : `HTTP ${status}`}${named ? ` ${named.slice(0, 120)}` : ''}`;
  // -14014: invalid/expired/used refresh token. Other codes (-14001 secret, -14002 app id, …): our credentials.
  if (code === -14014 || (status === 200 && !Number.isFinite(code))) return { ok: false, down: { kind: 'grant', reason, ...(Number.isFinite(code) ? { code } : {}) } };
  return { ok: false, down: { kind: 'config', reason, ...(Number.isFinite(code) ? { code } : {}), fingerprint: o.fingerprint } };
}
