import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { startBot, type TestBot } from '../helpers/bot.js';

/** The engine's flood count, per-user lock, dedupe mark, session and identity travel in one script each way (sessions.enter / exit). */
describe('engine: flood count, lock, dedupe, session and identity in one round trip each way', () => {
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
    // The next message records its time with the session save.
    bot.clock.now = new Date('2024-11-20T05:06:07Z');
    await bot.say('u1', '1');
    expect((await bot.app.store.identities.get('sim', 'u1'))!.lastInboundAt).toBe('2024-11-20T05:06:07.000Z');
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
    const sessions = bot.app.engine.sessions;
    const real = sessions.exit.bind(sessions);
    sessions.exit = () => Promise.reject(new Error('Connection is closed.'));
    await expect(bot.say('u3', '1', { messageId: id })).rejects.toThrow(/Connection is closed/);
    const k = keys(bot, 'u3', id);
    expect(await bot.app.redis.exists(k.lock)).toBe(0);
    expect(await bot.app.redis.exists(k.seen)).toBe(0);
    sessions.exit = real;
    expect(bot.text(await bot.say('u3', '1', { messageId: id }))).toContain('Nhập mã mời');
  });
});
