import { afterEach, describe, expect, it, vi } from 'vitest';
import { startWorkers, type RunningWorkers } from '../../jobs/index.js';
import { notify } from '../../src/services/notify.js';
import { addIdentity, outboxDrained, vn, stopAfterEach } from '../helpers/jobs.js';
import { startTelegramBot, textOf, type TelegramTestBot } from '../helpers/telegram.js';

describe('the outbox on Telegram', () => {
  let t: TelegramTestBot;
  let workers: RunningWorkers | undefined;
  const track = stopAfterEach();

  it('notify(): accepted at once, delivered by a worker, a key only once', async () => {
    t = track(await startTelegramBot('binh-thanh-2024', { now: vn('2024-11-20T10:00') }));
    const { app } = t.bot;
    await addIdentity(app, 'telegram', '7101');
    const to = { channel: 'telegram' as const, userId: '7101' };
    const first = await notify(app.jobs.outbox, to, { text: 'Hồ sơ n_1 đã được chấp nhận.' }, 'review:n_1:accepted');
    expect(first).toMatchObject({ ok: true, queued: true });
    expect(await notify(app.jobs.outbox, to, { text: 'Hồ sơ n_1 đã được chấp nhận.' }, 'review:n_1:accepted')).toMatchObject({ ok: true });
    expect(await notify(app.jobs.outbox, { channel: 'zalo', userId: '1' }, { text: 'x' }, 'k')).toEqual({ ok: false, kind: 'config', reason: 'channel zalo is not enabled' });
    expect(t.fake.callsOf('sendMessage')).toEqual([]); // nothing is sent without a worker
    workers = track(await startWorkers(app, { schedules: false }));
    await outboxDrained(app);
    // Delivered once; the same key later is not even queued.
    expect(t.fake.messagesTo(7101).map(textOf)).toEqual(['Hồ sơ n_1 đã được chấp nhận.']);
    expect(await notify(app.jobs.outbox, to, { text: 'again' }, 'review:n_1:accepted')).toMatchObject({ ok: true, queued: false });
    expect(await app.jobs.outbox.outcome('review:n_1:accepted')).toMatch(/^ok:\d+$/);
  });

  it('a user who blocked the bot is marked unreachable and not retried; 5xx is retried; a bad token alerts admins once', async () => {
    t = track(await startTelegramBot('binh-thanh-2024', { now: vn('2024-11-20T10:00') }));
    const { app } = t.bot;
    await addIdentity(app, 'telegram', '7201');
    await addIdentity(app, 'telegram', '7202');
    await addIdentity(app, 'telegram', '7203');
    await addIdentity(app, 'telegram', '7204');
    t.fake.blockChat(7201);
    t.fake.failNext('sendMessage', { kind: '500' }, { chatId: 7202, times: 2 });
    t.fake.failNext('sendMessage', { kind: 'error', code: 401, description: 'Unauthorized' }, { chatId: 7203 });
    t.fake.failNext('sendMessage', { kind: 'error', code: 401, description: 'Unauthorized' }, { chatId: 7204 });
    for (const u of ['7201', '7202', '7203', '7204']) await notify(app.jobs.outbox, { channel: 'telegram', userId: u }, { text: `Tin cho ${u}` }, `k-${u}`);
    // The two 5xx answers are retried on the job's backoff (2 s, then 4 s).
    workers = track(await startWorkers(app, { schedules: false }));
    await outboxDrained(app, 30_000);

    expect(t.fake.callsOf('sendMessage').filter((c) => c.params.chat_id === '7201' || c.params.chat_id === 7201)).toHaveLength(1);
    expect((await app.store.identities.get('telegram', '7201'))!.unreachable).toBe(true);
    expect(await app.jobs.outbox.outcome('k-7201')).toBe('unreachable');

    expect(t.fake.messagesTo(7202).map(textOf)).toEqual(['Tin cho 7202']);
    expect(await app.jobs.outbox.outcome('k-7203')).toBe('failed:config');
    // The admin (demo, on the simulator) hears once about the same problem.
    const alerts = await vi.waitFor(async () => {
      const got = (await app.simulator.transcript('quan-tri')).filter((e) => e.text.startsWith('⚠️'));
      if (got.length === 0) throw new Error('no alert yet');
      return got;
    });
    await outboxDrained(app);
    expect(alerts.map((e) => e.text)).toEqual(['⚠️ Kênh Telegram từ chối gửi tin vì lỗi cấu hình (401: Unauthorized). Tin nhắn qua kênh này sẽ không đến được cho tới khi sửa xong; hãy kiểm tra mã truy cập và cài đặt.']);
    expect(await app.jobs.outbox.totals()).toMatchObject({ 'telegram.sent': 1, 'telegram.unreachable': 1, 'telegram.failed': 2 });
  }, 45_000);
});
