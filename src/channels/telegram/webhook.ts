import { hash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Update } from 'grammy/types';
import type { Logger } from 'pino';
import { scanJson } from '../json-shape.js';
import type { TelegramChannel } from './channel.js';
import { DeliveryPendingError } from './channel.js';
import { WEBHOOK_PATH } from './constants.js';

export { WEBHOOK_PATH };
export const SECRET_HEADER = 'x-telegram-bot-api-secret-token';
/** Telegram's updates are small; anything this big is not one. */
const MAX_BODY_BYTES = 1024 * 1024;
/**
 * Updates nest under 10 deep (update → message → reply_markup → inline_keyboard → row →
 * button…). A megabyte of `[` takes JSON.parse half a second; refused before parsing.
 */
const MAX_UPDATE_DEPTH = 32;

const digest = (s: string) => hash('sha256', s, 'buffer');

/** Constant-time comparison (hashing first makes it independent of the lengths too). */
export function secretMatches(given: string | undefined, expected: string | Buffer): boolean {
  if (typeof given !== 'string') return false;
  return timingSafeEqual(digest(given), typeof expected === 'string' ? digest(expected) : expected);
}

const isUpdate = (x: unknown): x is Update =>
  typeof x === 'object' && x !== null && Number.isSafeInteger((x as { update_id?: unknown }).update_id);

type Body = { ok: true; value: unknown } | { ok: false; status: 400 | 413 };

/**
 * The request body as JSON, at most MAX_BODY_BYTES. Telegram always posts UTF-8 JSON, so
 * this is all express.json() would do here, without its per-request content-type,
 * charset and stream machinery on the path every update takes.
 */
function readJson(req: IncomingMessage): Promise<Body> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (declared > MAX_BODY_BYTES) {
      req.resume();
      resolve({ ok: false, status: 413 });
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        resolve({ ok: false, status: 413 });
        req.removeAllListeners('data');
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (size > MAX_BODY_BYTES) return;
      const bytes = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
      if (!scanJson(bytes, MAX_UPDATE_DEPTH).ok) return resolve({ ok: false, status: 400 });
      try {
        resolve({ ok: true, value: JSON.parse(bytes.toString('utf8')) });
      } catch {
        resolve({ ok: false, status: 400 });
      }
    });
    req.on('error', reject);
  });
}

/** A plain Node request handler: the app serves webhooks ahead of express (see app.ts). */
export type WebhookHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

function answer(res: ServerResponse, status: number, body?: object): void {
  if (res.headersSent) return;
  if (!body) {
    res.statusCode = status;
    res.end();
    return;
  }
  const json = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(json) });
  res.end(json);
}

/**
 * POST /webhooks/telegram. The secret header is checked before the body is even read
 * (401, nothing stored). 200 means "handled and stored, replies delivered or the user
 * unreachable"; any failure answers 5xx so Telegram delivers the update again, and
 * the engine's dedupe (by update_id, marked only with the stored effect) makes the
 * second delivery safe.
 */
export function telegramWebhook(channel: TelegramChannel, secret: string, log: Logger): WebhookHandler {
  const expected = digest(secret);
  return async (req, res) => {
    const given = req.headers[SECRET_HEADER];
    if (!secretMatches(Array.isArray(given) ? given[0] : given, expected)) {
      log.warn({ ip: req.socket.remoteAddress }, 'telegram webhook: wrong secret token');
      return answer(res, 401, { error: 'unauthorized' });
    }
    const body = await readJson(req).catch((): Body => ({ ok: false, status: 400 }));
    if (!body.ok) {
      // The body may hold personal data: only the status is logged.
      log.warn({ path: WEBHOOK_PATH, status: body.status }, 'request refused');
      return answer(res, body.status, { error: body.status === 413 ? 'payload too large' : 'bad request' });
    }
    const update = body.value;
    if (!isUpdate(update)) return answer(res, 400, { error: 'not a Telegram update' });
    try {
      await channel.handleUpdate(update);
      answer(res, 200);
    } catch (err) {
      const pending = err instanceof DeliveryPendingError;
      log[pending ? 'warn' : 'error']({ update: update.update_id, err: err instanceof Error ? err.message : String(err) }, 'telegram update not acknowledged; Telegram will deliver it again');
      answer(res, pending ? 503 : 500, { error: pending ? 'replies pending' : 'internal' });
    }
  };
}
