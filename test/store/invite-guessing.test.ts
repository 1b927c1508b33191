import { randomInt } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { DEFAULT_GUESS_LIMITS, INVITE_ALPHABET, INVITE_LENGTH } from '../../src/store/index.js';
import { startBot, type TestBot } from '../helpers/bot.js';

const WINDOW_S = 8;
const ADMIN = { id: 'test', role: 'admin' as const, channel: 'cli' };
const wrongCode = () => Array.from({ length: INVITE_LENGTH }, () => INVITE_ALPHABET[randomInt(INVITE_ALPHABET.length)]).join('');

/** Outbox messages waiting for the demo admin (the bot runs no workers here). */
async function adminAlerts(bot: TestBot): Promise<string[]> {
  const jobs = await bot.app.jobs.outbox.queue('sim').getJobs(['waiting', 'prioritized', 'delayed', 'active', 'completed', 'failed']);
  return jobs.filter((j) => j.data.userId === 'quan-tri').map((j) => j.data.reply.text ?? '');
}

async function failedCounterKeys(redis: Redis, prefix: string): Promise<string[]> {
  return redis.keys(`${prefix}:invites:failed:*`);
}

describe('guessing invite codes through the engine', () => {
  let bot: TestBot;
  beforeAll(async () => {
    // The production flood guard (30 messages a minute per user), default limits, a short window.
    bot = await startBot('binh-thanh-2024', { env: { USER_MESSAGES_PER_MINUTE: '30' }, app: { inviteLimits: { windowS: WINDOW_S } } });
  });
  afterAll(() => bot.close());

  it('560 wrong codes from 20 accounts at once: 100 are looked up, the rest wait; a valid code waits too, then works after the window; admins are told once', async () => {
    const { global, perUser } = DEFAULT_GUESS_LIMITS;
    const users = Array.from({ length: 20 }, (_, i) => `guesser-${i}`);
    // Each account reaches the code step with two messages, then sends 28 codes: 30 messages, inside the flood guard.
    await Promise.all(users.map(async (u) => bot.say(u, bot.button(await bot.say(u, 'xin chào'), 'mã mời'))));
    const started = Date.now();
    const answers = (
      await Promise.all(
        users.map(async (u) => {
          const out: string[] = [];
          for (let i = 0; i < 28; i++) out.push(bot.text(await bot.say(u, wrongCode())));
          return out;
        }),
      )
    ).flat();
    const burstMs = Date.now() - started;
    expect(burstMs).toBeLessThan(WINDOW_S * 1000); // one window: the bound below is the whole story

    const lookedUp = answers.filter((a) => a.includes('Mã mời không đúng')).length;
    const paused = answers.filter((a) => a.includes('tạm ngừng nhận mã mời')).length;
    const perAccount = answers.filter((a) => a.includes('Bạn đã nhập sai mã nhiều lần')).length;
    console.log(`burst: ${answers.length} codes in ${burstMs} ms; looked up ${lookedUp}, refused ${paused} (all paused) + ${perAccount} (account paused)`);
    expect(answers).toHaveLength(560);
    expect(lookedUp).toBe(global);
    expect(lookedUp + paused + perAccount).toBe(560);
    expect(perUser * users.length).toBeGreaterThan(global); // the global limit is what stopped them
    expect(answers.some((a) => a.includes('gửi quá nhiều tin nhắn'))).toBe(false);

    // A newcomer with a real code during the pause is told to come back; the code is not spent.
    const unit = (await bot.app.store.units.all()).find((u) => u.level === 'hamlet')!;
    const code = await bot.app.store.invites.create({ role: 'officer', unitId: unit.id, ttlDays: 1, createdBy: 'test' }, ADMIN);
    await bot.say('newcomer', 'xin chào');
    await bot.say('newcomer', '1');
    const during = bot.text(await bot.say('newcomer', code));
    expect(during).toMatch(/Mã của bạn vẫn còn hiệu lực, bạn vui lòng nhập lại sau \d+ phút/);
    expect((await bot.app.store.identities.get('sim', 'newcomer'))?.role).toBeNull();

    const alerts = await adminAlerts(bot);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toContain('có thể có người đang dò mã');
    expect(alerts[0]).not.toContain(code);

    // After the window the same code works, and the counters are keys that expire.
    for (const key of await failedCounterKeys(bot.app.redis, bot.prefix)) expect(await bot.app.redis.pttl(key)).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, Math.max(0, WINDOW_S * 1000 - (Date.now() - started)) + 500));
    const after = bot.text(await bot.say('newcomer', code));
    expect(after).toMatch(/Bạn đã tham gia với vai trò cán bộ phụ trách của/);
    expect((await bot.app.store.identities.get('sim', 'newcomer'))?.role).toBe('officer');
  }, 60_000);

  it('one account gets 10 wrong codes, then waits; text not shaped like a code is not counted', async () => {
    const u = 'typo-prone';
    await bot.say(u, bot.button(await bot.say(u, 'xin chào'), 'mã mời'));
    const answers: string[] = [];
    for (let i = 0; i < 12; i++) answers.push(bot.text(await bot.say(u, wrongCode())));
    expect(answers.slice(0, 10).every((a) => a.includes('Mã mời không đúng'))).toBe(true);
    expect(answers.slice(10).every((a) => a.includes('Bạn đã nhập sai mã nhiều lần. Bạn vui lòng đợi'))).toBe(true);
    // Malformed text is not a guess: nothing is looked up, nothing counted, same answer.
    await bot.say('typo-2', bot.button(await bot.say('typo-2', 'xin chào'), 'mã mời'));
    for (let i = 0; i < 15; i++) expect(bot.text(await bot.say('typo-2', 'ABC-12'))).toContain('Mã mời không đúng');
  }, 60_000);
});
