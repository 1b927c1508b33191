import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cronFor, isDaytime, scheduleEntries } from '../../jobs/schedule.js';
import { nextMorning } from '../../src/channels/zalo/window.js';
import { limiterFor } from '../../jobs/outbox-worker.js';
import { loadCampaign } from '../../src/campaign/load.js';
import { reminderSchedule, staffAlertSchedule } from '../../src/domain/index.js';
import { startBot, type TestBot } from '../helpers/bot.js';
import { vn } from '../helpers/jobs.js';

/** binh-thanh-2024 moved to a year still ahead, so BullMQ (which runs in real time) schedules it. */
function futureCampaign(year: number): string {
  const c = JSON.parse(fs.readFileSync(path.join('campaigns', 'binh-thanh-2024.json'), 'utf8'));
  c.id = `future-${year}`;
  c.period = { from: year, to: year };
  c.launchYear = year;
  c.reportingYears = [year];
  for (const a of c.awards) for (const r of a.reviews) if (r.year !== null) r.year = year;
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'thidua-campaign-')), `future-${year}.json`);
  fs.writeFileSync(file, JSON.stringify(c));
  return file;
}

describe('schedules in Vietnam time', () => {
  it('a cron pattern per reminder minute, read in Asia/Ho_Chi_Minh', () => {
    expect(cronFor(vn('2024-11-28T08:00'))).toBe('0 8 28 11 *');
    expect(cronFor(new Date('2024-12-31T17:30:00Z'))).toBe('30 0 1 1 *'); // 00:30 on 1 January in Vietnam
    const c = loadCampaign('binh-thanh-2024');
    const entries = scheduleEntries(c, vn('2024-12-04T09:00'));
    expect(entries.map((e) => e.id)).toEqual([
      'rem-binh-thanh-2024-dossier-2024-d0',
      'rem-binh-thanh-2024-report-2024-d3',
      'rem-binh-thanh-2024-report-2024-d1',
      'rem-binh-thanh-2024-report-2024-d0',
      // Registration closed on 30/11: none of its reminders is still ahead.
      'alert-binh-thanh-2024-2024-d0',
    ]);
    expect(entries.every((e) => !e.id.includes(':'))).toBe(true);
  });

  it('catch-up sweeps only in the daytime; Zalo night sends wait for 06:05', () => {
    expect(isDaytime(vn('2024-12-05T06:59'))).toBe(false);
    expect(isDaytime(vn('2024-12-05T07:00'))).toBe(true);
    expect(isDaytime(vn('2024-12-05T20:59'))).toBe(true);
    expect(isDaytime(vn('2024-12-05T21:00'))).toBe(false);
    expect(nextMorning(vn('2024-12-05T23:10'))).toEqual(vn('2024-12-06T06:05'));
    expect(nextMorning(vn('2024-12-06T02:00'))).toEqual(vn('2024-12-06T06:05'));
  });

  it('limiter windows never let a rolling second hold more than the rate plus a little', () => {
    expect(limiterFor(25)).toEqual({ max: 2, duration: 79 });
    expect(limiterFor(10)).toEqual({ max: 1, duration: 99 });
    expect(limiterFor(200)).toEqual({ max: 20, duration: 99 });
    for (const rate of [1, 5, 10, 25, 30, 100]) {
      const { max, duration } = limiterFor(rate);
      // Nominally at most ~1-2 % above the rate: the 1 ms a worker loses between windows.
      expect((max * 1000) / duration / rate).toBeGreaterThanOrEqual(1);
      expect((max * 1000) / duration / rate).toBeLessThan(1.02);
      // Worst case: windows starting back to back inside one rolling second.
      expect(max * (Math.ceil(1000 / duration) + 1)).toBeLessThanOrEqual(Math.ceil(rate * 1.2) + 1);
    }
  });
});

describe('job schedulers in Redis', () => {
  let bot: TestBot;
  afterEach(async () => bot?.close());

  it('one scheduler per reminder and staff alert still ahead, firing at the domain instants; syncing again changes nothing', async () => {
    const year = new Date().getUTCFullYear() + 1;
    const file = futureCampaign(year);
    bot = await startBot(file, { now: new Date() });
    const { app } = bot;
    const first = await app.jobs.syncSchedules();
    const reminders = reminderSchedule(app.campaign);
    const alerts = staffAlertSchedule(app.campaign);
    expect(first.upserted).toBe(reminders.length + alerts.length);

    const schedulers = await app.jobs.schedule.getJobSchedulers(0, -1, true);
    expect(schedulers).toHaveLength(reminders.length + alerts.length + 1);
    const byId = new Map(schedulers.map((s) => [s.key, s]));
    for (const r of reminders) {
      const s = byId.get(`rem-future-${year}-${r.kind}-${r.year}-d${r.offsetDays}`)!;
      expect(s.tz).toBe('Asia/Ho_Chi_Minh');
      expect(s.pattern).toBe(cronFor(r.at));
      expect(s.next).toBe(r.at.getTime());
      expect(s.template?.data).toEqual({ kind: r.kind, year: r.year, offsetDays: r.offsetDays, at: r.at.toISOString() });
    }
    for (const a of alerts) expect(byId.get(`alert-future-${year}-${year}-d${a.offsetDays}`)!.next).toBe(a.at.getTime());
    const sweep = byId.get(`sweep-future-${year}`)!;
    expect(sweep.pattern).toBe('*/15 7-20 * * *');
    expect(sweep.tz).toBe('Asia/Ho_Chi_Minh');
    // Every scheduler has exactly one next job waiting, at its time.
    const delayed = await app.jobs.schedule.getDelayed();
    expect(delayed.filter((j) => j.name === 'reminder')).toHaveLength(reminders.length);
    const dossierD7 = reminders.find((r) => r.kind === 'dossier' && r.offsetDays === 7)!;
    expect(dossierD7.at).toEqual(vn(`${year}-11-28T08:00`));

    await app.jobs.syncSchedules();
    expect(await app.jobs.schedule.getJobSchedulersCount()).toBe(schedulers.length);
    expect((await app.jobs.schedule.getDelayed()).filter((j) => j.name === 'reminder')).toHaveLength(reminders.length);
  });

  it('schedulers of another campaign (or of reminders no longer in the preset) are removed', async () => {
    const year = new Date().getUTCFullYear() + 1;
    bot = await startBot(futureCampaign(year), { now: new Date() });
    const { app } = bot;
    await app.jobs.schedule.upsertJobScheduler('rem-old-campaign-report-2020-d7', { pattern: '0 8 3 12 *', tz: 'Asia/Ho_Chi_Minh' }, { name: 'reminder', data: {} as never });
    await app.jobs.schedule.upsertJobScheduler('unrelated', { every: 3_600_000 }, { name: 'sweep', data: {} });
    const r = await app.jobs.syncSchedules();
    expect(r.removed).toBe(1);
    const ids = (await app.jobs.schedule.getJobSchedulers(0, -1)).map((s) => s.key);
    expect(ids).not.toContain('rem-old-campaign-report-2020-d7');
    expect(ids).toContain('unrelated');
  });
});
