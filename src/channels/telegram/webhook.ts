import { createHash, timingSafeEqual } from 'node:crypto';
import express, { type Router } from 'express';
import type { Update } from 'grammy/types';
import type { Logger } from 'pino';
import type { TelegramChannel } from './channel.js';
import { DeliveryPendingError } from './channel.js';

export const WEBHOOK_PATH = '/webhooks/telegram';
export const SECRET_HEADER = 'x-telegram-bot-api-secret-token';

const digest = (s: string) => createHash('sha256').update(s).digest();

/** Constant-time comparison (hashing first makes it independent of the lengths too). */
export function secretMatches(given: string | undefined, expected: string | Buffer): boolean {
  if (typeof given !== 'string') return false;
  return timingSafeEqual(digest(given), typeof expected === 'string' ? digest(expected) : expected);
}

const isUpdate = (x: unknown): x is Update =>
  typeof x === 'object' && x !== null && Number.isSafeInteger((x as { update_id?: unknown }).update_id);

/**
 * POST /webhooks/telegram. The secret header is checked before the body is even read
 * (401, nothing stored). 200 means "handled and stored, replies delivered or the user
 * unreachable"; any failure answers 5xx so Telegram delivers the update again, and
 * the engine's dedupe (by update_id, marked only with the stored effect) makes the
 * second delivery safe.
 */
export function telegramWebhook(channel: TelegramChannel, secret: string, log: Logger): Router {
  const r = express.Router();
  const expected = digest(secret);
  r.post(
    WEBHOOK_PATH,
    (req, res, next) => {
      if (!secretMatches(req.get(SECRET_HEADER), expected)) {
        log.warn({ ip: req.ip }, 'telegram webhook: wrong secret token');
        res.status(401).json({ error: 'unauthorized' });
        return;
      }
      next();
    },
    express.json({ limit: '1mb', type: () => true }),
    async (req, res) => {
      const update: unknown = req.body;
      if (!isUpdate(update)) {
        res.status(400).json({ error: 'not a Telegram update' });
        return;
      }
      try {
        await channel.handleUpdate(update);
        res.status(200).end();
      } catch (err) {
        const pending = err instanceof DeliveryPendingError;
        log[pending ? 'warn' : 'error']({ update: update.update_id, err: err instanceof Error ? err.message : String(err) }, 'telegram update not acknowledged; Telegram will deliver it again');
        if (!res.headersSent) res.status(pending ? 503 : 500).json({ error: pending ? 'replies pending' : 'internal' });
      }
    },
  );
  return r;
}
