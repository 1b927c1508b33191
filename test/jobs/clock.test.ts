import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadCampaign } from '../../src/campaign/load.js';
import { dossierDueDay, dossierYears, formatCivilDate, formatVn, nextDeadline, reminderSchedule, staffAlertSchedule } from '../../src/domain/index.js';
import { deadlineWhen } from '../../src/services/deadlines.js';
import { clockShortcuts, passesBetween, resolveClockTarget } from '../../jobs/clock.js';
import { startWorkers, type RunningWorkers } from '../../jobs/index.js';
import { deciderOf, startBot, type TestBot } from '../helpers/bot.js';
import { addNomination, outboxDrained, vn } from '../helpers/jobs.js';
import { PRESETS } from '../helpers/presets.js';

const OFFICER = 'can-bo-don-vi';
/** The demo staff of the issuer's unit: not the office that receives the demo officer's dossiers, so no digest. */
const FOLLOWER = 'can-bo-theo-doi';

describe('clock shortcuts and targets, every preset', () => {
  for (const preset of PRESETS) {
    const campaign = loadCampaign(preset.id);
    it(`${preset.id}: every reminder and staff-alert moment is offered once, in time order, labelled in Vietnamese`, () => {
      const shortcuts = clockShortcuts(campaign, 'vi');
      const moments = new Set([...reminderSchedule(campaign), ...staffAlertSchedule(campaign)].map((x) => x.at.toISOString()));
      expect(new Set(shortcuts.map((s) => s.at))).toEqual(moments);
      expect(new Set(shortcuts.map((s) => s.id)).size).toBe(shortcuts.length);
      expect(shortcuts.map((s) => s.at)).toEqual([...shortcuts.map((s) => s.at)].sort());
      for (const year of dossierYears(campaign)) {
        const due = formatCivilDate(dossierDueDay(campaign, year), 'vi');
        expect(shortcuts.find((s) => s.id === `dossier-${year}-d7`)?.label).toMatch(new RegExp(`^D-7 hạn hồ sơ năm ${year} \\(\\d\\d/\\d\\d/${year}\\)$`));
        expect(shortcuts.find((s) => s.id === `dossier-${year}-d0`)?.label).toBe(`Ngày hạn hồ sơ năm ${year} (${due})`);
      }
      for (const s of shortcuts) expect(resolveClockTarget(campaign, { shortcut: s.id }, 'vi')).toEqual({ at: new Date(s.at) });
    });
  }

  const campaign = loadCampaign('binh-thanh-2024');
  it('a day is taken at the reminder time in Vietnam; a bad one gets a Vietnamese sentence, never a throw', () => {
    expect(resolveClockTarget(campaign, { date: '28/11/2024' }, 'vi')).toEqual({ at: vn('2024-11-28T08:00') });
    expect(resolveClockTarget(campaign, { date: '2024-11-28' }, 'vi')).toEqual({ at: vn('2024-11-28T08:00') });
    expect(resolveClockTarget(campaign, { date: '2024-11-28', time: '17:30' }, 'vi')).toEqual({ at: vn('2024-11-28T17:30') });
    expect(resolveClockTarget(campaign, { at: '2024-11-28T01:00:00Z' }, 'vi')).toEqual({ at: new Date('2024-11-28T01:00:00Z') });
    expect(resolveClockTarget(campaign, { today: true }, 'vi')).toEqual({ at: null });
    for (const bad of [{ date: '31/02/2025' }, { date: 'ngày mai' }, { date: '28/11/1999' }, { date: '2024-11-28', time: '25:00' }, { at: '2024-11-28T08:00' }])
      expect(resolveClockTarget(campaign, bad, 'vi')).toEqual({ error: expect.stringContaining('ngày/tháng/năm') });
    expect(resolveClockTarget(campaign, { shortcut: 'dossier-1990-d7' }, 'vi')).toEqual({ error: expect.stringContaining('chọn lại') });
  });

  it('a move forward runs the scheduled passes in between, in time order; a move back runs none', () => {
    const between = passesBetween(campaign, vn('2024-11-28T08:00'), vn('2024-12-03T08:00'));
    expect(between.map((e) => e.id)).toEqual([
      'rem-binh-thanh-2024-registration-2024-d1', // 29/11
      'alert-binh-thanh-2024-2024-d5', // 30/11
      'rem-binh-thanh-2024-dossier-2024-d3', // 02/12
      'rem-binh-thanh-2024-report-2024-d7', // 03/12, reminders before the alert of the same minute
      'alert-binh-thanh-2024-2024-d2',
    ]);
    expect(passesBetween(campaign, vn('2024-12-03T08:00'), vn('2024-11-28T08:00'))).toEqual([]);
  });
});

/** Every preset on the demo store: the simulator's clock moved over HTTP, workers delivering to the simulated chats. */
describe('the demo clock moves the simulated chats, every preset', () => {
  for (const preset of PRESETS) {
    describe(preset.id, () => {
      const campaign = loadCampaign(preset.id);
      const year = dossierYears(campaign).at(-1)!;
      const due = formatCivilDate(dossierDueDay(campaign, year), 'vi');
      let bot: TestBot;
      let workers: RunningWorkers;
      let base: string;
      /** The staff of the office receiving the dossier (its chain's first step): the digest goes to them. */
      let STAFF: string;
      beforeAll(async () => {
        bot = await startBot(preset.id, { appClock: true });
        workers = await startWorkers(bot.app, { schedules: false });
        base = `http://127.0.0.1:${((await bot.app.listen()).address() as AddressInfo).port}`;
        const officer = (await bot.app.store.identities.get('sim', OFFICER))!;
        const unit = (await bot.app.store.units.get(officer.unitId!))!;
        // A dossier sent without its parts: what the reminder and the staff alert are about.
        const n = await addNomination(bot.app, bot.dataDir, unit.code!, { year, status: 'submitted' });
        STAFF = await deciderOf(bot, n.id);
      });
      afterAll(async () => {
        await workers?.close();
        await bot?.close();
      });

      const move = async (body: object) => {
        const r = await fetch(`${base}/sim/api/clock`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
        expect(r.status).toBe(200);
        const json = (await r.json()) as { view: { header: string; now: string }; message: string };
        await outboxDrained(bot.app);
        return json;
      };
      const texts = async (user: string) => (await bot.app.simulator.transcript(user)).filter((e) => e.from === 'bot').map((e) => e.text);

      it('D-7 of the dossier deadline: the officer is reminded of the year and the deadline; the header, the API and the flows say that day', async () => {
        const moved = await move({ shortcut: `dossier-${year}-d7` });
        const d7 = reminderSchedule(campaign, ['dossier']).find((r) => r.year === year && r.offsetDays === 7)!;
        const day = formatVn(d7.at, 'vi');
        expect(moved.view.header).toBe(`Ngày giả lập: ${day}`);
        expect(moved.message).toMatch(/^Đã chuyển sang 08:00 \d\d\/\d\d\/\d{4}\. Số tin nhắc hạn và cảnh báo được gửi: [1-9]\d*\.$/);
        const view = (await (await fetch(`${base}/sim/api/clock`)).json()) as { header: string; now: string };
        expect(view.header).toBe(`Ngày giả lập: ${day}`);
        expect(Math.abs(Date.parse(view.now) - d7.at.getTime())).toBeLessThan(60_000);

        const reminder = (await texts(OFFICER)).filter((t) => t.includes('hồ sơ khen thưởng năm'));
        expect(reminder).toHaveLength(1);
        expect(reminder[0]).toContain(`năm ${year}`);
        expect(reminder[0]).toContain(`Hạn nộp hồ sơ: hết ngày ${due} (còn 7 ngày)`);
        // The officer's status counts the days to its next deadline from that day: flows read the demo clock too.
        const next = nextDeadline(campaign, d7.at)!;
        expect(bot.text(await bot.say(OFFICER, '/tinhtrang'))).toContain(deadlineWhen('vi', d7.at, next.dueDay));
      });

      it('on to the first staff alert: staff get the incomplete-dossier digest; going back and forth sends nothing twice', async () => {
        const firstAlert = staffAlertSchedule(campaign).find((a) => a.year === year)!;
        await move({ shortcut: `dossier-${year}-d${firstAlert.offsetDays}` });
        const digest = (await texts(STAFF)).filter((t) => t.includes('còn thiếu thành phần'));
        expect(digest).toHaveLength(1);
        expect(digest[0]).toContain(`Hồ sơ khen thưởng năm ${year} còn thiếu thành phần — hạn nộp hết ngày ${due} (còn ${firstAlert.offsetDays} ngày)`);
        // Only the receiving office's staff: the staff following the campaign at the issuer's unit hear nothing of it.
        if (STAFF !== FOLLOWER) expect((await texts(FOLLOWER)).filter((t) => t.includes('còn thiếu thành phần'))).toEqual([]);

        const before = { officer: (await texts(OFFICER)).length, staff: (await texts(STAFF)).length };
        await move({ shortcut: `dossier-${year}-d7` });
        await move({ shortcut: `dossier-${year}-d${firstAlert.offsetDays}` });
        expect({ officer: (await texts(OFFICER)).length, staff: (await texts(STAFF)).length }).toEqual(before);
      });

      it('a bad date is answered in Vietnamese and leaves the clock where it was', async () => {
        const at = bot.app.clock.now().getTime();
        const r = await fetch(`${base}/sim/api/clock`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ date: '30/02/2025' }) });
        expect(r.status).toBe(400);
        expect(((await r.json()) as { message: string }).message).toContain('ngày/tháng/năm');
        const r2 = await fetch(`${base}/sim/api/clock`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"when":"mai"}' });
        expect(r2.status).toBe(400);
        expect(Math.abs(bot.app.clock.now().getTime() - at)).toBeLessThan(60_000);
      });
    });
  }
});

describe('the demo clock is shared through Redis', () => {
  let bot: TestBot;
  let other: TestBot;
  beforeAll(async () => {
    bot = await startBot('binh-thanh-2024', { appClock: true });
    // A second process on the same store (a worker, the CLI): same prefix and data.
    other = await startBot('binh-thanh-2024', { appClock: true, prefix: bot.prefix, dataDir: bot.dataDir });
  });
  afterAll(async () => {
    await other?.close();
    await bot?.close();
  });

  it('another process sees a move at once, and after a restart; back to today is the real time', async () => {
    const base = `http://127.0.0.1:${((await bot.app.listen()).address() as AddressInfo).port}`;
    const post = (body: object) => fetch(`${base}/sim/api/clock`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect((await post({ date: '28/11/2024' })).status).toBe(200);
    await vi.waitFor(() => expect(Math.abs(other.app.clock.now().getTime() - vn('2024-11-28T08:00').getTime())).toBeLessThan(60_000));
    await other.restart();
    expect(Math.abs(other.app.clock.now().getTime() - vn('2024-11-28T08:00').getTime())).toBeLessThan(60_000);
    expect((await post({ today: true })).status).toBe(200);
    await vi.waitFor(() => expect(Math.abs(other.app.clock.now().getTime() - Date.now())).toBeLessThan(1_000));
    expect(((await (await fetch(`${base}/sim/api/clock`)).json()) as { header: string }).header).toMatch(/^Ngày giả lập: \d\d\/\d\d\/\d{4} \(hôm nay\)$/);
  });
});
