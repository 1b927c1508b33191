import { afterEach, describe, expect, it, vi } from 'vitest';
import { startWorkers, type RunningWorkers } from '../../jobs/index.js';
import { activeReminders } from '../../jobs/reminders.js';
import { loadCampaign } from '../../src/campaign/load.js';
import { partsFor, reviewsOpenIn } from '../../src/domain/index.js';
import { startBot, type TestBot } from '../helpers/bot.js';
import { addIdentity, addNomination, outboxDrained, unitByCode, vn, stopAfterEach } from '../helpers/jobs.js';
import { SECRET, startTelegramBot, textOf, type TelegramTestBot } from '../helpers/telegram.js';

const campaign = loadCampaign('binh-thanh-2024');
const active = (local: string) => activeReminders(campaign, vn(local)).map((r) => `${r.kind} D-${r.offsetDays}`).sort();

describe('which reminder is in effect, at the edges of Vietnam days (binh-thanh-2024: dossiers 05/12, report 10/12, registration 30/11)', () => {
  it('nothing before the first reminder minute; the D-7 reminder from 08:00:00 Vietnam time', () => {
    expect(active('2024-11-28T07:59:59')).toEqual(['registration D-7']);
    expect(active('2024-11-28T08:00')).toEqual(['dossier D-7', 'registration D-7']);
    // 08:00 in Vietnam is 01:00 UTC: the same instant, whatever the host's zone.
    const dossier = (at: string) => activeReminders(campaign, new Date(at)).filter((r) => r.kind === 'dossier');
    expect(dossier('2024-11-28T00:59:59.999Z')).toEqual([]);
    expect(dossier('2024-11-28T01:00:00Z').map((r) => r.offsetDays)).toEqual([7]);
  });

  it('the latest reminder whose time has come, per deadline', () => {
    expect(active('2024-12-02T07:59')).toEqual(['dossier D-7']);
    expect(active('2024-12-02T08:00')).toEqual(['dossier D-3']);
    expect(active('2024-12-03T08:00')).toEqual(['dossier D-3', 'report D-7']);
    expect(active('2024-12-05T08:00')).toEqual(['dossier D-0', 'report D-7']);
  });

  it('a deadline is open until the end of its day in Vietnam, then its reminders stop', () => {
    expect(active('2024-12-05T23:59:59')).toEqual(['dossier D-0', 'report D-7']);
    expect(active('2024-12-06T00:00')).toEqual(['report D-7']);
    expect(active('2024-12-10T23:59:59')).toEqual(['report D-0']);
    expect(active('2024-12-11T00:00')).toEqual([]);
    // Registration closes on 30/11, before the dossiers and the report it leads to: 30/11 is still open, 01/12 is not.
    expect(active('2024-11-16T08:00')).toEqual(['registration D-14']);
    expect(active('2024-11-30T23:59:59')).toEqual(['dossier D-7', 'registration D-1']);
    expect(active('2024-12-01T00:00')).toEqual(['dossier D-7']);
  });
});

describe('a reminder pass: who has not done the thing gets one reminder, in their language, with the days left', () => {
  let bot: TestBot;
  afterEach(async () => bot?.close());

  it('report, dossier (naming what is missing) and registration; nothing for units that are done or people who cannot be reached', async () => {
    bot = await startBot('binh-thanh-2024', { now: vn('2024-12-03T08:00') });
    const { app } = bot;
    const tam = await unitByCode(app, 'TN-DH-BT-X01'); // the demo officer's unit
    await addIdentity(app, 'sim', 'bau', { unitCode: 'TN-DH-BT-X02', lang: 'en' });
    await addIdentity(app, 'sim', 'mon', { unitCode: 'TN-DH-BT-X04' });
    await addIdentity(app, 'sim', 'gone', { unitCode: 'TN-DH-BT-X05', unreachable: true });
    await addIdentity(app, 'sim', 'dist', { unitCode: 'TN-DH', role: 'staff' });
    // Xóm Nà Mòn has reported; Xóm Đồng Tâm has a dossier missing parts and a complete draft.
    const std = campaign.standards.find((x) => x.level === 'hamlet')!;
    await app.store.reports.submit(
      { campaignId: campaign.id, year: 2024, unitId: (await unitByCode(app, 'TN-DH-BT-X04')).id, values: Object.fromEntries(std.indicators.map((i) => [i.id, 100])), submittedBy: 'test' },
      { id: 'test', role: 'officer', channel: 'sim' },
    );
    const incomplete = await addNomination(app, bot.dataDir, 'TN-DH-BT-X01', { nominee: 'Nguyễn Thị Hoa', parts: ['to_trinh'], status: 'submitted' });
    const draft = await addNomination(app, bot.dataDir, 'TN-DH-BT-X01', { nominee: 'Xóm Đồng Tâm', parts: campaign.dossierParts.map((p) => p.id) });
    await addNomination(app, bot.dataDir, 'TN-DH-BT-X02', { nominee: 'Accepted', parts: ['to_trinh'], status: 'accepted' });

    const at = vn('2024-12-03T08:00');
    const { messages } = await app.jobs.previewReminders(at);
    const to = (user: string) => messages.filter((m) => m.userId === user).map((m) => `${m.reminder.kind} D-${m.reminder.offsetDays}`).sort();
    expect(to('can-bo-don-vi')).toEqual(['dossier D-3', 'report D-7']);
    expect(to('bau')).toEqual(['report D-7']); // its only dossier is accepted
    expect(to('mon')).toEqual([]); // reported, no dossier
    expect(to('gone')).toEqual([]);
    expect(to('dist')).toEqual([]); // staff get digests, not reminders

    const report = messages.find((m) => m.userId === 'can-bo-don-vi' && m.reminder.kind === 'report')!;
    expect(report.reply.text).toBe('⏰ Nhắc hạn: Xóm Đồng Tâm chưa gửi báo cáo kết quả thi đua năm 2024. Hạn nộp: hết ngày 10/12/2024 (còn 7 ngày); theo hướng dẫn của cơ quan thường trực.');
    expect(report.reply.choices).toEqual([{ payload: 'go|report', label: 'Báo cáo ngay' }]);
    expect(report.reply.template).toEqual({ kind: 'reminder', params: { what: 'báo cáo chỉ tiêu 2024', unit: 'Xóm Đồng Tâm', date: '10/12/2024', days: '7' } });
    expect(report.key).toBe(`rem|${campaign.id}|report|2024|d7|${tam.id}|sim|can-bo-don-vi`);
    const dossier = messages.find((m) => m.userId === 'can-bo-don-vi' && m.reminder.kind === 'dossier')!;
    // A xóm's dossier is not asked for council minutes (partsFor).
    const first = reviewsOpenIn(campaign, 2024)[0]!;
    const missing = partsFor(campaign, { level: 'hamlet', awardId: first.award.id, reviewId: first.review.id }).slice(1).map((p) => p.label.vi).join('; ');
    expect(dossier.reply.text.split('\n')).toEqual([
      '⏰ Nhắc hạn: Xóm Đồng Tâm còn 2 hồ sơ khen thưởng năm 2024 chưa hoàn tất. Hạn nộp hồ sơ: hết ngày 05/12/2024 (còn 2 ngày).',
      `• Nguyễn Thị Hoa (hồ sơ số ${incomplete.id.slice(2)}): còn thiếu ${missing}`,
      `• Xóm Đồng Tâm (hồ sơ số ${draft.id.slice(2)}): đủ thành phần nhưng chưa gửi`,
    ]);
    const english = messages.find((m) => m.userId === 'bau')!;
    expect(english.reply.text).toBe('⏰ Reminder: Xóm Đồng Bầu has not yet sent its 2024 campaign report. It is due by the end of 10 Dec 2024 (7 days left); as guided by the standing office.');

    // On the last day: "today is the last day"; the registration reminders include individuals who have not registered.
    const last = await app.jobs.previewReminders(vn('2024-12-10T08:00'));
    expect(last.messages.find((m) => m.userId === 'can-bo-don-vi')!.reply.text).toContain('(hôm nay là hạn cuối)');
    const person = await app.store.people.create({ name: 'Trần Văn Bình', position: null, kind: 'citizen', unitId: null, unitName: 'Xóm Đồng Tâm', createdAt: new Date().toISOString() }, { id: 'test', role: null, channel: 'sim' });
    await app.store.identities.upsert({ ...(await addIdentity(app, 'sim', 'citizen', { role: 'individual' })), personId: person.id }, { id: 'test', role: null, channel: 'sim' });
    const reg = await app.jobs.previewReminders(vn('2024-11-23T08:00'));
    expect(reg.messages.find((m) => m.userId === 'citizen')!.reply.text).toBe(
      `⏰ Nhắc hạn: bạn chưa đăng ký tham gia ${campaign.name.vi}. Hạn đăng ký năm 2024: hết ngày 30/11/2024 (còn 7 ngày); theo hướng dẫn của cơ quan thường trực.`,
    );
    await app.store.registrations.upsert({ campaignId: campaign.id, year: 2024, subject: { type: 'person', personId: person.id }, contentAreas: [campaign.contentAreas[0]!.id], commitments: null, registeredBy: person.id }, { id: 'test', role: null, channel: 'sim' });
    expect((await app.jobs.previewReminders(vn('2024-11-23T08:00'))).messages.filter((m) => m.userId === 'citizen')).toEqual([]);
  });

  it('running a pass twice queues each reminder once; the sent ones are not queued again', async () => {
    bot = await startBot('binh-thanh-2024', { now: vn('2024-12-07T08:00') });
    const { app } = bot;
    for (let i = 2; i <= 9; i++) await addIdentity(app, 'sim', `o${i}`, { unitCode: `TN-DH-BT-X0${i}` });
    const first = await app.jobs.runReminders(vn('2024-12-07T08:00'));
    expect(first.planned).toBe(9);
    expect(first.queued).toBe(9);
    const again = await app.jobs.runReminders(vn('2024-12-07T08:00'));
    expect(again.queued).toBe(9); // still queued: the same job ids, so BullMQ keeps one of each
    const workers = await startWorkers(app, { schedules: false });
    try {
      await outboxDrained(app);
      const later = await app.jobs.runReminders(vn('2024-12-07T09:00'));
      expect(later).toMatchObject({ planned: 9, queued: 0, skipped: 9 });
      for (let i = 2; i <= 9; i++) {
        const got = (await app.simulator.transcript(`o${i}`)).filter((e) => e.text.includes('Nhắc hạn'));
        expect(got.map((e) => e.text)).toEqual([expect.stringContaining('(còn 3 ngày)')]);
      }
    } finally {
      await workers.close();
    }
  });
});

describe('two processes running the same reminder pass', () => {
  let t: TelegramTestBot;
  let other: TestBot;
  const workers: RunningWorkers[] = [];
  afterEach(async () => {
    for (const w of workers.splice(0)) await w.close();
    await other?.close();
    await t?.close();
  });

  it('each recipient gets exactly one message at the Telegram fake', async () => {
    const now = vn('2024-12-07T08:00');
    t = await startTelegramBot('binh-thanh-2024', { now });
    // A second app on the same Redis keys and the same fake Bot API: another server process (same machine: same DATA_DIR, so the same invite secret).
    other = await startBot('binh-thanh-2024', {
      now,
      prefix: t.bot.prefix,
      dataDir: t.bot.dataDir,
      env: { TELEGRAM_BOT_TOKEN: t.fake.token, TELEGRAM_WEBHOOK_SECRET: SECRET, TELEGRAM_API_ROOT: t.fake.apiRoot },
      app: { telegramBotInfo: t.fake.botInfo },
    });
    const chats: number[] = [];
    for (let i = 1; i <= 14; i++)
      for (const k of [0, 1]) {
        const chat = 7000 + i * 10 + k;
        chats.push(chat);
        await addIdentity(t.bot.app, 'telegram', String(chat), { unitCode: `TN-DH-BT-X${String(i).padStart(2, '0')}` });
      }
    workers.push(await startWorkers(t.bot.app, { schedules: false }), await startWorkers(other.app, { schedules: false }));
    // Both processes run the pass at once, twice each, and the scheduled job fires in both queues' views.
    const [a, b] = await Promise.all([t.bot.app.jobs.runReminders(now), other.app.jobs.runReminders(now), t.bot.app.jobs.runReminders(now)]);
    expect(a!.planned).toBe(chats.length + 1); // + the demo officer on the simulator
    expect(b!.planned).toBe(chats.length + 1);
    await t.bot.app.jobs.schedule.add('reminder', { kind: 'report', year: 2024, offsetDays: 3, at: now.toISOString() }, { jobId: 'fire-a' });
    await other.app.jobs.schedule.add('reminder', { kind: 'report', year: 2024, offsetDays: 3, at: now.toISOString() }, { jobId: 'fire-b' });
    await vi.waitFor(async () => {
      const done = await t.bot.app.jobs.schedule.getJobCounts('completed');
      if ((done.completed ?? 0) < 2) throw new Error('passes still running');
    }, { timeout: 15_000, interval: 50 });
    await outboxDrained(t.bot.app);
    await new Promise((r) => setTimeout(r, 300));
    for (const chat of chats) {
      const got = t.fake.messagesTo(chat).map(textOf);
      expect(got, `chat ${chat}`).toHaveLength(1);
      expect(got[0]).toContain('chưa gửi báo cáo kết quả thi đua năm 2024');
    }
    expect(t.fake.callsOf('sendMessage')).toHaveLength(chats.length);
    const stats = await t.bot.app.jobs.outbox.stats(`rem-${campaign.id}-report-2024-d3`);
    expect(stats).toMatchObject({ 'telegram.sent': chats.length, 'sim.sent': 1 });
  });
});

describe('late joiners and catch-up', () => {
  let bot: TestBot;
  let workers: RunningWorkers | undefined;
  const track = stopAfterEach();

  it('an officer who joins after the D-7 reminder gets it at once, with the days really left, then the D-3 one; never twice', async () => {
    bot = track(await startBot('binh-thanh-2024', { now: vn('2024-12-05T10:00') }));
    const { app } = bot;
    workers = track(await startWorkers(app, { schedules: false }));
    // The officers already there got the D-7 reminder (here: by the sweep, as they were all reminded late).
    await app.jobs.runReminders(vn('2024-12-05T10:00'));
    await outboxDrained(app);
    const user = 'late-officer';
    const reminders = async () => (await app.simulator.transcript(user)).filter((e) => e.text.includes('Nhắc hạn')).map((e) => e.text);

    // Joins with the demo invite code (Xóm Đồng Tâm) through the conversation.
    let r = await bot.say(user, 'xin chào');
    r = await bot.say(user, bot.button(r, 'mã mời'));
    r = await bot.say(user, await bot.inviteCode());
    expect(bot.text(r)).toContain('cán bộ phụ trách của Xóm Đồng Tâm');
    await vi.waitFor(async () => expect(await reminders()).toHaveLength(1), { timeout: 10_000, interval: 50 });
    expect((await reminders())[0]).toContain('Hạn nộp: hết ngày 10/12/2024 (còn 5 ngày)');

    // The daytime sweep finds nothing new for them.
    const sweep = await app.jobs.runReminders(vn('2024-12-05T10:15'));
    expect(sweep.queued).toBe(0);
    await outboxDrained(app);
    expect(await reminders()).toHaveLength(1);

    // The next scheduled reminder (D-3, 07/12 08:00) reaches them as it reaches everyone.
    bot.clock.now = vn('2024-12-07T08:00');
    await app.jobs.schedule.add('reminder', { kind: 'report', year: 2024, offsetDays: 3, at: vn('2024-12-07T08:00').toISOString() });
    await vi.waitFor(async () => expect(await reminders()).toHaveLength(2), { timeout: 10_000, interval: 50 });
    expect((await reminders())[1]).toContain('(còn 3 ngày)');
  });

  it('a pass that runs late (workers were down) sends the reminder in effect when it runs, once', async () => {
    bot = track(await startBot('binh-thanh-2024', { now: vn('2024-12-09T09:30') }));
    const { app } = bot;
    workers = track(await startWorkers(app, { schedules: false }));
    // The D-3 and D-1 jobs both fire late, at 09:30 on D-1.
    await app.jobs.schedule.add('reminder', { kind: 'report', year: 2024, offsetDays: 3, at: vn('2024-12-07T08:00').toISOString() });
    await app.jobs.schedule.add('reminder', { kind: 'report', year: 2024, offsetDays: 1, at: vn('2024-12-09T08:00').toISOString() });
    await vi.waitFor(async () => {
      if (((await app.jobs.schedule.getJobCounts('completed')).completed ?? 0) < 2) throw new Error('not yet');
    }, { timeout: 10_000, interval: 50 });
    await outboxDrained(app);
    const got = (await app.simulator.transcript('can-bo-don-vi')).filter((e) => e.text.includes('Nhắc hạn'));
    expect(got.map((e) => e.text)).toEqual([expect.stringContaining('(còn 1 ngày)')]);
  });
});
