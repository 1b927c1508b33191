import type { Command } from 'commander';
import type { Api } from 'grammy';
import { ALLOWED_UPDATES, WEBHOOK_PATH } from '../../channels/telegram/constants.js';
import type { Config } from '../../config/index.js';
import type { Lang } from '../../domain/entities.js';
import type { MsgKey } from '../../i18n.js';
import { CliError } from '../errors.js';

const loadConfig = async (): Promise<Config> => (await import('../../config/index.js')).parseConfig(process.env);

async function api(config: Config): Promise<Api> {
  if (!config.TELEGRAM_BOT_TOKEN) throw new CliError('Telegram is not configured: set TELEGRAM_BOT_TOKEN (see README, "Telegram")');
  const { Api } = await import('grammy');
  return new Api(config.TELEGRAM_BOT_TOKEN, { apiRoot: config.TELEGRAM_API_ROOT.replace(/\/+$/, ''), timeoutSeconds: 30 });
}

/** Telegram's own words for a failure (never the token, which is only in the request URL). */
async function call<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    const { GrammyError, HttpError } = await import('grammy');
    if (err instanceof GrammyError) throw new CliError(`${what} failed: ${err.error_code} ${err.description}`);
    if (err instanceof HttpError) throw new CliError(`${what} failed: cannot reach the Bot API (${err.message})`);
    throw err;
  }
}

/** Commands shown in Telegram's menu (all roles: the bot refuses what a user may not do). */
const COMMANDS: [command: string, description: MsgKey][] = [
  ['start', 'telegram.cmd_start'],
  ['dangky', 'telegram.cmd_dangky'],
  ['baocao', 'telegram.cmd_baocao'],
  ['dexuat', 'telegram.cmd_dexuat'],
  ['tinhtrang', 'telegram.cmd_tinhtrang'],
  ['thongke', 'telegram.cmd_thongke'],
  ['thieu', 'telegram.cmd_thieu'],
  ['hoso', 'telegram.cmd_hoso'],
  ['moi', 'telegram.cmd_moi'],
  ['help', 'telegram.cmd_help'],
];

export function register(program: Command): void {
  program
    .command('telegram:set-webhook')
    .description(`point Telegram at this server: setWebhook with TELEGRAM_WEBHOOK_SECRET and the update types we handle (${ALLOWED_UPDATES.join(', ')})`)
    .argument('<url>', `the public HTTPS URL of ${WEBHOOK_PATH}, e.g. https://bot.example.gov.vn${WEBHOOK_PATH}`)
    .option('--max-connections <n>', 'simultaneous HTTPS connections Telegram may open (1-100)', '40')
    .option('--drop-pending-updates', 'forget updates Telegram is still holding')
    .action(async (url: string, opts: { maxConnections: string; dropPendingUpdates?: boolean }) => {
      const cfg = await loadConfig();
      if (!cfg.TELEGRAM_WEBHOOK_SECRET) throw new CliError('Set TELEGRAM_WEBHOOK_SECRET first (1-256 characters of A-Z a-z 0-9 _ -): the server rejects updates without it');
      let parsed: URL;
      try {
        parsed = new URL(url);
      } catch {
        throw new CliError(`Not a URL: ${url}`);
      }
      const loopback = /^(127\.0\.0\.1|localhost|\[::1\])$/.test(parsed.hostname);
      if (parsed.protocol !== 'https:' && !loopback) throw new CliError('Telegram only delivers to HTTPS URLs (ports 443, 80, 88 or 8443)');
      if (!parsed.pathname.endsWith(WEBHOOK_PATH)) console.warn(`Warning: the server listens on ${WEBHOOK_PATH}; ${parsed.pathname} will only work behind a proxy that rewrites it`);
      const max = Number(opts.maxConnections);
      if (!Number.isInteger(max) || max < 1 || max > 100) throw new CliError('--max-connections must be a whole number from 1 to 100');
      const bot = await api(cfg);
      await call('setWebhook', () =>
        bot.setWebhook(url, {
          secret_token: cfg.TELEGRAM_WEBHOOK_SECRET,
          allowed_updates: [...ALLOWED_UPDATES],
          max_connections: max,
          ...(opts.dropPendingUpdates && { drop_pending_updates: true }),
        }),
      );
      console.log(`Webhook set: ${url} (updates: ${ALLOWED_UPDATES.join(', ')}; max ${max} connections)`);
    });

  program
    .command('telegram:webhook-info')
    .description('what Telegram knows about our webhook: URL, pending updates, last delivery error')
    .action(async () => {
      const bot = await api(await loadConfig());
      const info = await call('getWebhookInfo', () => bot.getWebhookInfo());
      console.log(`url:              ${info.url || '(none: polling or not set)'}`);
      console.log(`pending updates:  ${info.pending_update_count}`);
      if (info.max_connections) console.log(`max connections:  ${info.max_connections}`);
      if (info.allowed_updates) console.log(`allowed updates:  ${info.allowed_updates.join(', ')}`);
      if (info.last_error_date) console.log(`last error:       ${new Date(info.last_error_date * 1000).toISOString()} ${info.last_error_message ?? ''}`);
    });

  program
    .command('telegram:delete-webhook')
    .description('stop webhook delivery (needed before TELEGRAM_MODE=polling on the same bot)')
    .option('--drop-pending-updates', 'forget updates Telegram is still holding')
    .action(async (opts: { dropPendingUpdates?: boolean }) => {
      const bot = await api(await loadConfig());
      await call('deleteWebhook', () => bot.deleteWebhook(opts.dropPendingUpdates ? { drop_pending_updates: true } : {}));
      console.log('Webhook deleted');
    });

  program
    .command('telegram:set-commands')
    .description("fill the bot's command menu (Vietnamese, and English for English-language clients)")
    .action(async () => {
      const bot = await api(await loadConfig());
      const { t } = await import('../../i18n.js');
      const list = (lang: Lang) => COMMANDS.map(([command, key]) => ({ command, description: t(lang, key) }));
      await call('setMyCommands', () => bot.setMyCommands(list('vi')));
      await call('setMyCommands', () => bot.setMyCommands(list('en'), { language_code: 'en' }));
      console.log(`Command menu set: ${COMMANDS.map(([c]) => `/${c}`).join(' ')}`);
    });
}
