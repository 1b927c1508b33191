import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { startBot, type TestBot } from './helpers/bot.js';

/** The engine's per-user lock, dedupe mark and session now travel in one script each way (sessions.enter / exit). */
describe('engine: lock, dedupe and session in one round trip', () => {
  let bot: TestBot;
  afterEach(() => bot?.close());

  const keys = (b: TestBot, user: string, messageId: string) => ({
    lock: b.app.engine.sessions.lockKey('sim', user),
    seen: `${b.prefix}:seen:sim:${messageId}`,
    session: `${b.prefix}:session:sim:${user}`,
  });

  it('after a message the lock is free, the message is marked handled and the session saved', async () => {
    bot = await startBot('binh-thanh-2024');
    const id = randomUUID();
    await bot.say('u1', 'xin chào', { messageId: id });
    const k = keys(bot, 'u1', id);
    expect(await bot.app.redis.exists(k.lock)).toBe(0);
    expect(await bot.app.redis.exists(k.seen)).toBe(1);
    expect(JSON.parse((await bot.app.redis.get(k.session))!).flow).toBe('onboarding');
    expect(await bot.say('u1', 'xin chào', { messageId: id })).toEqual([]);
  });

  it('waits for a lock another process holds, and takes it when that one expires', async () => {
    bot = await startBot('binh-thanh-2024');
    await bot.app.redis.set(bot.app.engine.sessions.lockKey('sim', 'u2'), 'someone-else', 'PX', 300);
    const started = Date.now();
    const r = await bot.say('u2', 'xin chào');
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(bot.text(r)).toContain('Bạn tham gia phong trào với tư cách nào?');
  });

  it('a failure after the lock was taken releases it and marks nothing, so the redelivery is handled', async () => {
    bot = await startBot('binh-thanh-2024');
    await bot.say('u3', 'xin chào');
    const id = randomUUID();
    const identities = bot.app.store.identities;
    const real = identities.touchInbound.bind(identities);
    identities.touchInbound = () => Promise.reject(new Error('Connection is closed.'));
    await expect(bot.say('u3', '1', { messageId: id })).rejects.toThrow(/Connection is closed/);
    const k = keys(bot, 'u3', id);
    expect(await bot.app.redis.exists(k.lock)).toBe(0);
    expect(await bot.app.redis.exists(k.seen)).toBe(0);
    identities.touchInbound = real;
    expect(bot.text(await bot.say('u3', '1', { messageId: id }))).toContain('Nhập mã mời');
  });
});
