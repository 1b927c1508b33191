/** Facts about our Telegram setup that the CLI's help prints; no grammY here, so `cli --help` stays fast. */

/** The update types we ask Telegram for (setWebhook and getUpdates). */
export const ALLOWED_UPDATES = ['message', 'edited_message', 'callback_query', 'my_chat_member'] as const;

export const WEBHOOK_PATH = '/webhooks/telegram';
