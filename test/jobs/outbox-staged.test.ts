import { describe, expect, it, vi } from 'vitest';
import { startWorkers, type RunningWorkers } from '../../jobs/index.js';
import { Feeder } from '../../jobs/outbox-staging.js';
import type { App } from '../../src/app.js';
import type { Channel } from '../../src/domain/entities.js';
import { notify } from '../../src/services/notify.js';
import { addIdentity, outboxDrained, vn, stopAfterEach } from '../helpers/jobs.js';
import { startTelegramBot, textOf } from '../helpers/telegram.js';
import { startZaloBot } from '../helpers/zalo.js';

/**
 * A large reminder pass is staged (jobs/outbox-staging.ts): the pass only appends to a
 * list per channel, the workers' feeder moves it into outbox jobs. Real Redis and
 * BullMQ; the platforms are the fakes.
 */
const AT = vn('2024-12-03T08:00'); // binh-thanh-2024: report D-7 is in effect

async function officers(app: App, channel: Channel, count: number, userId: (i: number) => string): Promise<string[]> {
  const hamlets = (await app.store.units.all()).filter((u) => u.level === 'hamlet');
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    ids.push(userId(i));
    await addIdentity(app, channel, userId(i), { unitId: hamlets[i % hamlets.length]!.id });
  }
  return ids;
}

/** What a feeder that died after addBulk and before LTRIM leaves: jobs added, the batch still at the head, the lock held until it expires. */
async function dieMidMove(app: App, channel: Channel, batch: number) {
  const dying = new Feeder(app.redis, app.jobs.outbox.keys, (c) => app.jobs.outbox.queue(c), { batch, lockMs: 400 });
  const move = await dying.add(channel);
  expect(move).toMatchObject({ channel, count: batch });
  return move!;
}

describe('the staged outbox', () => {
  const track = stopAfterEach();

  it('Telegram: a staged pass is delivered exactly once, after a feeder died mid-move and a worker restart; a reply is not held up', async () => {
    const t = track(await startTelegramBot('binh-thanh-2024', { now: AT, env: { TELEGRAM_RATE_PER_SEC: '30' } }));
    const { app } = t.bot;
    app.jobs.outbox.stageFrom = 1;
    const chats = await officers(app, 'telegram', 60, (i) => String(8_100_000 + i));

    const first = await app.jobs.runReminders(AT);
    const toTelegram = (await app.jobs.previewReminders(AT)).messages.filter((m) => m.channel === 'telegram');
    expect(toTelegram).toHaveLength(60);
    expect(first.queued).toBe(first.planned);
    let counts = (await app.jobs.outbox.counts(['telegram'])).telegram!;
    // In the outbox, not yet a BullMQ job.
    expect(counts).toMatchObject({ staged: 60, waiting: 0, prioritized: 0 });
    // The same pass again (the catch-up sweep) stages nothing twice.
    expect((await app.jobs.runReminders(AT)).queued).toBe(first.queued);
    expect((await app.jobs.outbox.counts(['telegram'])).telegram!.staged).toBe(60);
    // /healthz counts them as waiting.
    const health = await app.health();
    expect(health.outbox.telegram).toMatchObject({ waiting: 60, staged: 60 });

    // A feeder dies between addBulk and LTRIM: 25 jobs exist, the list still holds them.
    await dieMidMove(app, 'telegram', 25);
    counts = (await app.jobs.outbox.counts(['telegram'])).telegram!;
    expect(counts).toMatchObject({ staged: 60, prioritized: 25 });

    // A reply to one person, queued now, goes before every staged reminder.
    await addIdentity(app, 'telegram', '8199999');
    await notify(app.jobs.outbox, { channel: 'telegram', userId: '8199999' }, { text: 'Hồ sơ đã được chấp nhận.' }, 'review:staged-test');

    let workers: RunningWorkers = await startWorkers(app, { schedules: false, feedIntervalMs: 100 });
    // Part of the way through, the workers stop (a deploy) and start again.
    await vi.waitFor(() => expect(t.fake.callsOf('sendMessage').length).toBeGreaterThanOrEqual(20), { timeout: 20_000, interval: 50 });
    await workers.close();
    workers = track(await startWorkers(app, { schedules: false, feedIntervalMs: 100 }));
    await outboxDrained(app, 30_000);

    const sends = t.fake.callsOf('sendMessage');
    expect(String(sends[0]!.params.chat_id)).toBe('8199999');
    for (const c of chats) expect(t.fake.messagesTo(Number(c)).map(textOf), `chat ${c}`).toHaveLength(1);
    expect(sends).toHaveLength(61);
    expect(t.fake.messagesTo(Number(chats[0])).map(textOf)[0]).toContain('⏰ Nhắc hạn');
    expect((await app.jobs.outbox.counts(['telegram'])).telegram!.staged).toBe(0);
    expect(await app.jobs.outbox.totals()).toMatchObject({ 'telegram.sent': 61 });
    expect(await app.jobs.outbox.totals()).not.toHaveProperty('telegram.resent');
    // Done keys stop a later pass from staging them again (the demo officer's, on the simulator, was delivered too).
    expect(await app.jobs.runReminders(AT)).toMatchObject({ queued: 0, skipped: first.queued });
  }, 60_000);

  it('Zalo: staged reminders all reach the fake once, including the batch of a feeder that died mid-move', async () => {
    const z = track(await startZaloBot('binh-thanh-2024', { now: AT, env: { ZALO_RATE_PER_SEC: '30' } }));
    const { app } = z.bot;
    app.jobs.outbox.stageFrom = 1;
    const users = await officers(app, 'zalo', 30, (i) => String(7_400_000_000_000_000_000n + BigInt(i)));
    const r = await app.jobs.runReminders(AT);
    expect((await app.jobs.outbox.counts(['zalo'])).zalo).toMatchObject({ staged: 30, waiting: 0, prioritized: 0 });
    await dieMidMove(app, 'zalo', 10);
    track(await startWorkers(app, { schedules: false, feedIntervalMs: 100 }));
    await outboxDrained(app, 30_000);
    for (const u of users) expect(z.fake.sentTo(u), `user ${u}`).toHaveLength(1);
    expect(await app.jobs.outbox.totals()).toMatchObject({ 'zalo.sent': 30 });
    expect(r.queued).toBeGreaterThanOrEqual(30);
  }, 60_000);

  it('Zalo at night: deferred jobs count towards the low-water mark, so the rest stays staged until morning', async () => {
    // The app on the real clock: Zalo's deferral is to the next 06:05 of it, always ahead.
    const z = track(await startZaloBot('binh-thanh-2024'));
    const { app } = z.bot;
    app.jobs.outbox.stageFrom = 1;
    await officers(app, 'zalo', 30, (i) => String(7_500_000_000_000_000_000n + BigInt(i)));
    z.fake.failNext('/v3.0/oa/message/cs', { error: -234, message: 'This message cannot be sent at night (10:00PM - 6:00AM)' }, { times: 1_000 });
    // The workers' own feeder looks once (nothing staged yet) and then not for a long time.
    track(await startWorkers(app, { schedules: false, feedIntervalMs: 3_600_000 }));
    await app.jobs.runReminders(AT);
    const night = new Feeder(app.redis, app.jobs.outbox.keys, (c) => app.jobs.outbox.queue(c), { lowWater: 5, batch: 5 });
    expect(await night.feed('zalo')).toBe(5);
    await vi.waitFor(async () => expect((await app.jobs.outbox.counts(['zalo'])).zalo).toMatchObject({ delayed: 5, active: 0 }), { timeout: 15_000, interval: 50 });
    expect(await night.feed('zalo')).toBe(0);
    expect((await app.jobs.outbox.counts(['zalo'])).zalo).toMatchObject({ staged: 25, delayed: 5, waiting: 0, prioritized: 0 });
  }, 60_000);
});
