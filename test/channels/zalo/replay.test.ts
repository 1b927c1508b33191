import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MAX_CLOCK_SKEW_MS, REPLAY_WINDOW_MS } from '../../../src/channels/zalo/webhook.js';
import type { ZaloEvent } from '../../fakes/zalo-events.js';
import { startZaloBot, type ZaloTestBot } from '../../helpers/zalo.js';

/**
 * Issue #11.6: correctly signed Zalo events are refused outside a replay window
 * (docs/zalo.md §3), and inside it a replayed copy meets a dedupe mark that outlives it.
 */

const START = new Date('2024-11-20T03:00:00Z');
const MINUTE = 60_000;
const PHONE = '0912345678';
const NAME = 'Nguyễn Thị Bí Mật';

describe('zalo webhook: replayed and out-of-window events', () => {
  let z: ZaloTestBot;
  const lines: string[] = [];
  beforeAll(async () => {
    // An unredacted logger: what the webhook logs must hold no personal data by itself.
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
    z = await startZaloBot('binh-thanh-2024', { now: START, app: { log: pino({ level: 'info' }, sink) } });
  });
  afterAll(() => z.close());
  beforeEach(() => {
    z.bot.clock.now = new Date(START);
  });

  const stampedAt = <E extends ZaloEvent>(event: E, ms: number): E => ({ ...event, timestamp: String(ms) });
  const nothingHappenedFor = async (userId: string) => {
    await new Promise((r) => setTimeout(r, 300));
    expect(z.fake.sentTo(userId)).toEqual([]);
    expect(await z.bot.app.store.identities.get('zalo', userId)).toBeNull();
    expect(await z.bot.app.zalo!.phones.get(userId)).toBeNull();
  };

  it('a correctly signed event from 2019 is acknowledged (200), does nothing, and is logged by name and age only', async () => {
    const userId = '7100000000000000001';
    const in2019 = Date.UTC(2019, 4, 1, 8, 0, 0);
    const before = await z.bot.app.zalo!.inbound.queue.getJobCounts('waiting', 'active', 'completed', 'failed', 'delayed');
    const old = [
      stampedAt(z.ev.userSendText({ userId, text: `${NAME} ${PHONE}` }), in2019),
      stampedAt(z.ev.follow({ userId }), in2019 + 1),
      stampedAt(z.ev.userSubmitInfo({ userId, info: { name: NAME, phone: PHONE } }), in2019 + 2),
    ];
    for (const event of old) expect((await z.post(event)).status).toBe(200);
    await nothingHappenedFor(userId);
    expect(await z.bot.app.zalo!.inbound.queue.getJobCounts('waiting', 'active', 'completed', 'failed', 'delayed')).toEqual(before);

    const refused = lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.msg === 'zalo: event outside the replay window ignored');
    expect(refused.map((l) => l.event)).toEqual(['user_send_text', 'follow', 'user_submit_info']);
    expect(refused[0]!.ageS).toBe(Math.round((START.getTime() - in2019) / 1000));
    const logged = lines.join('');
    for (const secret of [userId, NAME, PHONE, 'Bí Mật']) expect(logged).not.toContain(secret);
  });

  it('window edges: just inside is handled, just outside refused; a little ahead of our clock is handled, far ahead or no timestamp refused', async () => {
    const now = START.getTime();
    const handled = [
      { userId: '7100000000000000011', at: now - REPLAY_WINDOW_MS + MINUTE },
      { userId: '7100000000000000012', at: now + MAX_CLOCK_SKEW_MS - MINUTE },
    ];
    for (const { userId, at } of handled) {
      const p = await z.deliver(stampedAt(z.ev.userSendText({ userId, text: 'xin chào' }), at));
      expect(p.duplicate).toBe(false);
      expect(z.text(z.fake.sentTo(userId))).toContain('Bạn tham gia phong trào với tư cách nào?');
    }
    const refused = [
      { userId: '7100000000000000013', at: String(now - REPLAY_WINDOW_MS - MINUTE) },
      { userId: '7100000000000000014', at: String(now + MAX_CLOCK_SKEW_MS + MINUTE) },
      { userId: '7100000000000000015', at: 'hôm qua' },
      { userId: '7100000000000000016', at: '' },
    ];
    for (const { userId, at } of refused) {
      const event = { ...z.ev.userSendText({ userId, text: 'xin chào' }), timestamp: at };
      expect((await z.post(event)).status).toBe(200);
      await nothingHappenedFor(userId);
    }
  });

  it('a replay inside the window meets the dedupe mark, which outlives the window: a message, and a phone the user withdrew', async () => {
    const redis = z.bot.app.redis;
    const keepsAtLeast = REPLAY_WINDOW_MS + MAX_CLOCK_SKEW_MS;

    const userId = '7100000000000000021';
    const hello = z.ev.userSendText({ userId, text: 'xin chào' });
    expect((await z.deliver(hello)).duplicate).toBe(false);
    const answered = z.fake.sentTo(userId).length;
    expect((await redis.pttl(`${z.bot.prefix}:seen:zalo:${hello.message.msg_id}`)) >= keepsAtLeast).toBe(true);

    const shared = z.ev.userSubmitInfo({ userId, info: { name: NAME, phone: PHONE } });
    await z.deliver(shared);
    expect(await z.bot.app.zalo!.phones.get(userId)).toBe('84912345678');
    expect((await redis.pttl(`${z.bot.prefix}:zalo:seen:info.${userId}.${shared.timestamp}`)) >= keepsAtLeast).toBe(true);
    // Leaving the OA withdraws the phone.
    await z.deliver(z.ev.unfollow({ userId }));
    expect(await z.bot.app.zalo!.phones.get(userId)).toBeNull();

    // Hours later, someone who captured the signed requests posts them again.
    z.bot.clock.now = new Date(START.getTime() + REPLAY_WINDOW_MS - MINUTE);
    expect((await z.deliver(hello)).duplicate).toBe(true);
    expect((await z.deliver(shared)).duplicate).toBe(true);
    expect(await z.bot.app.zalo!.phones.get(userId)).toBeNull();
    expect(z.fake.sentTo(userId)).toHaveLength(answered);
  });
});
