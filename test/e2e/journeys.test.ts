import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCampaign } from '../../src/campaign/load.js';
import { partsFor, reminderSchedule, standardFor } from '../../src/domain/index.js';
import type { Reply } from '../../src/engine/types.js';
import { messageJobId, safeJobId } from '../../jobs/keys.js';
import { acceptThroughChain, deciderOf, nominatePerson, PDF, startBot, type TestBot } from '../helpers/bot.js';

/**
 * Issue 13, "done when": for every preset in campaigns/*.json, on the simulator, whole
 * conversations: register → report → nominate with parts missing → the dossier reminder →
 * complete that dossier from the reminder's button (pressed in the middle of another
 * conversation) → staff accept it. Staff hear once that it became complete; every change
 * is in the audit; a completion after the deadline is taken and marked late.
 */
const PRESETS = fs
  .readdirSync(new URL('../../campaigns/', import.meta.url))
  .filter((f) => f.endsWith('.json'))
  .map((f) => f.replace(/\.json$/, ''));


describe.each(PRESETS)('preset %s: from registration to an accepted, completed dossier', (id) => {
  const campaign = loadCampaign(id);
  const year = Math.max(...campaign.reportingYears);
  // The dossier reminder three days before the deadline of the last reporting year (Vietnam time).
  const reminder = reminderSchedule(campaign, ['dossier']).filter((r) => r.year === year).at(-3)!;
  const officer = `journey-${id}`;
  let bot: TestBot;
  let nominationId: string;
  const uniquePdf = (n: number) => Buffer.concat([PDF, Buffer.from(`${id}-${n}`)]);

  beforeAll(async () => {
    bot = await startBot(id, { now: new Date(reminder.at.getTime() - 10 * 86_400_000) });
  });
  afterAll(() => bot.close());

  const pickYear = async (r: Reply[]) => (campaign.reportingYears.length > 1 ? bot.say(officer, String(year)) : r);

  it('register, report, and nominate with parts missing', async () => {
    let r = await bot.say(officer, 'xin chào');
    r = await bot.say(officer, bot.button(r, 'mã mời'));
    r = await bot.say(officer, await bot.inviteCode());
    expect(bot.text(r)).toContain('Bạn đã tham gia với vai trò cán bộ phụ trách');

    r = await pickYear(await bot.say(officer, 'go|register'));
    r = await bot.say(officer, '1'); // ticks the first content area
    r = await bot.say(officer, 'xong');
    r = await bot.say(officer, 'bỏ qua');
    r = await bot.say(officer, bot.button(r, 'Xác nhận'));
    expect(bot.text(r)).toContain(`Đã ghi nhận đăng ký thi đua năm ${year}`);

    const unit = (await bot.app.store.units.get((await bot.app.store.identities.get('sim', officer))!.unitId!))!;
    r = await pickYear(await bot.say(officer, 'go|report'));
    for (let i = 0; i < standardFor(campaign, unit.level)!.indicators.length; i++) r = await bot.say(officer, '100');
    r = await bot.say(officer, 'Đã số hóa hồ sơ');
    r = await bot.say(officer, bot.button(r, 'Xác nhận'));
    expect(bot.text(r)).toContain(`Đã nhận báo cáo chỉ tiêu năm ${year}`);

    r = await pickYear(await bot.say(officer, 'go|nominate'));
    r = await nominatePerson(bot, officer, r, { name: 'Nguyễn Văn An', position: 'Trưởng xóm', unit: 'Xóm Đồng Tâm', summary: 'Vận động 100% hộ dân cài ứng dụng VNeID' });
    r = await bot.upload(officer, uniquePdf(0), 'to-trinh.pdf');
    while (r.at(-1)?.expectsFile) r = await bot.say(officer, bot.button(r, 'Bổ sung sau'));
    r = await bot.say(officer, bot.button(r, 'Gửi hồ sơ'));
    expect(bot.text(r)).toContain('nhưng còn thiếu');
    const [n] = await bot.app.store.nominations.listByUnit(campaign.id, year, unit.id);
    expect(n!.status).toBe('submitted');
    nominationId = n!.id;
  });

  it('the reminder names the dossier; its button, pressed mid-conversation, asks, then opens that dossier to complete it', async () => {
    bot.clock.now = reminder.at;
    const { messages } = await bot.app.jobs.previewReminders(reminder.at);
    const mine = messages.filter((m) => m.userId === officer && m.reminder.kind === 'dossier');
    expect(mine).toHaveLength(1);
    const number = nominationId.replace('n_', '');
    expect(mine[0]!.reply.text).toContain(`hồ sơ số ${number}`);
    expect(mine[0]!.reply.text).not.toContain(nominationId);
    const button = mine[0]!.reply.choices!.find((c) => c.label === `Hoàn thiện hồ sơ số ${number}`)!;
    expect(button.payload).toBe(`go|nominate|${nominationId}`);

    // The officer is in the middle of something else when the reminder comes.
    await bot.say(officer, 'go|register');
    let r = await bot.say(officer, button.payload);
    expect(bot.text(r)).toContain('Chuyển sang «Đề nghị khen thưởng»?');
    expect(bot.text(r)).not.toContain('câu hỏi cũ');
    r = await bot.say(officer, bot.button(r, 'Có, chuyển'));
    const opened = bot.text(r);
    expect(opened).toMatch(new RegExp(`Hồ sơ số ${number} — .+ — Nguyễn Văn An \\(đã gửi\\)`));
    expect(opened).toContain('Còn thiếu:');
    expect(opened).not.toContain(nominationId);
    r = await bot.say(officer, bot.button(r, 'Bổ sung phần còn thiếu'));
    let k = 1;
    while (r.at(-1)?.expectsFile) r = await bot.upload(officer, uniquePdf(k++), `phan-${k}.pdf`);
    expect(bot.text(r)).toContain('Hồ sơ đã đủ các thành phần bắt buộc');
    r = await bot.say(officer, bot.button(r, 'Lưu bổ sung'));
    expect(bot.text(r)).toContain(`Hồ sơ số ${number}`);
    expect(bot.text(r)).toContain('nay đã đủ các thành phần bắt buộc');

    const n = (await bot.app.store.nominations.get(nominationId))!;
    expect(n.status).toBe('submitted');
    // Exactly the parts this dossier is asked (its unit's level, award and review).
    const unit = (await bot.app.store.units.get(n.unitId))!;
    const asked = partsFor(campaign, { level: unit.level, awardId: n.awardId, reviewId: n.reviewId });
    expect(Object.keys(n.parts).sort()).toEqual(asked.map((p) => p.id).sort());
    expect(n.lateAt).toBeUndefined();
    // Every part added after sending is in the audit.
    const actions = (await bot.app.store.audit.forEntity(nominationId)).map((e) => e.action);
    expect(actions.slice(actions.indexOf('nomination.submitted') + 1)).toEqual(asked.slice(1).map(() => 'nomination.attach_part'));
  });

  it('staff are told once that it is complete, then accept it', async () => {
    expect(await bot.app.jobs.schedule.getJob(safeJobId('done', nominationId))).toBeTruthy();
    const first = await bot.app.jobs.runCompletedAlert(nominationId, bot.clock.now);
    await bot.app.jobs.runCompletedAlert(nominationId, bot.clock.now);
    expect(first.planned).toBeGreaterThan(0);
    // Two passes, one message per listener: the message id is made of the dossier and the listener only.
    // The office that receives the dossier hears it (not the district above the unit: it is in no chain here).
    const STAFF = await deciderOf(bot, nominationId);
    const queued = await bot.app.jobs.outbox.queue('sim').getJobs(['waiting', 'prioritized', 'delayed']);
    const toStaff = queued.filter((j) => j.id === messageJobId(`done|${nominationId}|sim|${STAFF}`));
    expect(toStaff).toHaveLength(1);
    expect(toStaff[0]!.data.reply.text).toContain(`đã bổ sung đủ hồ sơ số ${nominationId.replace('n_', '')}`);

    let r = await bot.say(STAFF, `/hoso ${nominationId.replace('n_', '')}`);
    expect(bot.text(r)).not.toContain('còn thiếu');
    r = await bot.say(STAFF, bot.button(r, 'Chấp nhận'));
    r = await bot.say(STAFF, bot.button(r, 'Chấp nhận'));
    // Then the chain's next offices, each in turn, until it is proposed to the authority.
    r = await acceptThroughChain(bot, nominationId);
    expect(bot.text(r)).toMatch(new RegExp(`Đã chấp nhận hồ sơ số ${nominationId.replace('n_', '')} — .+ — Nguyễn Văn An và trình `));
    expect((await bot.app.store.nominations.get(nominationId))!.status).toBe('accepted');
    // Accepted: the officer can no longer change it.
    r = await bot.say(officer, 'menu');
    r = await bot.say(officer, `go|nominate|${nominationId}`);
    expect(bot.text(r)).toContain('đã được chấp nhận nên không cần bổ sung nữa');
  });

  it('after the deadline a sent dossier is still completed, and marked late', async () => {
    let r = await bot.say(officer, 'go|nominate');
    // Every earlier dossier is accepted, so a new one starts at once (no pick).
    expect(bot.text(r)).not.toContain('tiếp tục hồ sơ đang có');
    if (campaign.reportingYears.length > 1) r = await bot.say(officer, String(year));
    r = await bot.say(officer, bot.button(r, 'Chính đơn vị'));
    r = await bot.say(officer, '1');
    r = await bot.say(officer, 'Dẫn đầu chuyển đổi số');
    r = await bot.upload(officer, uniquePdf(100), 'to-trinh.pdf');
    while (r.at(-1)?.expectsFile) r = await bot.say(officer, bot.button(r, 'Bổ sung sau'));
    r = await bot.say(officer, bot.button(r, 'Gửi hồ sơ'));
    const late = (await bot.app.store.nominations.listByUnit(campaign.id, year, (await bot.app.store.identities.get('sim', officer))!.unitId!)).find(
      (n) => n.status === 'submitted',
    )!;
    bot.clock.now = new Date(reminder.deadline.getTime() + 3_600_000);
    r = await bot.say(officer, `/dexuat ${late.id.replace('n_', '')}`);
    r = await bot.say(officer, bot.button(r, 'Bổ sung phần còn thiếu'));
    let k = 101;
    while (r.at(-1)?.expectsFile) r = await bot.upload(officer, uniquePdf(k++), 'phan.pdf');
    expect(bot.text(r)).toContain('Đã quá hạn nộp hồ sơ');
    r = await bot.say(officer, bot.button(r, 'Lưu bổ sung'));
    expect(bot.text(r)).toContain('được ghi là nộp muộn');
    const n = (await bot.app.store.nominations.get(late.id))!;
    expect(n.status).toBe('submitted');
    expect(n.lateAt).toBe(bot.clock.now.toISOString());
  });
});
