import { afterEach, describe, expect, inject, it, vi } from 'vitest';
import type { Identity } from '../../src/domain/entities.js';
import { startBot, type TestBot } from '../helpers/bot.js';
import { PROCESS_TEST_TIMEOUT, start, type Started } from '../helpers/process.js';
import { TEST_ACTOR } from '../helpers/jobs.js';

/** `npm run worker` as a real OS process on the test Redis, with short locks so a killed worker's jobs come back fast. */
async function worker(bot: TestBot): Promise<Started> {
  const child = start('src/worker.ts', ['--lock-ms', '2000', '--stalled-ms', '1000', '--no-schedules'], {
    env: {
      ...process.env,
      REDIS_URL: inject('redisUrl'),
      STORE_PREFIX: bot.prefix,
      CAMPAIGN: 'binh-thanh-2024',
      DATA_DIR: bot.dataDir,
      LOG_LEVEL: 'info',
    },
  });
  await child.waitFor(/"msg":"worker started"/);
  return child;
}

describe('a broadcast survives its worker being killed', () => {
  let bot: TestBot;
  const children: Started[] = [];
  afterEach(async () => {
    for (const c of children.splice(0)) {
      if (c.child.exitCode === null && !c.child.signalCode) {
        c.child.kill('SIGTERM');
        await c.exited;
      }
    }
    await bot?.close();
  });

  it('2,000 recipients, the worker process SIGKILLed midway and restarted: every recipient has the message exactly once', async () => {
    bot = await startBot('binh-thanh-2024');
    const { app } = bot;
    const at = new Date().toISOString();
    const people: Identity[] = Array.from({ length: 2000 }, (_, i) => ({
      channel: 'sim',
      userId: `nguoi-${i}`,
      personId: null,
      role: 'individual',
      unitId: null,
      lang: i % 5 === 0 ? 'en' : 'vi',
      lastInboundAt: at,
      unreachable: false,
      createdAt: at,
    }));
    for (let i = 0; i < people.length; i += 100) await Promise.all(people.slice(i, i + 100).map((p) => app.store.identities.upsert(p, TEST_ACTOR)));
    const { id } = await app.jobs.broadcasts.start({ by: { channel: 'sim', userId: 'quan-tri', lang: 'vi' }, text: 'Kiểm tra khả năng chịu lỗi', audience: { kind: 'all' } });

    const first = await worker(bot);
    children.push(first);
    // Kill it hard once a fair share has gone out.
    const atKill = await vi.waitFor(
      async () => {
        const s = await app.jobs.broadcasts.status(id);
        if (!s || s.sent < 500) throw new Error(`sent ${s?.sent ?? 0}`);
        first.child.kill('SIGKILL');
        return s.sent;
      },
      { timeout: 60_000, interval: 20 },
    );
    await first.exited;
    expect(first.child.signalCode).toBe('SIGKILL');
    const total = 2006; // with the demo officer, staff members (the district, three review-chain offices) and admin
    expect(atKill).toBeLessThan(total);
    const stalled = (await app.jobs.broadcasts.status(id))!;
    expect(stalled.status).toBe('running');
    expect(stalled.pending).toBeGreaterThan(0);

    const second = await worker(bot);
    children.push(second);
    const done = await vi.waitFor(
      async () => {
        const s = await app.jobs.broadcasts.status(id);
        if (s?.status !== 'done') throw new Error(`pending ${s?.pending}`);
        return s;
      },
      { timeout: 90_000, interval: 100 },
    );
    expect(done).toMatchObject({ total, sent: total, failed: 0, unreachable: 0, cancelled: 0, pending: 0 });

    const counts = new Map<string, number>();
    for (const p of [...people.map((x) => x.userId), 'can-bo-don-vi', 'can-bo-theo-doi', 'quan-tri']) {
      const got = (await app.simulator.transcript(p)).filter((e) => e.text.includes('Kiểm tra khả năng chịu lỗi'));
      counts.set(p, got.length);
    }
    const wrong = [...counts].filter(([, n]) => n !== 1);
    expect(wrong).toEqual([]);
    expect((await app.simulator.transcript('nguoi-5')).find((e) => e.text.includes('Kiểm tra'))!.text).toBe('📢 Announcement:\nKiểm tra khả năng chịu lỗi');
    const reports = (await app.simulator.transcript('quan-tri')).filter((e) => e.text.startsWith('✅'));
    expect(reports).toHaveLength(1);
    const lines = reports[0]!.text.split('\n');
    expect(lines.slice(0, 2)).toEqual([`✅ Đã gửi xong thông báo #${id} tới 2.006 người nhận.`, 'Thành công: 2.006 · Lỗi: 0 · Không liên lạc được: 0']);
    // Messages that were being sent when the worker died were sent again (the simulator, like an idempotent
    // platform, dropped the repeats); the report says how many people might have them twice elsewhere.
    expect(done.resent).toBeLessThanOrEqual(8);
    if (done.resent) expect(lines[2]).toBe(`Lưu ý: ${done.resent} tin được gửi lại sau khi tiến trình gửi bị gián đoạn; những người này có thể nhận hai lần.`);
  }, PROCESS_TEST_TIMEOUT);
});
