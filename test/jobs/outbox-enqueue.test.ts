import { afterAll, describe, expect, it } from 'vitest';
import { Outbox, type OutboxMessage } from '../../jobs/outbox.js';
import { jobKeys, messageJobId } from '../../jobs/keys.js';
import { createRedis } from '../../src/redis/connection.js';
import { testRedis } from '../helpers/redis.js';

/**
 * enqueueMany sends its done-key checks and addBulk batches several at a time (a national
 * reminder pass has 200,000 messages): every fresh key is queued once, with exactly the
 * outbox's fields as job data, whatever the batches' order of completion.
 */
describe('Outbox.enqueueMany in concurrent batches', () => {
  const { redis, url, ns } = testRedis();
  const connection = createRedis(url, 'bullmq');
  const outbox = new Outbox({ connection, redis, prefix: ns, channels: () => ['telegram', 'zalo'] });
  afterAll(async () => {
    await outbox.close();
    await connection.quit();
    await redis.quit();
  });

  it('queues each fresh key once, skips done and repeated keys, and stores only the outbox fields', async () => {
    const N = 3_300; // several check chunks (1,000) and add batches (500) on two channels
    const messages = Array.from({ length: N }, (_, i) => ({
      channel: i % 3 === 0 ? ('zalo' as const) : ('telegram' as const),
      userId: String(100 + i),
      key: `rem|test|${i}`,
      kind: 'reminder' as const,
      ref: 'rem-test',
      ttlSeconds: 3600,
      priority: 5,
      reply: { text: `Nhắc việc ${i}` },
      // A planned reminder's own fields (jobs/reminders.ts) are not the job's.
      subject: { type: 'unit', id: `u_${i}`, name: `Thôn ${i}` },
    }));
    const done = [7, 1_234, 3_001];
    for (const i of done) await redis.set(jobKeys(ns).done(`rem|test|${i}`), 'ok:1');
    const repeated = [messages[10]!, messages[2_500]!];

    const r = await outbox.enqueueMany([...messages, ...repeated] as OutboxMessage[]);
    expect(r).toEqual({ queued: N - done.length, skipped: done.length + repeated.length, disabled: 0 });

    const counts = async (channel: 'telegram' | 'zalo') => {
      const c = await outbox.queue(channel).getJobCounts('prioritized', 'waiting');
      return (c.prioritized ?? 0) + (c.waiting ?? 0);
    };
    const zalo = messages.filter((m, i) => m.channel === 'zalo' && !done.includes(i)).length;
    expect(await counts('zalo')).toBe(zalo);
    expect(await counts('telegram')).toBe(N - done.length - zalo);

    const job = await outbox.queue('zalo').getJob(messageJobId('rem|test|3'));
    expect(job?.data).toEqual({ channel: 'zalo', userId: '103', key: 'rem|test|3', kind: 'reminder', ref: 'rem-test', ttlSeconds: 3600, reply: { text: 'Nhắc việc 3' } });
    expect(job?.opts.priority).toBe(5);
    expect(await outbox.queue('zalo').getJob(messageJobId('rem|test|3001'))).toBeUndefined();

    // The same pass again adds no job (job ids come from the keys).
    await outbox.enqueueMany(messages as OutboxMessage[]);
    expect(await counts('zalo')).toBe(zalo);
    expect(await counts('telegram')).toBe(N - done.length - zalo);
  });
});
