export { ALLOWED_UPDATES, DeliveryPendingError, TelegramChannel, type TelegramChannelOptions } from './channel.js';
export { classifyTelegramError } from './errors.js';
export { normalizeUpdate, type TelegramAction } from './normalize.js';
export { renderReply, splitText, keyboard, type TelegramOp } from './render.js';
export { telegramWebhook, secretMatches, WEBHOOK_PATH, SECRET_HEADER, type WebhookHandler } from './webhook.js';
