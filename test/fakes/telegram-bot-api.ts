/**
 * A local fake of the Telegram Bot API (https://core.telegram.org/bots/api) for tests.
 *
 * Point grammY at it with `new Bot(token, { client: { apiRoot: fake.apiRoot }, botInfo })`
 * (or TELEGRAM_API_ROOT). It speaks the real wire format:
 *  - `POST|GET {apiRoot}/bot<token>/<method>` with JSON, urlencoded or multipart bodies
 *    (grammY's own multipart dialect included: unquoted filenames, `attach://<id>` fields);
 *    method names are case-insensitive, like Telegram's;
 *  - answers `{"ok":true,"result":…}` or `{"ok":false,"error_code":N,"description":"…",
 *    "parameters"?:{…}}` with the HTTP status equal to error_code;
 *  - error texts as Telegram sends them (see TelegramBotAPI/errors and docs/zalo.md's
 *    Telegram appendix): 401 "Unauthorized", 404 "Not Found", 403 "Forbidden: bot was
 *    blocked by the user", 429 "Too Many Requests: retry after N" + parameters.retry_after
 *    + a Retry-After header, 400 "Bad Request: …";
 *  - files: `GET {apiRoot}/file/bot<token>/<file_path>`.
 * Everything it receives is recorded in `calls` for assertions.
 */
import { randomBytes } from 'node:crypto';
import express from 'express';
import type { Request, Response } from 'express';
import type { Chat, Message, PhotoSize, Update, UserFromGetMe } from 'grammy/types';
import { multipartBoundary, parseMultipart } from './multipart.js';
import { listen, rawBody, Waiters } from './server.js';

// ---------------------------------------------------------------------------------------
// Public types

export type TelegramFailure =
  | { kind: '429'; retryAfter: number }
  | { kind: '403-blocked' }
  | { kind: '400'; description: string }
  /** Any other Telegram error: `{ok:false,error_code:code,description}`. */
  | { kind: 'error'; code: number; description: string; parameters?: Record<string, unknown> }
  /** HTTP 500 with a non-JSON body (a proxy or Telegram hiccup). */
  | { kind: '500' }
  /** The connection is destroyed without an answer (grammY raises HttpError). */
  | { kind: 'drop' };

export interface UploadedFileInfo {
  /** The multipart field that carried the bytes (grammY: a random attach id). */
  field: string;
  filename: string;
  contentType: string;
  size: number;
}

export interface TelegramCall {
  /** The method as requested (case preserved). */
  method: string;
  /** Parameters after normalisation: JSON-in-string fields parsed, uploads as UploadedFileInfo. */
  params: Record<string, unknown>;
  /** Uploaded files of this request. */
  files: UploadedFileInfo[];
  /** Date.now() when the request arrived. */
  at: number;
  httpMethod: string;
  /** HTTP status of the answer (200 on success; 0 for a dropped connection). */
  status: number;
  /** The JSON body answered (undefined for 'drop' / '500'). */
  response: unknown;
}

export interface StoredFile {
  file_id: string;
  file_unique_id: string;
  file_size: number;
  file_path: string;
  data: Buffer;
  mime_type?: string;
  file_name?: string;
  /** Tests of our download rules: the file URL answers 302 to here instead of the bytes. */
  redirectTo?: string;
}

export interface RateLimitOptions {
  /** Requests per rolling second across all chats (Telegram: ~30/s for bulk sends). */
  perSecond?: number;
  /** Requests per rolling second to one chat (Telegram: ~1/s per chat). */
  perChatPerSecond?: number;
  /** Requests per rolling minute to one group/supergroup (Telegram: 20/min). */
  perGroupPerMinute?: number;
  /** retry_after to answer, seconds (default 1). */
  retryAfter?: number;
}

export interface FakeTelegramOptions {
  /** The bot token the server accepts (default "123456789:TEST-fake-token"). */
  token?: string;
  /** Overrides for the getMe answer. */
  botInfo?: Partial<UserFromGetMe>;
  /** Port to listen on (default: a free one). */
  port?: number;
  /** How long idle client connections are kept, ms (default 1000; benchmarks: longer, as Telegram). */
  keepAliveMs?: number;
}

export interface WebhookState {
  url: string;
  secret_token?: string;
  max_connections: number;
  allowed_updates?: string[];
  drop_pending_updates?: boolean;
}

export interface FakeTelegram {
  /** e.g. http://127.0.0.1:PORT — no trailing slash, as grammY requires. */
  apiRoot: string;
  token: string;
  /** The getMe answer; pass it as `botInfo` to grammY so no getMe is needed. */
  botInfo: UserFromGetMe;
  /** Every request, in arrival order. */
  calls: TelegramCall[];
  callsOf(method: string): TelegramCall[];
  /** Successful sends (sendMessage/sendDocument/sendPhoto/…) to a chat, as returned Message objects. */
  messagesTo(chatId: number | string): Message[];
  /** Calls `listener` with each message a send creates (not edits), as it is stored; returns the unsubscribe. */
  onMessage(listener: (chatId: string, message: Message) => void): () => void;
  /**
   * The next matching call(s) fail. `method` is case-insensitive, `'*'` matches any method.
   * `chatId` restricts the failure to calls whose chat_id equals it. `times` defaults to 1.
   */
  failNext(
    method: string,
    failure: TelegramFailure,
    opts?: { chatId?: number | string; times?: number },
  ): void;
  /** Every later send to this chat answers 403 "Forbidden: bot was blocked by the user". */
  blockChat(chatId: number | string): void;
  unblockChat(chatId: number | string): void;
  /** Registers the Chat object returned in messages for this id (else a plausible one is made up). */
  setChat(chat: Chat): void;
  /** Adds a downloadable file; getFile(fileId) then answers its path. */
  addFile(
    fileId: string,
    data: Buffer,
    opts?: { path?: string; uniqueId?: string; mimeType?: string; fileName?: string; redirectTo?: string },
  ): StoredFile;
  getStoredFile(fileId: string): StoredFile | undefined;
  /** Turns on (or with null off) 429 answers above the given rates. */
  rateLimit(opts: RateLimitOptions | null): void;
  /** Counts of answers by HTTP status, e.g. stats()[429]. */
  stats(): Record<number, number>;
  /** Queues an update for getUpdates (long polling). */
  pushUpdate(update: Update): void;
  /** Current webhook set by setWebhook (undefined if none). */
  readonly webhook: WebhookState | undefined;
  /**
   * POSTs the update to the webhook URL set by setWebhook, as Telegram does (JSON body,
   * X-Telegram-Bot-Api-Secret-Token header when a secret_token was set).
   */
  deliverUpdate(update: Update): Promise<{ status: number; body: string }>;
  /**
   * Resolves with the probe's first truthy value; the probe runs now and after every call.
   * Example: `await fake.waitFor(c => c.filter(x => x.method === 'sendMessage').length >= 3)`.
   */
  waitFor<T>(probe: (calls: readonly TelegramCall[]) => T | undefined | null | false, timeoutMs?: number): Promise<T>;
  /** Forgets calls, failures, blocks, rate limits and stats (files, chats and messages stay). */
  reset(): void;
  close(): Promise<void>;
}

// ---------------------------------------------------------------------------------------
// Limits and texts (Bot API docs; error texts as Telegram sends them)

export const TELEGRAM_LIMITS = {
  textMax: 4096,
  captionMax: 1024,
  callbackDataMaxBytes: 64,
  getFileMaxBytes: 20 * 1024 * 1024,
  uploadMaxBytes: 50 * 1024 * 1024,
  /** sendPhoto: at most 10 MB, width + height at most 10000, ratio at most 20 (Bot API, sendPhoto). */
  photoMaxBytes: 10 * 1024 * 1024,
  photoMaxSides: 10_000,
  photoMaxRatio: 20,
  secretTokenRe: /^[A-Za-z0-9_-]{1,256}$/,
} as const;

export const TELEGRAM_ERRORS = {
  unauthorized: { ok: false, error_code: 401, description: 'Unauthorized' },
  notFound: { ok: false, error_code: 404, description: 'Not Found' },
  blocked: { ok: false, error_code: 403, description: 'Forbidden: bot was blocked by the user' },
  chatIdEmpty: 'Bad Request: chat_id is empty',
  textEmpty: 'Bad Request: message text is empty',
  textTooLong: 'Bad Request: message is too long',
  captionTooLong: 'Bad Request: message caption is too long',
  buttonDataInvalid: 'Bad Request: BUTTON_DATA_INVALID',
  buttonUrlInvalid: 'Bad Request: BUTTON_URL_INVALID',
  invalidFileId: 'Bad Request: invalid file_id',
  fileTooBig: 'Bad Request: file is too big',
  messageToEditNotFound: 'Bad Request: message to edit not found',
  messageNotModified:
    'Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message',
  queryIdInvalid: 'Bad Request: query is too old and response timeout expired or query ID is invalid',
  noDocument: 'Bad Request: there is no document in the request',
  noPhoto: 'Bad Request: there is no photo in the request',
  photoInvalidDimensions: 'Bad Request: PHOTO_INVALID_DIMENSIONS',
  imageProcessFailed: 'Bad Request: IMAGE_PROCESS_FAILED',
  wrongFileIdentifier: 'Bad Request: wrong file identifier/HTTP URL specified',
  secretTokenInvalid: 'Bad Request: secret token contains unallowed characters',
  badWebhookUrl: 'Bad Request: bad webhook: An HTTPS URL must be provided for webhook',
  webhookActive: "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
  keyboardJson: "Bad Request: can't parse reply keyboard markup JSON object",
  inlineKeyboardShape: 'Bad Request: field "inline_keyboard" of the InlineKeyboardMarkup should be an Array of Arrays',
  inlineButtonNoAction: "Bad Request: can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard",
  commandsInvalid: 'Bad Request: BOT_COMMAND_INVALID',
  tooManyRequests: (n: number) => `Too Many Requests: retry after ${n}`,
} as const;

// ---------------------------------------------------------------------------------------
// Text parsing (parse_mode) — enough to reject what Telegram rejects and measure the rest

const HTML_TAGS = new Set([
  'b', 'strong', 'i', 'em', 'u', 'ins', 's', 'strike', 'del', 'span', 'tg-spoiler', 'a', 'code', 'pre',
  'blockquote', 'tg-emoji', 'tg-time',
]);

const byteOffset = (s: string, i: number): number => Buffer.byteLength(s.slice(0, i), 'utf8');

/** Parses Telegram HTML; returns the visible text or the error description Telegram would give. */
export function parseTelegramHtml(text: string): { ok: true; plain: string } | { ok: false; description: string } {
  const bad = (msg: string) => ({ ok: false as const, description: `Bad Request: can't parse entities: ${msg}` });
  const stack: string[] = [];
  let plain = '';
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === '&') {
      const m = /^&(lt|gt|amp|quot|#\d{1,7}|#x[0-9a-fA-F]{1,6});/.exec(text.slice(i, i + 12));
      if (m) {
        const name = m[1]!;
        plain +=
          name === 'lt' ? '<' : name === 'gt' ? '>' : name === 'amp' ? '&' : name === 'quot' ? '"'
          : String.fromCodePoint(name.startsWith('#x') ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10));
        i += m[0].length;
        continue;
      }
      plain += ch; // Telegram keeps a lone '&' literally
      i++;
      continue;
    }
    if (ch !== '<') {
      plain += ch;
      i++;
      continue;
    }
    const close = text.indexOf('>', i);
    if (close < 0) return bad(`Unclosed start tag at byte offset ${byteOffset(text, i)}`);
    const inner = text.slice(i + 1, close);
    if (inner.startsWith('/')) {
      const name = inner.slice(1).trim().toLowerCase();
      const open = stack.pop();
      if (open === undefined) return bad(`Unexpected end tag at byte offset ${byteOffset(text, i)}`);
      if (name !== '' && name !== open) {
        return bad(`Unmatched end tag at byte offset ${byteOffset(text, i)}, expected "</${open}>", found "</${name}>"`);
      }
    } else {
      const name = (/^[A-Za-z][A-Za-z0-9-]*/.exec(inner)?.[0] ?? '').toLowerCase();
      if (!HTML_TAGS.has(name)) return bad(`Unsupported start tag "${name}" at byte offset ${byteOffset(text, i)}`);
      stack.push(name);
    }
    i = close + 1;
  }
  const open = stack.pop();
  if (open !== undefined) return bad(`Can't find end tag corresponding to start tag "${open}"`);
  return { ok: true, plain };
}

/** Checks MarkdownV2's "reserved character" rule for the characters that are never markup. */
export function parseTelegramMarkdownV2(
  text: string,
): { ok: true; plain: string } | { ok: false; description: string } {
  let plain = '';
  let inCode = false;
  let inPre = false;
  let inUrl = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '\\') {
      plain += text[i + 1] ?? '';
      i++;
      continue;
    }
    if (text.startsWith('```', i)) {
      inPre = !inPre;
      i += 2;
      continue;
    }
    if (inPre) {
      plain += ch;
      continue;
    }
    if (ch === '`') {
      inCode = !inCode;
      continue;
    }
    if (inCode) {
      plain += ch;
      continue;
    }
    if (inUrl) {
      if (ch === ')') inUrl = false;
      continue;
    }
    if (ch === ']' && text[i + 1] === '(') {
      inUrl = true;
      i++;
      continue;
    }
    const lineStart = i === 0 || text[i - 1] === '\n';
    if ('#+-={}.!'.includes(ch) || (ch === '>' && !lineStart)) {
      if (ch === '!' && text[i + 1] === '[') continue; // custom emoji ![👍](tg://emoji?id=…)
      return {
        ok: false,
        description: `Bad Request: can't parse entities: Character '${ch}' is reserved and must be escaped with the preceding '\\'`,
      };
    }
    if ('*_~|[]'.includes(ch) || (ch === '>' && lineStart)) continue;
    plain += ch;
  }
  return { ok: true, plain };
}

function visibleText(text: string, parseMode: unknown): { ok: true; plain: string } | { ok: false; description: string } {
  if (typeof parseMode === 'string') {
    const mode = parseMode.toLowerCase();
    if (mode === 'html') return parseTelegramHtml(text);
    if (mode === 'markdownv2') return parseTelegramMarkdownV2(text);
    if (mode === 'markdown') return { ok: true, plain: text.replace(/[*_`[\]]/g, '') };
    if (mode !== '') return { ok: false, description: 'Bad Request: unsupported parse_mode' };
  }
  return { ok: true, plain: text };
}

// ---------------------------------------------------------------------------------------
// Implementation

class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly description: string,
    readonly parameters?: Record<string, unknown>,
  ) {
    super(description);
  }
}
const badRequest = (description: string) => new ApiError(400, description);

/** Fields that clients send as JSON-serialised strings in form bodies. */
const JSON_FIELDS = new Set([
  'reply_markup', 'entities', 'caption_entities', 'commands', 'allowed_updates', 'media',
  'link_preview_options', 'reply_parameters', 'scope', 'results', 'options',
]);

const SEND_METHODS = new Set([
  'sendmessage', 'senddocument', 'sendphoto', 'sendvideo', 'sendaudio', 'sendvoice', 'sendanimation',
  'sendsticker', 'sendlocation', 'sendcontact', 'sendpoll', 'senddice', 'sendmediagroup', 'copymessage',
  'forwardmessage', 'editmessagetext', 'editmessagereplymarkup', 'editmessagecaption', 'sendchataction',
]);

interface FailureRule {
  method: string;
  failure: TelegramFailure;
  chatId?: string;
  remaining: number;
}

const randomId = (prefix: string, n = 24) => prefix + randomBytes(n).toString('base64url').slice(0, n);

export async function startFakeTelegram(options: FakeTelegramOptions = {}): Promise<FakeTelegram> {
  const token = options.token ?? '123456789:TEST-fake-token';
  const botId = Number(token.split(':')[0]) || 123456789;
  const botInfo: UserFromGetMe = {
    id: botId,
    is_bot: true,
    first_name: 'Thi đua (fake)',
    username: 'thidua_fake_bot',
    can_join_groups: true,
    can_read_all_group_messages: false,
    supports_inline_queries: false,
    can_connect_to_business: false,
    has_main_web_app: false,
    has_topics_enabled: false,
    allows_users_to_create_topics: false,
    can_manage_bots: false,
    supports_join_request_queries: false,
    ...options.botInfo,
  } as UserFromGetMe;

  const calls: TelegramCall[] = [];
  const waiters = new Waiters();
  const chats = new Map<string, Chat>();
  const messages = new Map<string, Map<number, Message>>();
  const nextMessageId = new Map<string, number>();
  const files = new Map<string, StoredFile>();
  const filesByPath = new Map<string, StoredFile>();
  const blocked = new Set<string>();
  let failures: FailureRule[] = [];
  let limits: RateLimitOptions | null = null;
  let globalWindow: number[] = [];
  const chatWindows = new Map<string, number[]>();
  let statusCounts: Record<number, number> = {};
  let webhook: WebhookState | undefined;
  const updates: Update[] = [];
  let closed = false;

  const chatKey = (id: unknown): string => String(id);

  const chatFor = (id: unknown): Chat => {
    const key = chatKey(id);
    const known = chats.get(key);
    if (known) return known;
    if (typeof id === 'string' && id.startsWith('@')) {
      return { id: -1001000000000 - key.length, type: 'channel', title: key.slice(1), username: key.slice(1) };
    }
    const n = Number(id);
    if (n > 0) return { id: n, type: 'private', first_name: `User ${n}` };
    if (n <= -1000000000000) return { id: n, type: 'supergroup', title: `Group ${n}` };
    return { id: n, type: 'group', title: `Group ${n}` };
  };

  const messageListeners = new Set<(chatId: string, message: Message) => void>();
  const storeMessage = (chatId: unknown, build: (base: Message) => Message): Message => {
    const key = chatKey(chatId);
    const id = (nextMessageId.get(key) ?? 0) + 1;
    nextMessageId.set(key, id);
    const base = {
      message_id: id,
      from: { id: botInfo.id, is_bot: true, first_name: botInfo.first_name, username: botInfo.username },
      chat: chatFor(chatId),
      date: Math.floor(Date.now() / 1000),
    } as Message;
    const msg = build(base);
    let perChat = messages.get(key);
    if (!perChat) messages.set(key, (perChat = new Map()));
    perChat.set(id, msg);
    for (const l of messageListeners) l(key, msg);
    return msg;
  };

  const addFile: FakeTelegram['addFile'] = (fileId, data, opts = {}) => {
    const stored: StoredFile = {
      file_id: fileId,
      file_unique_id: opts.uniqueId ?? randomId('AgAD', 12),
      file_size: data.length,
      file_path: opts.path ?? `documents/file_${files.size}${opts.fileName ? '_' + opts.fileName.replace(/[^\w.-]/g, '_') : ''}`,
      data,
      ...(opts.mimeType ? { mime_type: opts.mimeType } : {}),
      ...(opts.fileName ? { file_name: opts.fileName } : {}),
      ...(opts.redirectTo ? { redirectTo: opts.redirectTo } : {}),
    };
    files.set(fileId, stored);
    filesByPath.set(stored.file_path, stored);
    return stored;
  };

  // --- request parsing ------------------------------------------------------------------

  interface ParsedRequest {
    params: Record<string, unknown>;
    uploads: Map<string, { info: UploadedFileInfo; data: Buffer }>;
  }

  const parseRequest = (req: Request): ParsedRequest => {
    const params: Record<string, unknown> = {};
    const uploads = new Map<string, { info: UploadedFileInfo; data: Buffer }>();
    for (const [k, v] of Object.entries(req.query)) if (typeof v === 'string') params[k] = v;
    const body = req.body as Buffer | undefined;
    const ct = req.headers['content-type'] ?? '';
    if (body && body.length > 0) {
      if (/application\/json/i.test(ct)) {
        let parsed: unknown;
        try {
          parsed = JSON.parse(body.toString('utf8'));
        } catch {
          throw badRequest("Bad Request: can't parse JSON object");
        }
        if (parsed && typeof parsed === 'object') Object.assign(params, parsed);
      } else if (/application\/x-www-form-urlencoded/i.test(ct)) {
        for (const [k, v] of new URLSearchParams(body.toString('utf8'))) params[k] = v;
      } else {
        const boundary = multipartBoundary(ct);
        if (boundary) {
          let mp;
          try {
            mp = parseMultipart(body, boundary);
          } catch {
            throw badRequest('Bad Request: invalid multipart/form-data');
          }
          for (const f of mp.fields) params[f.name] = f.value;
          for (const f of mp.files) {
            uploads.set(f.name, {
              info: { field: f.name, filename: f.filename, contentType: f.contentType, size: f.data.length },
              data: f.data,
            });
          }
        }
      }
    }
    for (const k of Object.keys(params)) {
      const v = params[k];
      if (JSON_FIELDS.has(k) && typeof v === 'string') {
        try {
          params[k] = JSON.parse(v);
        } catch {
          if (k === 'reply_markup') throw badRequest(TELEGRAM_ERRORS.keyboardJson);
        }
      }
    }
    // A file sent directly under its field name (RFC style) or via attach://<id> (grammY).
    for (const [k, v] of Object.entries(params)) {
      if (typeof v === 'string' && v.startsWith('attach://')) {
        const up = uploads.get(v.slice('attach://'.length));
        if (up) params[k] = up.info;
      }
    }
    for (const [name, up] of uploads) {
      if (!(name in params) && ['document', 'photo', 'video', 'audio', 'voice', 'animation', 'sticker', 'certificate', 'thumbnail'].includes(name)) {
        params[name] = up.info;
      }
    }
    return { params, uploads };
  };

  // --- validation helpers ----------------------------------------------------------------

  const requireChat = (p: Record<string, unknown>): string => {
    const id = p.chat_id;
    if (id === undefined || id === null || id === '') throw badRequest(TELEGRAM_ERRORS.chatIdEmpty);
    return chatKey(id);
  };

  const checkReplyMarkup = (markup: unknown): void => {
    if (markup === undefined || markup === null) return;
    if (typeof markup !== 'object') throw badRequest(TELEGRAM_ERRORS.keyboardJson);
    const m = markup as Record<string, unknown>;
    if ('inline_keyboard' in m) {
      const rows = m.inline_keyboard;
      if (!Array.isArray(rows) || !rows.every((r) => Array.isArray(r))) throw badRequest(TELEGRAM_ERRORS.inlineKeyboardShape);
      for (const row of rows as unknown[][]) {
        for (const b of row) {
          const btn = (b ?? {}) as Record<string, unknown>;
          if (typeof btn.text !== 'string' || btn.text === '') throw badRequest("Bad Request: can't parse inline keyboard button: Text must be non-empty");
          if ('callback_data' in btn) {
            const d = btn.callback_data;
            const bytes = typeof d === 'string' ? Buffer.byteLength(d, 'utf8') : 0;
            if (bytes < 1 || bytes > TELEGRAM_LIMITS.callbackDataMaxBytes) throw badRequest(TELEGRAM_ERRORS.buttonDataInvalid);
          } else if ('url' in btn) {
            if (typeof btn.url !== 'string' || !/^(https?|tg):\/\/\S+$/i.test(btn.url)) throw badRequest(TELEGRAM_ERRORS.buttonUrlInvalid);
          } else if (!['web_app', 'login_url', 'switch_inline_query', 'switch_inline_query_current_chat', 'switch_inline_query_chosen_chat', 'copy_text', 'callback_game', 'pay'].some((k) => k in btn)) {
            throw badRequest(TELEGRAM_ERRORS.inlineButtonNoAction);
          }
        }
      }
    }
  };

  /** Telegram echoes an inline keyboard in the sent Message; other markups are not echoed. */
  const echoMarkup = (markup: unknown): Partial<Message> =>
    markup && typeof markup === 'object' && 'inline_keyboard' in (markup as object)
      ? { reply_markup: markup as Message['reply_markup'] }
      : {};

  const checkCaption = (p: Record<string, unknown>): Partial<Message> => {
    if (p.caption === undefined || p.caption === '') return {};
    const v = visibleText(String(p.caption), p.parse_mode);
    if (!v.ok) throw badRequest(v.description);
    if (v.plain.length > TELEGRAM_LIMITS.captionMax) throw badRequest(TELEGRAM_ERRORS.captionTooLong);
    return { caption: v.plain } as Partial<Message>;
  };

  /** Resolves an InputFile param: an upload (stored as a new file) or a known file_id / URL. */
  const resolveFile = (
    value: unknown,
    uploads: ParsedRequest['uploads'],
    kind: 'document' | 'photo',
  ): StoredFile => {
    if (value && typeof value === 'object' && 'field' in (value as object)) {
      const info = value as UploadedFileInfo;
      const up = uploads.get(info.field);
      const data = up?.data ?? Buffer.alloc(0);
      if (data.length > TELEGRAM_LIMITS.uploadMaxBytes) throw new ApiError(413, 'Request Entity Too Large');
      const prefix = kind === 'photo' ? 'AgACAgIAAxk' : 'BQACAgIAAxk';
      return addFile(randomId(prefix, 40), data, {
        path: `${kind === 'photo' ? 'photos' : 'documents'}/file_${files.size}.${(info.filename.split('.').pop() ?? 'dat').slice(0, 8)}`,
        mimeType: info.contentType === 'application/octet-stream' ? guessMime(info.filename) : info.contentType,
        fileName: info.filename,
      });
    }
    if (typeof value === 'string' && value !== '') {
      const known = files.get(value);
      if (known) return known;
      if (/^https?:\/\//i.test(value)) {
        return addFile(randomId('BQACAgIAAxk', 40), Buffer.alloc(0), { fileName: value.split('/').pop() ?? 'file' });
      }
      throw badRequest(TELEGRAM_ERRORS.wrongFileIdentifier);
    }
    throw badRequest(kind === 'photo' ? TELEGRAM_ERRORS.noPhoto : TELEGRAM_ERRORS.noDocument);
  };

  // --- methods ----------------------------------------------------------------------------

  type Handler = (p: Record<string, unknown>, uploads: ParsedRequest['uploads']) => unknown;

  const methods: Record<string, Handler> = {
    getme: () => botInfo,

    sendmessage: (p) => {
      const chat = requireChat(p);
      if (p.text === undefined || p.text === null) throw badRequest(TELEGRAM_ERRORS.textEmpty);
      const v = visibleText(String(p.text), p.parse_mode);
      if (!v.ok) throw badRequest(v.description);
      if (v.plain.trim() === '') throw badRequest(TELEGRAM_ERRORS.textEmpty);
      if (v.plain.length > TELEGRAM_LIMITS.textMax) throw badRequest(TELEGRAM_ERRORS.textTooLong);
      checkReplyMarkup(p.reply_markup);
      return storeMessage(chat, (m) => ({ ...m, text: v.plain, ...echoMarkup(p.reply_markup) }) as Message);
    },

    senddocument: (p, uploads) => {
      const chat = requireChat(p);
      const caption = checkCaption(p);
      checkReplyMarkup(p.reply_markup);
      const f = resolveFile(p.document, uploads, 'document');
      return storeMessage(chat, (m) => ({
        ...m,
        document: {
          file_id: f.file_id,
          file_unique_id: f.file_unique_id,
          file_size: f.file_size,
          ...(f.file_name ? { file_name: f.file_name } : {}),
          ...(f.mime_type ? { mime_type: f.mime_type } : {}),
        },
        ...caption,
        ...echoMarkup(p.reply_markup),
      }) as Message);
    },

    sendphoto: (p, uploads) => {
      const chat = requireChat(p);
      const caption = checkCaption(p);
      checkReplyMarkup(p.reply_markup);
      const f = resolveFile(p.photo, uploads, 'photo');
      const data = files.get(f.file_id)?.data ?? Buffer.alloc(0);
      // An upload is decoded as Telegram does: a PNG or JPEG within the photo limits, else refused.
      const dims = data.length ? imageSize(data) : { width: 800, height: 800 };
      if (!dims) throw badRequest(TELEGRAM_ERRORS.imageProcessFailed);
      if (data.length > TELEGRAM_LIMITS.photoMaxBytes || dims.width + dims.height > TELEGRAM_LIMITS.photoMaxSides || Math.max(dims.width, dims.height) / Math.min(dims.width, dims.height) > TELEGRAM_LIMITS.photoMaxRatio)
        throw badRequest(TELEGRAM_ERRORS.photoInvalidDimensions);
      // Telegram keeps the photo in several sizes (longest side 90, 320, 800, 1280), largest last.
      const sizes: PhotoSize[] = [90, 320, 800, 1280]
        .map((side) => Math.min(1, side / Math.max(dims.width, dims.height)))
        .filter((scale, i, all) => i === 0 || scale > all[i - 1]!)
        .map((scale, i, all) => {
          const last = i === all.length - 1;
          return {
            file_id: last ? f.file_id : `${f.file_id}-${i}`,
            file_unique_id: last ? f.file_unique_id : `${f.file_unique_id}-${i}`,
            file_size: last ? f.file_size : Math.max(1, Math.round(f.file_size * scale * scale)),
            width: Math.max(1, Math.round(dims.width * scale)),
            height: Math.max(1, Math.round(dims.height * scale)),
          };
        });
      return storeMessage(chat, (m) => ({ ...m, photo: sizes, ...caption, ...echoMarkup(p.reply_markup) }) as Message);
    },

    sendchataction: (p) => {
      requireChat(p);
      return true;
    },

    answercallbackquery: (p) => {
      if (typeof p.callback_query_id !== 'string' && typeof p.callback_query_id !== 'number') {
        throw badRequest(TELEGRAM_ERRORS.queryIdInvalid);
      }
      if (p.callback_query_id === '') throw badRequest(TELEGRAM_ERRORS.queryIdInvalid);
      return true;
    },

    editmessagetext: (p) => {
      if (p.inline_message_id !== undefined) return true;
      const chat = requireChat(p);
      const id = Number(p.message_id);
      const existing = messages.get(chat)?.get(id);
      if (!existing) throw badRequest(TELEGRAM_ERRORS.messageToEditNotFound);
      if (p.text === undefined) throw badRequest(TELEGRAM_ERRORS.textEmpty);
      const v = visibleText(String(p.text), p.parse_mode);
      if (!v.ok) throw badRequest(v.description);
      if (v.plain.trim() === '') throw badRequest(TELEGRAM_ERRORS.textEmpty);
      if (v.plain.length > TELEGRAM_LIMITS.textMax) throw badRequest(TELEGRAM_ERRORS.textTooLong);
      checkReplyMarkup(p.reply_markup);
      const newMarkup = echoMarkup(p.reply_markup).reply_markup;
      if ('text' in existing && existing.text === v.plain && JSON.stringify(existing.reply_markup) === JSON.stringify(newMarkup)) {
        throw badRequest(TELEGRAM_ERRORS.messageNotModified);
      }
      const edited = { ...existing, text: v.plain, edit_date: Math.floor(Date.now() / 1000) } as Message & { reply_markup?: unknown };
      delete edited.reply_markup;
      const result = { ...edited, ...echoMarkup(p.reply_markup) } as Message;
      messages.get(chat)!.set(id, result);
      return result;
    },

    editmessagereplymarkup: (p) => {
      if (p.inline_message_id !== undefined) return true;
      const chat = requireChat(p);
      const id = Number(p.message_id);
      const existing = messages.get(chat)?.get(id);
      if (!existing) throw badRequest(TELEGRAM_ERRORS.messageToEditNotFound);
      checkReplyMarkup(p.reply_markup);
      const newMarkup = echoMarkup(p.reply_markup).reply_markup;
      if (JSON.stringify(existing.reply_markup) === JSON.stringify(newMarkup)) throw badRequest(TELEGRAM_ERRORS.messageNotModified);
      const edited = { ...existing, edit_date: Math.floor(Date.now() / 1000) } as Message & { reply_markup?: unknown };
      delete edited.reply_markup;
      const result = { ...edited, ...echoMarkup(p.reply_markup) } as Message;
      messages.get(chat)!.set(id, result);
      return result;
    },

    deletemessage: (p) => {
      const chat = requireChat(p);
      const id = Number(p.message_id);
      if (!messages.get(chat)?.delete(id)) throw badRequest('Bad Request: message to delete not found');
      return true;
    },

    getfile: (p) => {
      const f = typeof p.file_id === 'string' ? files.get(p.file_id) : undefined;
      if (!f) throw badRequest(TELEGRAM_ERRORS.invalidFileId);
      if (f.file_size > TELEGRAM_LIMITS.getFileMaxBytes) throw badRequest(TELEGRAM_ERRORS.fileTooBig);
      return { file_id: f.file_id, file_unique_id: f.file_unique_id, file_size: f.file_size, file_path: f.file_path };
    },

    setwebhook: (p) => {
      const url = typeof p.url === 'string' ? p.url : '';
      if (url === '') {
        webhook = undefined;
        return true;
      }
      // Telegram demands HTTPS; the fake also accepts loopback HTTP so tests can receive.
      if (!/^https:\/\//i.test(url) && !/^http:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?\//i.test(url)) {
        throw badRequest(TELEGRAM_ERRORS.badWebhookUrl);
      }
      if (p.secret_token !== undefined && !TELEGRAM_LIMITS.secretTokenRe.test(String(p.secret_token))) {
        throw badRequest(TELEGRAM_ERRORS.secretTokenInvalid);
      }
      const max = p.max_connections === undefined ? 40 : Number(p.max_connections);
      if (!(max >= 1 && max <= 100)) throw badRequest('Bad Request: invalid max_connections specified');
      webhook = {
        url,
        max_connections: max,
        ...(p.secret_token !== undefined ? { secret_token: String(p.secret_token) } : {}),
        ...(Array.isArray(p.allowed_updates) ? { allowed_updates: p.allowed_updates as string[] } : {}),
        ...(p.drop_pending_updates !== undefined ? { drop_pending_updates: p.drop_pending_updates === true || p.drop_pending_updates === 'true' } : {}),
      };
      if (webhook.drop_pending_updates) updates.length = 0;
      return true;
    },

    deletewebhook: (p) => {
      webhook = undefined;
      if (p.drop_pending_updates === true || p.drop_pending_updates === 'true') updates.length = 0;
      return true;
    },

    getwebhookinfo: () => ({
      url: webhook?.url ?? '',
      has_custom_certificate: false,
      pending_update_count: updates.length,
      ...(webhook ? { max_connections: webhook.max_connections, ip_address: '127.0.0.1' } : {}),
      ...(webhook?.allowed_updates ? { allowed_updates: webhook.allowed_updates } : {}),
    }),

    setmycommands: (p) => {
      const cmds = p.commands;
      if (!Array.isArray(cmds) || cmds.length > 100) throw badRequest(TELEGRAM_ERRORS.commandsInvalid);
      for (const c of cmds as Array<Record<string, unknown>>) {
        const cmd = String(c?.command ?? '');
        const desc = String(c?.description ?? '');
        if (!/^[a-z0-9_]{1,32}$/.test(cmd)) throw badRequest(TELEGRAM_ERRORS.commandsInvalid);
        if (desc.length < 1 || desc.length > 256) throw badRequest('Bad Request: command description is empty');
      }
      return true;
    },

    deletemycommands: () => true,
    getmycommands: () => [],
    setmydescription: () => true,
    setmyshortdescription: () => true,
  };

  // getUpdates is async (long polling), handled separately.
  const getUpdates = async (p: Record<string, unknown>): Promise<Update[]> => {
    if (webhook) throw new ApiError(409, TELEGRAM_ERRORS.webhookActive);
    const offset = p.offset === undefined ? undefined : Number(p.offset);
    if (offset !== undefined) {
      // Confirms (drops) every update below offset, like Telegram.
      while (updates.length > 0 && updates[0]!.update_id < offset) updates.shift();
    }
    const limit = Math.min(Math.max(Number(p.limit ?? 100) || 100, 1), 100);
    const timeoutMs = Math.min(Math.max(Number(p.timeout ?? 0) || 0, 0), 50) * 1000;
    if (updates.length === 0 && timeoutMs > 0 && !closed) {
      await waiters
        .waitFor(() => updates.length > 0 || closed, timeoutMs, 'getUpdates')
        .catch(() => undefined);
    }
    return updates.slice(0, limit);
  };

  // --- failure injection and rate limiting ------------------------------------------------

  const takeFailure = (method: string, chat: string | undefined): TelegramFailure | undefined => {
    const lower = method.toLowerCase();
    const idx = failures.findIndex(
      (f) => (f.method === '*' || f.method === lower) && (f.chatId === undefined || f.chatId === chat),
    );
    if (idx < 0) return undefined;
    const rule = failures[idx]!;
    rule.remaining--;
    if (rule.remaining <= 0) failures.splice(idx, 1);
    return rule.failure;
  };

  const rateLimited = (lower: string, chat: string | undefined): number | undefined => {
    if (!limits || !SEND_METHODS.has(lower)) return undefined;
    const now = Date.now();
    const retryAfter = limits.retryAfter ?? 1;
    globalWindow = globalWindow.filter((t) => now - t < 1000);
    if (limits.perSecond !== undefined && globalWindow.length >= limits.perSecond) return retryAfter;
    if (chat !== undefined) {
      const isGroup = Number(chat) < 0 || chat.startsWith('@');
      const win = (chatWindows.get(chat) ?? []).filter((t) => now - t < 60_000);
      chatWindows.set(chat, win);
      const lastSecond = win.filter((t) => now - t < 1000).length;
      if (limits.perChatPerSecond !== undefined && lastSecond >= limits.perChatPerSecond) return retryAfter;
      if (isGroup && limits.perGroupPerMinute !== undefined && win.length >= limits.perGroupPerMinute) {
        return Math.max(retryAfter, Math.ceil((60_000 - (now - win[0]!)) / 1000));
      }
      win.push(now);
    }
    globalWindow.push(now);
    return undefined;
  };

  // --- HTTP ---------------------------------------------------------------------------------

  const app = express();
  app.disable('x-powered-by');
  app.use(rawBody());

  const record = (call: TelegramCall): void => {
    calls.push(call);
    statusCounts[call.status] = (statusCounts[call.status] ?? 0) + 1;
    waiters.notify();
  };

  const answer = (res: Response, status: number, body: unknown, headers: Record<string, string> = {}): void => {
    for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
    res.status(status).json(body);
  };

  const errorBody = (e: ApiError) => ({
    ok: false,
    error_code: e.code,
    description: e.description,
    ...(e.parameters ? { parameters: e.parameters } : {}),
  });

  app.get('/file/bot:token/*path', (req, res) => {
    const path = ([] as string[]).concat((req.params as { path: string | string[] }).path).join('/');
    const f = req.params.token === token ? filesByPath.get(path) : undefined;
    if (!f) {
      answer(res, 404, TELEGRAM_ERRORS.notFound);
      return;
    }
    if (f.redirectTo) {
      res.redirect(302, f.redirectTo);
      return;
    }
    res.setHeader('Content-Type', f.mime_type ?? 'application/octet-stream');
    res.setHeader('Content-Length', String(f.data.length));
    res.status(200).end(f.data);
  });

  app.all('/bot:token/:method', async (req, res) => {
    const method = String(req.params.method);
    const lower = method.toLowerCase();
    const at = Date.now();
    let parsed: ParsedRequest = { params: {}, uploads: new Map() };
    const base = { method, at, httpMethod: req.method };
    const files = () => [...parsed.uploads.values()].map((u) => u.info);
    try {
      parsed = parseRequest(req);
    } catch (e) {
      const body = errorBody(e as ApiError);
      record({ ...base, params: {}, files: [], status: 400, response: body });
      answer(res, 400, body);
      return;
    }
    const { params } = parsed;

    if (req.params.token !== token) {
      record({ ...base, params, files: files(), status: 401, response: TELEGRAM_ERRORS.unauthorized });
      answer(res, 401, TELEGRAM_ERRORS.unauthorized);
      return;
    }
    if (!(lower in methods) && lower !== 'getupdates') {
      record({ ...base, params, files: files(), status: 404, response: TELEGRAM_ERRORS.notFound });
      answer(res, 404, TELEGRAM_ERRORS.notFound);
      return;
    }

    const chat = params.chat_id === undefined || params.chat_id === '' ? undefined : chatKey(params.chat_id);
    const failure = takeFailure(method, chat);
    if (failure) {
      if (failure.kind === 'drop') {
        record({ ...base, params, files: files(), status: 0, response: undefined });
        req.socket.destroy();
        return;
      }
      if (failure.kind === '500') {
        record({ ...base, params, files: files(), status: 500, response: undefined });
        res.status(500).type('text/html').send('<html><body>500 Internal Server Error</body></html>');
        return;
      }
      const err =
        failure.kind === '429'
          ? new ApiError(429, TELEGRAM_ERRORS.tooManyRequests(failure.retryAfter), { retry_after: failure.retryAfter })
          : failure.kind === '403-blocked'
            ? new ApiError(403, TELEGRAM_ERRORS.blocked.description)
            : failure.kind === '400'
              ? new ApiError(400, failure.description)
              : new ApiError(failure.code, failure.description, failure.parameters);
      const body = errorBody(err);
      record({ ...base, params, files: files(), status: err.code, response: body });
      answer(res, err.code, body, err.code === 429 ? { 'Retry-After': String(err.parameters?.retry_after) } : {});
      return;
    }
    if (chat !== undefined && blocked.has(chat) && SEND_METHODS.has(lower)) {
      record({ ...base, params, files: files(), status: 403, response: TELEGRAM_ERRORS.blocked });
      answer(res, 403, TELEGRAM_ERRORS.blocked);
      return;
    }
    const retryAfter = rateLimited(lower, chat);
    if (retryAfter !== undefined) {
      const body = errorBody(new ApiError(429, TELEGRAM_ERRORS.tooManyRequests(retryAfter), { retry_after: retryAfter }));
      record({ ...base, params, files: files(), status: 429, response: body });
      answer(res, 429, body, { 'Retry-After': String(retryAfter) });
      return;
    }

    try {
      const result = lower === 'getupdates' ? await getUpdates(params) : methods[lower]!(params, parsed.uploads);
      const body: Record<string, unknown> = { ok: true, result };
      if (lower === 'setwebhook') body.description = params.url ? 'Webhook was set' : 'Webhook was deleted';
      if (lower === 'deletewebhook') body.description = 'Webhook was deleted';
      record({ ...base, params, files: files(), status: 200, response: body });
      answer(res, 200, body);
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      const body = errorBody(e);
      record({ ...base, params, files: files(), status: e.code, response: body });
      answer(res, e.code, body);
    }
  });

  app.use((_req: Request, res: Response) => answer(res, 404, TELEGRAM_ERRORS.notFound));

  const listening = await listen(app, options.port, options.keepAliveMs);

  const fake: FakeTelegram = {
    apiRoot: listening.base,
    token,
    botInfo,
    calls,
    callsOf: (method) => calls.filter((c) => c.method.toLowerCase() === method.toLowerCase()),
    messagesTo: (chatId) => [...(messages.get(chatKey(chatId))?.values() ?? [])],
    onMessage(listener) {
      messageListeners.add(listener);
      return () => void messageListeners.delete(listener);
    },
    failNext(method, failure, opts = {}) {
      failures.push({
        method: method === '*' ? '*' : method.toLowerCase(),
        failure,
        ...(opts.chatId !== undefined ? { chatId: chatKey(opts.chatId) } : {}),
        remaining: opts.times ?? 1,
      });
    },
    blockChat: (chatId) => void blocked.add(chatKey(chatId)),
    unblockChat: (chatId) => void blocked.delete(chatKey(chatId)),
    setChat: (chat) => void chats.set(chatKey(chat.id), chat),
    addFile,
    getStoredFile: (fileId) => files.get(fileId),
    rateLimit(opts) {
      limits = opts;
      globalWindow = [];
      chatWindows.clear();
    },
    stats: () => ({ ...statusCounts }),
    pushUpdate(update) {
      updates.push(update);
      waiters.notify();
    },
    get webhook() {
      return webhook;
    },
    async deliverUpdate(update) {
      if (!webhook) throw new Error('deliverUpdate: no webhook set (call setWebhook first)');
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (webhook.secret_token) headers['x-telegram-bot-api-secret-token'] = webhook.secret_token;
      const r = await fetch(webhook.url, { method: 'POST', headers, body: JSON.stringify(update) });
      return { status: r.status, body: await r.text() };
    },
    waitFor: (probe, timeoutMs = 5000) => waiters.waitFor(() => probe(calls), timeoutMs, 'fake Telegram state'),
    reset() {
      calls.length = 0;
      failures = [];
      blocked.clear();
      limits = null;
      globalWindow = [];
      chatWindows.clear();
      statusCounts = {};
    },
    async close() {
      closed = true;
      waiters.notify();
      await listening.close();
    },
  };
  return fake;
}

function guessMime(filename: string): string {
  const ext = filename.toLowerCase().split('.').pop() ?? '';
  const map: Record<string, string> = {
    pdf: 'application/pdf',
    doc: 'application/msword',
    docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    xls: 'application/vnd.ms-excel',
    xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    csv: 'text/csv',
    jpg: 'image/jpeg',
    jpeg: 'image/jpeg',
    png: 'image/png',
    txt: 'text/plain',
    zip: 'application/zip',
  };
  return map[ext] ?? 'application/octet-stream';
}

/** Width and height of a PNG (IHDR) or a baseline/progressive JPEG (SOFn); null for anything else. */
export function imageSize(data: Buffer): { width: number; height: number } | null {
  if (data.length >= 24 && data.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) && data.toString('latin1', 12, 16) === 'IHDR')
    return { width: data.readUInt32BE(16), height: data.readUInt32BE(20) };
  if (data.length < 4 || data[0] !== 0xff || data[1] !== 0xd8) return null;
  for (let i = 2; i + 9 < data.length; ) {
    if (data[i] !== 0xff) return null;
    const marker = data[i + 1]!;
    const len = data.readUInt16BE(i + 2);
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) return { height: data.readUInt16BE(i + 5), width: data.readUInt16BE(i + 7) };
    i += 2 + len;
  }
  return null;
}
