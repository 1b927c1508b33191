import fs from 'node:fs';
import type { Command } from 'commander';
import type { Redis } from 'ioredis';
import type { Config } from '../../config/index.js';
import { CliError } from '../errors.js';

async function tokensFor(config: Config, redis: Redis) {
  if (!config.ZALO_APP_ID || !config.ZALO_APP_SECRET) {
    throw new CliError('Zalo is not configured: set ZALO_APP_ID, ZALO_APP_SECRET and ZALO_OA_SECRET_KEY (see README, "Zalo")');
  }
  const [{ ZaloTokens }, { createLogger }, { storePrefix }] = await Promise.all([
    import('../../channels/zalo/tokens.js'),
    import('../../logger.js'),
    import('../context.js'),
  ]);
  return new ZaloTokens({
    redis,
    prefix: storePrefix(),
    oauthBase: config.ZALO_OAUTH_BASE,
    appId: config.ZALO_APP_ID,
    appSecret: config.ZALO_APP_SECRET,
    log: createLogger('silent'),
  });
}

export function register(program: Command): void {
  program
    .command('zalo:set-refresh-token')
    .description('give the Zalo channel a new OAuth refresh token (after re-authorising the app); brings a down channel back')
    .argument('<token>', 'the refresh token, or - to read it from standard input (keeps it out of shell history)')
    .option('--check', 'spend it at once for a fresh access token, to prove it works')
    .action(async (arg: string, opts: { check?: boolean }) => {
      const token = (arg === '-' ? fs.readFileSync(0, 'utf8') : arg).trim();
      const { withStore } = await import('../context.js');
      await withStore(async ({ config, redis }) => {
        const tokens = await tokensFor(config, redis);
        try {
          await tokens.setRefreshToken(token);
        } catch (err) {
          if (err instanceof RangeError) throw new CliError(err.message);
          throw err;
        }
        if (opts.check) {
          try {
            await tokens.accessToken();
          } catch (err) {
            throw new CliError(`Stored, but the refresh failed: ${(err as Error).message}`);
          }
          console.log('Refresh token stored and exchanged for a new access token: the Zalo channel is up');
        } else {
          console.log('Refresh token stored: the Zalo channel is up (the next send exchanges it)');
        }
      });
    });

  program
    .command('zalo:status')
    .description('show the Zalo channel token state (never the tokens themselves)')
    .action(async () => {
      const { withStore } = await import('../context.js');
      await withStore(async ({ config, redis }) => {
        const s = await (await tokensFor(config, redis)).status();
        console.log(`refresh token: ${s.hasRefreshToken ? `stored (${s.source ?? 'unknown source'})` : 'none'}`);
        console.log(`access token:  ${s.hasAccessToken ? `valid until ${s.expiresAt}` : 'none'}${s.refreshedAt ? `, last refresh ${s.refreshedAt}` : ''}`);
        console.log(s.down ? `channel:       DOWN since ${s.down.at}: ${s.down.reason}` : 'channel:       up');
        if (s.down) process.exitCode = 2;
      });
    });
}
