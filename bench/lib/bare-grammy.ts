import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The reference line of the webhook benchmarks: grammY's standard webhook setup
 * (webhookCallback on express with express.json(), its default client), one Redis GET
 * and SET per message, and ctx.reply. Listens on a free loopback port; returns it.
 */
export async function startBareGrammy(opts: { redisUrl: string; apiRoot: string; token: string; secret: string; botInfo: object; prefix: string }): Promise<number> {
  const express = (await import('express')).default;
  const { Bot, webhookCallback } = await import('grammy');
  const { Redis } = await import('ioredis');
  const redis = new Redis(opts.redisUrl);
  const bot = new Bot(opts.token, { client: { apiRoot: opts.apiRoot }, botInfo: opts.botInfo as never });
  bot.on('message', async (ctx) => {
    const key = `${opts.prefix}:bare:${ctx.from.id}`;
    const n = Number((await redis.get(key)) ?? 0) + 1;
    await redis.set(key, String(n));
    await ctx.reply(`Đã nhận tin nhắn số ${n}`);
  });
  const app = express();
  app.use(express.json());
  app.post('/webhooks/telegram', webhookCallback(bot, 'express', { secretToken: opts.secret }));
  const server = await new Promise<http.Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  return (server.address() as AddressInfo).port;
}
