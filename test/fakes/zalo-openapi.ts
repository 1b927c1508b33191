/**
 * A local fake of Zalo's Official Account OpenAPI, OAuth v4 and ZNS, for tests.
 *
 * Four loopback servers, each an origin without a path, like production:
 *  - apiBase   ~ https://openapi.zalo.me           (ZALO_API_BASE)
 *  - oauthBase ~ https://oauth.zaloapp.com         (ZALO_OAUTH_BASE)
 *  - znsBase   ~ https://business.openapi.zalo.me  (ZNS by phone)
 *  - filesBase ~ Zalo's CDN for attachment URLs in webhook events (`GET /files/<name>`)
 *
 * Wire format (see docs/zalo.md for sources and what is unconfirmed):
 *  - OpenAPI: header `access_token: <token>` (not Authorization); JSON bodies; GET
 *    parameters as one JSON-encoded `data` query parameter. Application errors come back
 *    as HTTP 200 with `{"error": <negative code>, "message": "..."}`; success is
 *    `{"error":0,"message":"Success","data":{...}}`.
 *  - OAuth v4: `POST /v4/oa/access_token`, form-urlencoded, header `secret_key: <App Secret>`;
 *    answers `{"access_token","refresh_token","expires_in":"90000"}` (expires_in a STRING);
 *    refresh tokens are single-use: a spent one gets HTTP 200 `{"error":-14014,...}`.
 */
import { createHash, randomBytes } from 'node:crypto';
import express from 'express';
import type { Express, Request, Response } from 'express';
import { multipartBoundary, parseMultipart } from './multipart.js';
import { listen, rawBody, sleep, Waiters, type Listening } from './server.js';

// ---------------------------------------------------------------------------------------
// Error catalogue (codes and messages as Zalo sends them; see docs/zalo.md)

export const ZALO_ERRORS = {
  invalidAccessToken: { error: -216, message: 'Access token is invalid' },
  expiredAccessToken: { error: -220, message: 'access_token is expired or removed' },
  rateLimit: { error: -32, message: 'Your application reached limit call api' },
  attachmentExpired: { error: -100, message: 'attachment_id was expired' },
  notFollower: { error: -213, message: 'User has not followed OA' },
  userInactive: { error: -227, message: 'User is banned or has been inactive for more than 45 days' },
  noInteraction7Days: { error: -230, message: 'User has not interacted with the OA in the past 7 days' },
  noInteraction: { error: -232, message: 'User has not interacted, or last interaction expired' },
  nightBan: { error: -234, message: 'This message cannot be sent at night (10:00PM - 6:00AM)' },
  outOfQuota: { error: -211, message: 'Out of quota' },
  restricted: { error: -244, message: 'User has restricted this message type from your OA' },
  paramExceedsLimit: { error: -210, message: 'Parameter exceeds allowable limit' },
  /** `-201 <field> is invalid!` — Zalo interpolates the field name. */
  invalidParam: (field: string) => ({ error: -201, message: `${field} is invalid!` }),
  /** Seen in the wild as "table.content.value cannot exceed 100 characters". */
  tooLong: (field: string, max: number) => ({ error: -201, message: `${field} cannot exceed ${max} characters` }),
  // ZNS (business.openapi.zalo.me) has its own table.
  znsInvalidAccessToken: { error: -124, message: 'Access token invalid' },
  znsPhoneInvalid: { error: -108, message: 'Phone number invalid' },
  znsTemplateInvalid: { error: -109, message: 'Template ID invalid' },
  znsTemplateDataMissing: { error: -1122, message: 'Missing template parameter' },
} as const;

/** OAuth v4 failures: HTTP 200, no access_token, an `error` code and `error_name`. */
export const ZALO_OAUTH_ERRORS = {
  /** Seen in several independent integrations for a dead/spent/unknown refresh token. */
  invalidRefreshToken: {
    error: -14014,
    error_name: 'Invalid refresh token',
    error_reason: 'Refresh token is invalid, expired or already used',
    error_description: 'Invalid refresh token',
  },
  invalidCode: {
    error: -14014,
    error_name: 'Invalid authorization code',
    error_reason: 'Authorization code is invalid, expired or already used',
    error_description: 'Invalid authorization code',
  },
  /** Attested at the permission endpoint ("Invalid appId"). */
  invalidAppId: { error: -14002, error_name: 'Invalid appId', error_reason: 'App id is invalid', error_description: 'Invalid appId' },
  /** Code NOT confirmed from any source: the fake's stand-in for a wrong `secret_key` header. */
  invalidSecretKey: {
    error: -14001,
    error_name: 'Invalid secret key',
    error_reason: 'secret_key is invalid',
    error_description: 'Invalid secret key',
  },
  /** Code NOT confirmed: missing/unsupported grant_type or a body that is not form-urlencoded. */
  invalidParameter: {
    error: -14000,
    error_name: 'Invalid parameter',
    error_reason: 'grant_type is invalid',
    error_description: 'Invalid parameter',
  },
  invalidCodeVerifier: {
    error: -14019,
    error_name: 'Invalid code verifier',
    error_reason: 'code_verifier does not match code_challenge',
    error_description: 'Invalid code verifier',
  },
} as const;

export const ZALO_LIMITS = {
  textMax: 2000,
  buttonsMax: 5,
  buttonTitleMax: 100,
  buttonPayloadMax: 1000,
  fileUploadMaxBytes: 5 * 1024 * 1024,
  imageUploadMaxBytes: 1024 * 1024,
  /** Uploaded attachment ids / file tokens expire after 7 days. */
  uploadTtlMs: 7 * 24 * 3600 * 1000,
  freeWindowMs: 48 * 3600 * 1000,
  interactionWindowMs: 7 * 24 * 3600 * 1000,
  accessTokenTtlSec: 90_000,
  refreshTokenTtlSec: 90 * 24 * 3600,
} as const;

const BUTTON_TYPES = new Set(['oa.open.url', 'oa.query.show', 'oa.query.hide', 'oa.open.sms', 'oa.open.phone']);

// ---------------------------------------------------------------------------------------
// Public types

export type ZaloServer = 'openapi' | 'oauth' | 'business' | 'files';

export interface ZaloCall {
  server: ZaloServer;
  httpMethod: string;
  /** Path without query, e.g. "/v3.0/oa/message/cs". */
  path: string;
  query: Record<string, string>;
  /** Selected headers: access_token, secret_key, content-type. */
  headers: Record<string, string | undefined>;
  /** Parsed body: JSON object, form fields, or for multipart {fields, files:[{name,filename,size}]}. */
  body: unknown;
  at: number;
  status: number;
  response: unknown;
}

export interface SentZaloMessage {
  endpoint: 'cs' | 'template';
  message_id: string;
  user_id: string;
  /** The request's `message` object (cs) or `{template_id, template_data}` (template). */
  message: Record<string, unknown>;
  text?: string;
  /** Buttons of a text+buttons template, if any. */
  buttons?: Array<Record<string, unknown>>;
  attachmentType?: string;
  /** True when sent between 48 h and 7 days after the user's last interaction. */
  billable: boolean;
  accessToken: string;
  at: number;
}

export interface ZnsMessage {
  msg_id: string;
  phone: string;
  template_id: string;
  template_data: Record<string, unknown>;
  tracking_id?: string;
  mode?: string;
  at: number;
}

export interface RefreshRecord {
  at: number;
  grantType: string;
  /** The refresh token (or code) presented. */
  presented: string;
  ok: boolean;
  /** Error code answered when !ok. */
  error?: number;
  newAccessToken?: string;
  newRefreshToken?: string;
}

export interface ZaloUpload {
  kind: 'file' | 'image' | 'gif';
  id: string;
  filename: string;
  contentType: string;
  size: number;
  data: Buffer;
  at: number;
}

export interface ZaloUserProfile {
  user_id: string;
  user_id_by_app: string;
  display_name: string;
  user_alias?: string;
  avatar?: string;
  user_is_follower?: boolean;
  shared_info?: { name?: string; phone?: string; address?: string; city?: string; district?: string };
}

export type ZaloFailure =
  | { error: number; message?: string; httpStatus?: number }
  /** Answer exactly this body (for OAuth-shaped or malformed answers). */
  | { body: unknown; httpStatus?: number }
  /** Destroy the connection without answering (network error). */
  | { drop: true };

export interface FakeZaloOptions {
  appId: string;
  /** The App Secret: the `secret_key` header of OAuth requests. */
  appSecret: string;
  /** The OA Secret Key: signs webhook events (see zalo-events.ts). */
  oaSecretKey: string;
  initialRefreshToken: string;
  /** Access token lifetime, seconds (default 90000 = 25 h, as Zalo). */
  accessTokenTtlSec?: number;
  refreshTokenTtlSec?: number;
  /** An access token valid from the start (default: none — the bot must refresh first). */
  initialAccessToken?: string;
  oaId?: string;
  /** Clock for token expiry and interaction windows (default Date.now). */
  now?: () => number;
  /**
   * Last interaction of users never passed to setLastInteraction:
   * 'recent' (default: anyone can be messaged) or 'never' (→ -230).
   */
  unknownUsers?: 'recent' | 'never';
  /**
   * What a spent refresh token gets: 'error' (default, the -14014 body) or 'empty'
   * (an empty HTTP 200 body, reported by one integration for already-used tokens).
   */
  spentRefreshAnswer?: 'error' | 'empty';
  /** Old access tokens stop working when a refresh succeeds (default false: they live until expiry). */
  revokeOnRefresh?: boolean;
  /** How long idle client connections are kept, ms (default 1000; benchmarks: longer, as Zalo). */
  keepAliveMs?: number;
}

export interface FakeZalo {
  apiBase: string;
  oauthBase: string;
  znsBase: string;
  filesBase: string;
  oaId: string;
  calls: ZaloCall[];
  callsTo(path: string): ZaloCall[];
  /** Messages accepted by /v3.0/oa/message/cs and /v3.0/oa/message/template, per user id. */
  sent: Map<string, SentZaloMessage[]>;
  sentTo(userId: string): SentZaloMessage[];
  /** Calls `listener` with each message accepted for a user, as it is recorded; returns the unsubscribe. */
  onSent(listener: (m: SentZaloMessage) => void): () => void;
  /** ZNS messages accepted by business /message/template. */
  zns: ZnsMessage[];
  uploads: ZaloUpload[];
  refreshes: RefreshRecord[];
  /** Successful token grants (refresh_token and authorization_code). */
  readonly refreshCount: number;
  /** Refresh tokens consumed by a successful refresh, in order. */
  spentRefreshTokens: string[];
  readonly currentAccessToken: string | undefined;
  readonly currentRefreshToken: string;
  /** Every currently valid access token starts failing with -220 (or the given code, e.g. -216). */
  expireAccessTokens(code?: -216 | -220): void;
  /** Kills the current refresh token (as if revoked/expired): the next refresh gets -14014. */
  revokeRefreshToken(): void;
  /**
   * The next matching request(s) fail. `path` like "/v3.0/oa/message/cs" or
   * "/v4/oa/access_token"; `'*'` matches every path. `userId` restricts to that recipient.
   */
  failNext(path: string, failure: ZaloFailure, opts?: { times?: number; userId?: string }): void;
  /** Delays answers on a path (e.g. a slow OAuth server for lock tests). */
  setDelay(path: string, ms: number): void;
  /** Sets a user's last interaction (null: never interacted). Drives -230 and `billable`. */
  setLastInteraction(userId: string, date: Date | number | null): void;
  setUser(profile: Partial<ZaloUserProfile> & { user_id: string }): void;
  /** Registers an approved template for /v3.0/oa/message/template and ZNS (checks its params). */
  addTemplate(templateId: string, params: string[]): void;
  /** Serves bytes at `${filesBase}/files/<name>`; returns that URL. */
  addAttachment(name: string, data: Buffer, contentType?: string): string;
  removeAttachment(name: string): void;
  /** Issues an authorization code for grant_type=authorization_code (PKCE checked when given). */
  issueAuthorizationCode(opts?: { codeChallenge?: string }): string;
  waitFor<T>(probe: (calls: readonly ZaloCall[]) => T | undefined | null | false, timeoutMs?: number): Promise<T>;
  close(): Promise<void>;
}

// ---------------------------------------------------------------------------------------

const hex = (bytes: number) => randomBytes(bytes).toString('hex');
const tokenString = () => randomBytes(96).toString('base64url');

interface AccessTokenState {
  expiresAt: number;
  /** undefined while valid; else the error code it now answers. */
  dead?: -216 | -220;
}

interface FailureRule {
  path: string;
  failure: ZaloFailure;
  userId?: string;
  remaining: number;
}

export async function startFakeZalo(options: FakeZaloOptions): Promise<FakeZalo> {
  const now = options.now ?? Date.now;
  const ttlMs = (options.accessTokenTtlSec ?? ZALO_LIMITS.accessTokenTtlSec) * 1000;
  const refreshTtlMs = (options.refreshTokenTtlSec ?? ZALO_LIMITS.refreshTokenTtlSec) * 1000;
  const oaId = options.oaId ?? '388613280878808645';

  const calls: ZaloCall[] = [];
  const waiters = new Waiters();
  const sent = new Map<string, SentZaloMessage[]>();
  const zns: ZnsMessage[] = [];
  const uploads: ZaloUpload[] = [];
  const uploadsById = new Map<string, ZaloUpload>();
  const refreshes: RefreshRecord[] = [];
  const spentRefreshTokens: string[] = [];
  const accessTokens = new Map<string, AccessTokenState>();
  const refreshTokens = new Map<string, { expiresAt: number; spent: boolean; revoked: boolean }>();
  const codes = new Map<string, { challenge?: string; used: boolean; expiresAt: number }>();
  const lastInteraction = new Map<string, number | null>();
  const users = new Map<string, ZaloUserProfile>();
  const templates = new Map<string, string[]>();
  const attachments = new Map<string, { data: Buffer; contentType: string }>();
  const delays = new Map<string, number>();
  let failures: FailureRule[] = [];
  let currentAccessToken: string | undefined;
  let currentRefreshToken = options.initialRefreshToken;
  let refreshCount = 0;

  refreshTokens.set(options.initialRefreshToken, { expiresAt: now() + refreshTtlMs, spent: false, revoked: false });
  if (options.initialAccessToken) {
    accessTokens.set(options.initialAccessToken, { expiresAt: now() + ttlMs });
    currentAccessToken = options.initialAccessToken;
  }

  const userIdByApp = (userId: string) =>
    BigInt('0x' + createHash('sha256').update(`${options.appId}:${userId}`).digest('hex').slice(0, 15)).toString();

  const profileOf = (userId: string): ZaloUserProfile =>
    users.get(userId) ?? {
      user_id: userId,
      user_id_by_app: userIdByApp(userId),
      display_name: `Người dùng ${userId.slice(-4)}`,
      user_is_follower: true,
    };

  /** ms since the user's last interaction, or undefined if they never interacted. */
  const interactionAge = (userId: string): number | undefined => {
    const v = lastInteraction.has(userId) ? lastInteraction.get(userId) : options.unknownUsers === 'never' ? null : now();
    return v === null || v === undefined ? undefined : now() - v;
  };

  // --- token checks ----------------------------------------------------------------------

  /** undefined if the access_token header is valid, else the error body to answer. */
  const checkAccessToken = (req: Request, zns = false): { error: number; message: string } | undefined => {
    const header = req.headers['access_token'];
    const token = typeof header === 'string' ? header : undefined;
    const state = token ? accessTokens.get(token) : undefined;
    if (!token || !state) return zns ? ZALO_ERRORS.znsInvalidAccessToken : ZALO_ERRORS.invalidAccessToken;
    if (state.dead === -216) return zns ? ZALO_ERRORS.znsInvalidAccessToken : ZALO_ERRORS.invalidAccessToken;
    if (state.dead === -220 || now() >= state.expiresAt) {
      return zns ? ZALO_ERRORS.znsInvalidAccessToken : ZALO_ERRORS.expiredAccessToken;
    }
    return undefined;
  };

  const grantTokens = (): { access_token: string; refresh_token: string; expires_in: string } => {
    const access = tokenString();
    const refresh = tokenString();
    if (options.revokeOnRefresh) for (const s of accessTokens.values()) s.dead ??= -216;
    accessTokens.set(access, { expiresAt: now() + ttlMs });
    refreshTokens.set(refresh, { expiresAt: now() + refreshTtlMs, spent: false, revoked: false });
    currentAccessToken = access;
    currentRefreshToken = refresh;
    refreshCount++;
    return { access_token: access, refresh_token: refresh, expires_in: String(Math.round(ttlMs / 1000)) };
  };

  // --- body parsing ------------------------------------------------------------------------

  type Parsed =
    | { kind: 'json'; value: unknown }
    | { kind: 'form'; value: Record<string, string> }
    | { kind: 'multipart'; fields: Record<string, string>; files: Array<{ name: string; filename: string; contentType: string; data: Buffer }> }
    | { kind: 'none' }
    | { kind: 'invalid' };

  const parseBody = (req: Request): Parsed => {
    const body = req.body as Buffer | undefined;
    if (!body || body.length === 0) return { kind: 'none' };
    const ct = req.headers['content-type'] ?? '';
    if (/application\/json/i.test(ct)) {
      try {
        return { kind: 'json', value: JSON.parse(body.toString('utf8')) };
      } catch {
        return { kind: 'invalid' };
      }
    }
    if (/application\/x-www-form-urlencoded/i.test(ct)) {
      return { kind: 'form', value: Object.fromEntries(new URLSearchParams(body.toString('utf8'))) };
    }
    const boundary = multipartBoundary(ct);
    if (boundary) {
      try {
        const mp = parseMultipart(body, boundary);
        return { kind: 'multipart', fields: Object.fromEntries(mp.fields.map((f) => [f.name, f.value])), files: mp.files };
      } catch {
        return { kind: 'invalid' };
      }
    }
    // Zalo tolerates a JSON body without the header; so does the fake.
    try {
      return { kind: 'json', value: JSON.parse(body.toString('utf8')) };
    } catch {
      return { kind: 'invalid' };
    }
  };

  const bodyForRecord = (p: Parsed): unknown =>
    p.kind === 'json' || p.kind === 'form'
      ? p.value
      : p.kind === 'multipart'
        ? { fields: p.fields, files: p.files.map((f) => ({ name: f.name, filename: f.filename, contentType: f.contentType, size: f.data.length })) }
        : p.kind === 'invalid'
          ? '<invalid body>'
          : undefined;

  // --- request wrapper: record, inject failures, delay --------------------------------------

  type Handler = (req: Request, parsed: Parsed) => { status?: number; body: unknown } | Promise<{ status?: number; body: unknown }>;

  const recipientOf = (p: Parsed, req: Request): string | undefined => {
    if (p.kind === 'json' && p.value && typeof p.value === 'object') {
      const v = p.value as { recipient?: { user_id?: unknown }; user_id?: unknown; phone?: unknown };
      const id = v.recipient?.user_id ?? v.user_id ?? v.phone;
      return id === undefined ? undefined : String(id);
    }
    if (typeof req.query.data === 'string') {
      try {
        const d = JSON.parse(req.query.data) as { user_id?: unknown };
        return d.user_id === undefined ? undefined : String(d.user_id);
      } catch {
        return undefined;
      }
    }
    return undefined;
  };

  const route = (server: ZaloServer, handler: Handler) => async (req: Request, res: Response) => {
    const parsed = parseBody(req);
    const path = req.path;
    const at = now();
    const query = Object.fromEntries(Object.entries(req.query).filter(([, v]) => typeof v === 'string')) as Record<string, string>;
    const headers = {
      access_token: req.headers['access_token'] as string | undefined,
      secret_key: req.headers['secret_key'] as string | undefined,
      'content-type': req.headers['content-type'],
    };
    const record = (status: number, response: unknown) => {
      calls.push({ server, httpMethod: req.method, path, query, headers, body: bodyForRecord(parsed), at, status, response });
      waiters.notify();
    };
    const delay = delays.get(path) ?? delays.get('*');
    if (delay) await sleep(delay);

    const userId = recipientOf(parsed, req);
    const idx = failures.findIndex((f) => (f.path === '*' || f.path === path) && (f.userId === undefined || f.userId === userId));
    if (idx >= 0) {
      const rule = failures[idx]!;
      if (--rule.remaining <= 0) failures.splice(idx, 1);
      const f = rule.failure;
      if ('drop' in f) {
        record(0, undefined);
        req.socket.destroy();
        return;
      }
      const body = 'body' in f ? f.body : { error: f.error, message: f.message ?? 'Error' };
      const status = f.httpStatus ?? 200;
      record(status, body);
      if (body === '' || body === undefined) res.status(status).end();
      else if (typeof body === 'string') res.status(status).type('text/plain').send(body);
      else res.status(status).json(body);
      return;
    }
    try {
      const out = await handler(req, parsed);
      const status = out.status ?? 200;
      record(status, out.body);
      if (out.body === '') res.status(status).end();
      else res.status(status).json(out.body);
    } catch (e) {
      record(500, String(e));
      res.status(500).json({ error: -1, message: 'fake server error: ' + String(e) });
    }
  };

  const ok = (data: unknown) => ({ body: { error: 0, message: 'Success', data } });
  const fail = (e: { error: number; message: string }) => ({ body: { error: e.error, message: e.message } });

  // --- OpenAPI ---------------------------------------------------------------------------

  const validateButtons = (buttons: unknown): { error: number; message: string } | undefined => {
    if (!Array.isArray(buttons) || buttons.length === 0 || buttons.length > ZALO_LIMITS.buttonsMax) {
      return ZALO_ERRORS.invalidParam('buttons');
    }
    for (const b of buttons as Array<Record<string, unknown>>) {
      if (!b || typeof b.type !== 'string' || !BUTTON_TYPES.has(b.type)) return ZALO_ERRORS.invalidParam('button.type');
      if (typeof b.title !== 'string' || b.title.trim() === '') return ZALO_ERRORS.invalidParam('button.title');
      if (b.title.length > ZALO_LIMITS.buttonTitleMax) return ZALO_ERRORS.tooLong('button.title', ZALO_LIMITS.buttonTitleMax);
      if (b.type === 'oa.query.show' || b.type === 'oa.query.hide') {
        if (typeof b.payload !== 'string' || b.payload === '') return ZALO_ERRORS.invalidParam('button.payload');
        if (b.payload.length > ZALO_LIMITS.buttonPayloadMax) return ZALO_ERRORS.tooLong('button.payload', ZALO_LIMITS.buttonPayloadMax);
      }
      if (b.type === 'oa.open.url') {
        const url = (b.payload as { url?: unknown } | undefined)?.url;
        if (typeof url !== 'string' || !/^https?:\/\//i.test(url)) return ZALO_ERRORS.invalidParam('button.payload.url');
      }
      if (b.type === 'oa.open.phone' || b.type === 'oa.open.sms') {
        const phone = (b.payload as { phone_code?: unknown } | undefined)?.phone_code;
        if (typeof phone !== 'string' || phone === '') return ZALO_ERRORS.invalidParam('button.payload.phone_code');
      }
    }
    return undefined;
  };

  const checkUpload = (id: unknown, kind: ZaloUpload['kind'][], field: string) => {
    const up = typeof id === 'string' ? uploadsById.get(id) : undefined;
    if (!up || !kind.includes(up.kind)) return ZALO_ERRORS.invalidParam(field);
    if (now() - up.at > ZALO_LIMITS.uploadTtlMs) return ZALO_ERRORS.attachmentExpired;
    return undefined;
  };

  /** Validates a /message/cs `message`; returns an error or the parts recorded. */
  const validateCsMessage = (
    message: Record<string, unknown>,
  ): { error: { error: number; message: string } } | { text?: string; buttons?: Array<Record<string, unknown>>; attachmentType?: string } => {
    const text = message.text;
    if (text !== undefined && typeof text !== 'string') return { error: ZALO_ERRORS.invalidParam('text') };
    if (typeof text === 'string' && text.length > ZALO_LIMITS.textMax) return { error: ZALO_ERRORS.tooLong('text', ZALO_LIMITS.textMax) };
    const attachment = message.attachment as { type?: unknown; payload?: Record<string, unknown> } | undefined;
    if (attachment === undefined) {
      if (typeof text !== 'string' || text.trim() === '') return { error: ZALO_ERRORS.invalidParam('message') };
      return { text };
    }
    if (typeof attachment !== 'object' || attachment === null) return { error: ZALO_ERRORS.invalidParam('attachment') };
    const payload = attachment.payload ?? {};
    if (attachment.type === 'file') {
      const e = checkUpload(payload.token, ['file'], 'token');
      if (e) return { error: e };
      return { ...(typeof text === 'string' ? { text } : {}), attachmentType: 'file' };
    }
    if (attachment.type !== 'template') return { error: ZALO_ERRORS.invalidParam('attachment.type') };
    const templateType = payload.template_type;
    if (templateType === undefined) {
      // text + buttons
      if (typeof text !== 'string' || text.trim() === '') return { error: ZALO_ERRORS.invalidParam('text') };
      const e = validateButtons(payload.buttons);
      if (e) return { error: e };
      return { text, buttons: payload.buttons as Array<Record<string, unknown>>, attachmentType: 'buttons' };
    }
    if (templateType === 'media') {
      const elements = payload.elements;
      if (!Array.isArray(elements) || elements.length !== 1) return { error: ZALO_ERRORS.invalidParam('elements') };
      const el = elements[0] as Record<string, unknown>;
      if (el.media_type !== 'image' && el.media_type !== 'gif') return { error: ZALO_ERRORS.invalidParam('media_type') };
      const hasUrl = typeof el.url === 'string';
      const hasId = typeof el.attachment_id === 'string';
      if (hasUrl === hasId) return { error: ZALO_ERRORS.invalidParam('attachment_id') };
      if (hasId) {
        const e = checkUpload(el.attachment_id, ['image', 'gif'], 'attachment_id');
        if (e) return { error: e };
      }
      if (el.media_type === 'gif' && (el.width === undefined || el.height === undefined)) return { error: ZALO_ERRORS.invalidParam('width') };
      if (payload.buttons !== undefined) {
        const e = validateButtons(payload.buttons);
        if (e) return { error: e };
      }
      return { ...(typeof text === 'string' ? { text } : {}), attachmentType: 'media' };
    }
    if (templateType === 'request_user_info') {
      const elements = payload.elements;
      if (!Array.isArray(elements) || elements.length !== 1) return { error: ZALO_ERRORS.invalidParam('elements') };
      const el = elements[0] as Record<string, unknown>;
      if (typeof el.title !== 'string' || el.title === '') return { error: ZALO_ERRORS.invalidParam('title') };
      return { attachmentType: 'request_user_info' };
    }
    return { attachmentType: String(templateType) };
  };

  const sentListeners = new Set<(m: SentZaloMessage) => void>();
  const recordSent = (m: SentZaloMessage) => {
    let list = sent.get(m.user_id);
    if (!list) sent.set(m.user_id, (list = []));
    list.push(m);
    for (const l of sentListeners) l(m);
  };

  const api = express();
  api.disable('x-powered-by');
  api.use(rawBody());

  api.post(
    '/v3.0/oa/message/cs',
    route('openapi', (req, parsed) => {
      const tokenErr = checkAccessToken(req);
      if (tokenErr) return fail(tokenErr);
      if (parsed.kind !== 'json' || !parsed.value || typeof parsed.value !== 'object') return fail(ZALO_ERRORS.invalidParam('body'));
      const body = parsed.value as { recipient?: { user_id?: unknown }; message?: unknown };
      const userId = body.recipient?.user_id;
      if (typeof userId !== 'string' || !/^\d+$/.test(userId)) return fail(ZALO_ERRORS.invalidParam('user_id'));
      if (!body.message || typeof body.message !== 'object') return fail(ZALO_ERRORS.invalidParam('message'));
      const age = interactionAge(userId);
      if (age === undefined || age > ZALO_LIMITS.interactionWindowMs) return fail(ZALO_ERRORS.noInteraction7Days);
      const v = validateCsMessage(body.message as Record<string, unknown>);
      if ('error' in v) return fail(v.error);
      const messageId = hex(16);
      recordSent({
        endpoint: 'cs',
        message_id: messageId,
        user_id: userId,
        message: body.message as Record<string, unknown>,
        ...v,
        billable: age > ZALO_LIMITS.freeWindowMs,
        accessToken: String(req.headers['access_token']),
        at: now(),
      });
      return ok({ message_id: messageId, user_id: userId });
    }),
  );

  const checkTemplateData = (templateId: unknown, data: unknown, znsCodes: boolean) => {
    if (typeof templateId !== 'string' || templateId === '') return znsCodes ? ZALO_ERRORS.znsTemplateInvalid : ZALO_ERRORS.invalidParam('template_id');
    if (!data || typeof data !== 'object') return znsCodes ? ZALO_ERRORS.znsTemplateDataMissing : ZALO_ERRORS.invalidParam('template_data');
    if (templates.size > 0) {
      const params = templates.get(templateId);
      if (!params) return znsCodes ? ZALO_ERRORS.znsTemplateInvalid : ZALO_ERRORS.invalidParam('template_id');
      for (const p of params) {
        if (!(p in (data as Record<string, unknown>))) return znsCodes ? ZALO_ERRORS.znsTemplateDataMissing : ZALO_ERRORS.invalidParam(`template_data.${p}`);
      }
    }
    return undefined;
  };

  api.post(
    '/v3.0/oa/message/template',
    route('openapi', (req, parsed) => {
      const tokenErr = checkAccessToken(req);
      if (tokenErr) return fail(tokenErr);
      if (parsed.kind !== 'json' || !parsed.value || typeof parsed.value !== 'object') return fail(ZALO_ERRORS.invalidParam('body'));
      const body = parsed.value as { user_id?: unknown; template_id?: unknown; template_data?: unknown };
      if (typeof body.user_id !== 'string' || !/^\d+$/.test(body.user_id)) return fail(ZALO_ERRORS.invalidParam('user_id'));
      const e = checkTemplateData(body.template_id, body.template_data, false);
      if (e) return fail(e);
      const messageId = hex(16);
      recordSent({
        endpoint: 'template',
        message_id: messageId,
        user_id: body.user_id,
        message: { template_id: body.template_id, template_data: body.template_data },
        billable: true,
        accessToken: String(req.headers['access_token']),
        at: now(),
      });
      return ok({
        message_id: messageId,
        user_id: body.user_id,
        sent_time: String(now()),
        quota: { quota_type: 'purchase_quota', remain: 5000 - [...sent.values()].flat().filter((m) => m.endpoint === 'template').length },
      });
    }),
  );

  const uploadRoute = (kind: ZaloUpload['kind']) =>
    route('openapi', (req, parsed) => {
      const tokenErr = checkAccessToken(req);
      if (tokenErr) return fail(tokenErr);
      if (parsed.kind !== 'multipart') return fail(ZALO_ERRORS.invalidParam('file'));
      const file = parsed.files.find((f) => f.name === 'file');
      if (!file || file.data.length === 0) return fail(ZALO_ERRORS.invalidParam('file'));
      const ext = (file.filename.split('.').pop() ?? '').toLowerCase();
      const allowed = kind === 'file' ? ['pdf', 'doc', 'docx', 'csv'] : kind === 'image' ? ['jpg', 'jpeg', 'png'] : ['gif'];
      if (!allowed.includes(ext)) return fail(ZALO_ERRORS.invalidParam('file'));
      const max = kind === 'file' ? ZALO_LIMITS.fileUploadMaxBytes : ZALO_LIMITS.imageUploadMaxBytes * (kind === 'gif' ? 5 : 1);
      if (file.data.length > max) return fail(ZALO_ERRORS.paramExceedsLimit);
      // Zalo decodes an image: bytes that are not a PNG, JPEG or GIF are refused whatever the name says.
      const magic = file.data.subarray(0, 4).toString('hex');
      if (kind !== 'file' && !['89504e47', 'ffd8ff', '474946'].some((m) => magic.startsWith(m))) return fail(ZALO_ERRORS.invalidParam('file'));
      const id = randomBytes(kind === 'file' ? 48 : 27).toString('base64url');
      const up: ZaloUpload = { kind, id, filename: file.filename, contentType: file.contentType, size: file.data.length, data: file.data, at: now() };
      uploads.push(up);
      uploadsById.set(id, up);
      return ok(kind === 'file' ? { token: id } : { attachment_id: id });
    });
  api.post('/v2.0/oa/upload/file', uploadRoute('file'));
  api.post('/v2.0/oa/upload/image', uploadRoute('image'));
  api.post('/v2.0/oa/upload/gif', uploadRoute('gif'));

  const ddmmyyyy = (ms: number) => {
    const d = new Date(ms);
    return `${String(d.getUTCDate()).padStart(2, '0')}/${String(d.getUTCMonth() + 1).padStart(2, '0')}/${d.getUTCFullYear()}`;
  };

  api.get(
    '/v3.0/oa/user/detail',
    route('openapi', (req) => {
      const tokenErr = checkAccessToken(req);
      if (tokenErr) return fail(tokenErr);
      let userId: unknown;
      try {
        userId = (JSON.parse(String(req.query.data ?? '')) as { user_id?: unknown }).user_id;
      } catch {
        return fail(ZALO_ERRORS.invalidParam('data'));
      }
      if (typeof userId !== 'string' || !/^\d+$/.test(userId)) return fail(ZALO_ERRORS.invalidParam('user_id'));
      const p = profileOf(userId);
      const age = interactionAge(userId);
      return ok({
        user_id: p.user_id,
        user_id_by_app: p.user_id_by_app,
        user_external_id: '',
        display_name: p.display_name,
        user_alias: p.user_alias ?? '',
        is_sensitive: false,
        user_last_interaction_date: age === undefined ? '' : ddmmyyyy(now() - age),
        user_is_follower: p.user_is_follower ?? true,
        avatar: p.avatar ?? `https://s120-ava-talk.zadn.vn/fake/${p.user_id}.jpg`,
        avatars: {
          '120': p.avatar ?? `https://s120-ava-talk.zadn.vn/fake/${p.user_id}.jpg`,
          '240': p.avatar ?? `https://s240-ava-talk.zadn.vn/fake/${p.user_id}.jpg`,
        },
        tags_and_notes_info: { notes: [], tag_names: [] },
        ...(p.shared_info ? { shared_info: p.shared_info } : {}),
      });
    }),
  );

  api.post(
    '/v3.0/oa/quota/message',
    route('openapi', (req, parsed) => {
      const tokenErr = checkAccessToken(req);
      if (tokenErr) return fail(tokenErr);
      const userId = parsed.kind === 'json' ? (parsed.value as { user_id?: unknown } | null)?.user_id : undefined;
      if (typeof userId !== 'string') return fail(ZALO_ERRORS.invalidParam('user_id'));
      const age = interactionAge(userId);
      return ok({
        ...(age === undefined ? {} : { last_interaction: String(now() - age) }),
        cs_reply: { remain: 8, total: 8 },
      });
    }),
  );

  api.get(
    '/v2.0/oa/getoa',
    route('openapi', (req) => {
      const tokenErr = checkAccessToken(req);
      if (tokenErr) return fail(tokenErr);
      return ok({ oa_id: oaId, name: 'Ban Thi đua - Khen thưởng (fake)', is_verified: true, oa_type: 2, num_follower: users.size });
    }),
  );

  api.use(route('openapi', () => ({ status: 404, body: { error: 404, message: 'Not Found' } })));

  // --- OAuth v4 --------------------------------------------------------------------------

  const oauth = express();
  oauth.disable('x-powered-by');
  oauth.use(rawBody());
  oauth.post(
    '/v4/oa/access_token',
    route('oauth', (req, parsed) => {
      const form = parsed.kind === 'form' ? parsed.value : undefined;
      const presented = form?.refresh_token ?? form?.code ?? '';
      const grantType = form?.grant_type ?? '';
      const refuse = (body: { error: number }) => {
        refreshes.push({ at: now(), grantType, presented, ok: false, error: body.error });
        return { body };
      };
      if (req.headers['secret_key'] !== options.appSecret) return refuse(ZALO_OAUTH_ERRORS.invalidSecretKey);
      if (!form) return refuse(ZALO_OAUTH_ERRORS.invalidParameter);
      if (form.app_id !== options.appId) return refuse(ZALO_OAUTH_ERRORS.invalidAppId);

      if (grantType === 'refresh_token') {
        const rt = refreshTokens.get(presented);
        if (rt?.spent && options.spentRefreshAnswer === 'empty') {
          refreshes.push({ at: now(), grantType, presented, ok: false, error: 0 });
          return { body: '' };
        }
        if (!rt || rt.spent || rt.revoked || now() >= rt.expiresAt) return refuse(ZALO_OAUTH_ERRORS.invalidRefreshToken);
        rt.spent = true;
        spentRefreshTokens.push(presented);
        const grant = grantTokens();
        refreshes.push({ at: now(), grantType, presented, ok: true, newAccessToken: grant.access_token, newRefreshToken: grant.refresh_token });
        return { body: grant };
      }
      if (grantType === 'authorization_code') {
        const c = codes.get(presented);
        if (!c || c.used || now() >= c.expiresAt) return refuse(ZALO_OAUTH_ERRORS.invalidCode);
        if (c.challenge !== undefined) {
          const verifier = form.code_verifier ?? '';
          const challenge = createHash('sha256').update(verifier, 'ascii').digest('base64url');
          if (challenge !== c.challenge) return refuse(ZALO_OAUTH_ERRORS.invalidCodeVerifier);
        }
        c.used = true;
        const grant = grantTokens();
        refreshes.push({ at: now(), grantType, presented, ok: true, newAccessToken: grant.access_token, newRefreshToken: grant.refresh_token });
        return { body: grant };
      }
      return refuse(ZALO_OAUTH_ERRORS.invalidParameter);
    }),
  );
  oauth.use(route('oauth', () => ({ status: 404, body: { error: 404, message: 'Not Found' } })));

  // --- ZNS (business.openapi.zalo.me) -----------------------------------------------------

  const business = express();
  business.disable('x-powered-by');
  business.use(rawBody());
  business.post(
    '/message/template',
    route('business', (req, parsed) => {
      const tokenErr = checkAccessToken(req, true);
      if (tokenErr) return fail(tokenErr);
      if (parsed.kind !== 'json' || !parsed.value || typeof parsed.value !== 'object') return fail({ error: -122, message: 'Body request is not valid JSON' });
      const b = parsed.value as { phone?: unknown; template_id?: unknown; template_data?: unknown; tracking_id?: unknown; mode?: unknown };
      if (typeof b.phone !== 'string' || !/^84\d{9,10}$/.test(b.phone)) return fail(ZALO_ERRORS.znsPhoneInvalid);
      const e = checkTemplateData(b.template_id, b.template_data, true);
      if (e) return fail(e);
      const msgId = hex(10);
      zns.push({
        msg_id: msgId,
        phone: b.phone,
        template_id: String(b.template_id),
        template_data: b.template_data as Record<string, unknown>,
        ...(typeof b.tracking_id === 'string' ? { tracking_id: b.tracking_id } : {}),
        ...(typeof b.mode === 'string' ? { mode: b.mode } : {}),
        at: now(),
      });
      return ok({ msg_id: msgId, sent_time: String(now()), quota: { dailyQuota: '500', remainingQuota: String(500 - zns.length) } });
    }),
  );
  business.use(route('business', () => ({ status: 404, body: { error: 404, message: 'Not Found' } })));

  // --- attachment CDN ---------------------------------------------------------------------

  const files = express();
  files.disable('x-powered-by');
  files.get('/files/:name', (req, res) => {
    const a = attachments.get(String(req.params.name));
    calls.push({
      server: 'files', httpMethod: 'GET', path: req.path, query: {}, headers: {}, body: undefined, at: now(),
      status: a ? 200 : 404, response: undefined,
    });
    waiters.notify();
    if (!a) {
      res.status(404).type('text/plain').send('Not Found');
      return;
    }
    res.setHeader('Content-Type', a.contentType);
    res.status(200).end(a.data);
  });

  const servers: Listening[] = [];
  const start = async (app: Express) => {
    const l = await listen(app, 0, options.keepAliveMs);
    servers.push(l);
    return l.base;
  };
  const apiBase = await start(api);
  const oauthBase = await start(oauth);
  const znsBase = await start(business);
  const filesBase = await start(files);

  return {
    apiBase,
    oauthBase,
    znsBase,
    filesBase,
    oaId,
    calls,
    callsTo: (path) => calls.filter((c) => c.path === path),
    sent,
    sentTo: (userId) => sent.get(userId) ?? [],
    onSent(listener) {
      sentListeners.add(listener);
      return () => void sentListeners.delete(listener);
    },
    zns,
    uploads,
    refreshes,
    get refreshCount() {
      return refreshCount;
    },
    spentRefreshTokens,
    get currentAccessToken() {
      return currentAccessToken;
    },
    get currentRefreshToken() {
      return currentRefreshToken;
    },
    expireAccessTokens(code = -220) {
      for (const s of accessTokens.values()) s.dead ??= code;
    },
    revokeRefreshToken() {
      const rt = refreshTokens.get(currentRefreshToken);
      if (rt) rt.revoked = true;
    },
    failNext(path, failure, opts = {}) {
      failures.push({ path, failure, remaining: opts.times ?? 1, ...(opts.userId !== undefined ? { userId: opts.userId } : {}) });
    },
    setDelay(path, ms) {
      if (ms > 0) delays.set(path, ms);
      else delays.delete(path);
    },
    setLastInteraction(userId, date) {
      lastInteraction.set(userId, date === null ? null : typeof date === 'number' ? date : date.getTime());
    },
    setUser(profile) {
      users.set(profile.user_id, { ...profileOf(profile.user_id), ...profile });
    },
    addTemplate(templateId, params) {
      templates.set(templateId, params);
    },
    addAttachment(name, data, contentType = 'application/octet-stream') {
      attachments.set(name, { data, contentType });
      return `${filesBase}/files/${encodeURIComponent(name)}`;
    },
    removeAttachment(name) {
      attachments.delete(name);
    },
    issueAuthorizationCode(opts = {}) {
      const code = tokenString();
      codes.set(code, { used: false, expiresAt: now() + 10 * 60 * 1000, ...(opts.codeChallenge ? { challenge: opts.codeChallenge } : {}) });
      return code;
    },
    waitFor: (probe, timeoutMs = 5000) => waiters.waitFor(() => probe(calls), timeoutMs, 'fake Zalo state'),
    async close() {
      await Promise.all(servers.map((s) => s.close()));
    },
  };
}
