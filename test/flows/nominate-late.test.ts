import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dossierDueDay } from '../../src/domain/index.js';
import type { Reply } from '../../src/engine/types.js';
import { nominatePerson, PDF, startBot, type TestBot } from '../helpers/bot.js';
import { vn } from '../helpers/jobs.js';
import { PRESETS, presetOfficer } from '../helpers/presets.js';

/**
 * Issue #13 item 6: any dossier sent or re-sent after its deadline is marked late, in Vietnam
 * time — a new one, a draft continued, a returned one sent again — for every preset's
 * dossier deadline.
 */

const ADMIN = 'quan-tri';
const pad = (n: number) => String(n).padStart(2, '0');

describe.each(PRESETS)('preset $id: dossiers sent after the dossier deadline', (preset) => {
  const officer = presetOfficer(preset);
  const { campaign, user } = officer;
  const due = dossierDueDay(campaign, preset.year);
  const dueDay = `${due.year}-${pad(due.month)}-${pad(due.day)}`;
  const dueText = `${pad(due.day)}/${pad(due.month)}/${due.year}`;

  /** A new dossier for `name` with its first `parts` parts uploaded (all that apply by default), the rest later, left at the summary. */
  async function toSummary(bot: TestBot, name: string, parts = Infinity): Promise<Reply[]> {
    let r = await bot.say(user, '/dexuat');
    if (r.some((x) => x.choices?.some((c) => c.label.includes('Lập hồ sơ đề nghị mới')))) r = await bot.say(user, bot.button(r, 'Lập hồ sơ đề nghị mới'));
    if (campaign.reportingYears.length > 1) r = await bot.say(user, String(preset.year));
    r = await nominatePerson(bot, user, r, { name, position: 'Trưởng xóm', unit: 'Xóm Đồng Tâm', summary: 'Số hóa hồ sơ của xóm' });
    // Only the parts that apply to this dossier are asked: walk them up to the confirm step.
    for (let i = 0; r.at(-1)?.expectsFile; i++) r = i < parts ? await bot.upload(user, PDF, `phan-${i}.pdf`) : await bot.say(user, bot.button(r, 'Bổ sung sau'));
    expect(bot.text(r)).toContain('Kiểm tra lại hồ sơ đề nghị khen thưởng');
    return r;
  }
  const numberIn = (r: Reply[], bot: TestBot) => /hồ sơ số (\d+)/.exec(bot.text(r))![1]!;
  const get = (bot: TestBot, number: string) => bot.app.store.nominations.get(`n_${number}`);

  it(`a draft saved on the last day (${dueText}) and sent the next morning is marked late; a returned dossier re-sent after it too`, async () => {
    const { bot } = officer;
    bot.clock.now = vn(`${dueDay}T10:00`);
    // A draft, and a dossier sent on time then returned by staff.
    let r = await toSummary(bot, 'Trần Văn Nháp', 1);
    const draft = numberIn(await bot.say(user, bot.button(r, 'Lưu nháp')), bot);
    r = await toSummary(bot, 'Lê Thị Trả');
    const returned = numberIn(await bot.say(user, bot.button(r, 'Gửi hồ sơ')), bot);
    expect((await get(bot, returned))!.lateAt).toBeUndefined();
    r = await bot.say(ADMIN, `go|review_return|n_${returned}`);
    r = await bot.say(ADMIN, 'Cần bổ sung xác nhận của UBND xã');
    r = await bot.say(ADMIN, bot.button(r, 'Trả lại'));
    expect((await get(bot, returned))!.status).toBe('returned');

    // 01:00 the next day in Vietnam: still the due day in UTC, already late.
    bot.clock.now = new Date(vn(`${dueDay}T23:59`).getTime() + 61 * 60_000);

    r = await bot.say(user, `go|nominate|n_${draft}`);
    while (r.at(-1)?.expectsFile) r = await bot.upload(user, PDF, 'them.pdf');
    expect(bot.text(r)).toContain(`đã quá hạn nộp hồ sơ (${dueText})`);
    r = await bot.say(user, bot.button(r, 'Gửi hồ sơ'));
    expect(bot.text(r)).toContain('ghi nhận nộp muộn');
    expect(await get(bot, draft)).toMatchObject({ status: 'submitted', lateAt: bot.clock.now.toISOString() });

    r = await bot.say(user, `go|nominate|n_${returned}`);
    r = await bot.say(user, bot.button(r, 'Xem lại từng phần'));
    while (r.at(-1)?.expectsFile) r = await bot.say(user, bot.button(r, 'Giữ tệp đã có'));
    expect(bot.text(r)).toContain(`đã quá hạn nộp hồ sơ (${dueText})`);
    r = await bot.say(user, bot.button(r, 'Gửi hồ sơ'));
    expect(bot.text(r)).toContain('ghi nhận nộp muộn');
    expect(await get(bot, returned)).toMatchObject({ status: 'submitted', lateAt: bot.clock.now.toISOString() });
    expect(bot.text(await bot.say(ADMIN, `/hoso ${returned}`))).toContain('Gửi sau hạn');
  });
});

describe('an ad-hoc award (khen thưởng đột xuất) has no deadline: nothing about it is late (binh-thanh-2024, after 05/12/2024)', () => {
  const OFFICER = 'can-bo-don-vi';
  let bot: TestBot;
  beforeAll(async () => {
    bot = await startBot('binh-thanh-2024', { now: vn('2024-12-06T09:00') });
  });
  afterAll(() => bot.close());

  it('sent with a part missing, then completed: no late warning, never marked late', async () => {
    let r = await bot.say(OFFICER, '/dexuat');
    r = await bot.say(OFFICER, bot.button(r, 'Một cá nhân'));
    for (const answer of ['Phạm Văn Dũng', 'Công an viên', 'Xóm Đồng Tâm']) r = await bot.say(OFFICER, answer);
    r = await bot.say(OFFICER, bot.button(r, 'Khen thưởng đột xuất'));
    r = await bot.say(OFFICER, 'Cứu người trong lũ');
    r = await bot.upload(OFFICER, PDF, 'to-trinh.pdf');
    while (r.at(-1)?.expectsFile) r = await bot.say(OFFICER, bot.button(r, 'Bổ sung sau'));
    expect(bot.text(r)).not.toContain('quá hạn');
    r = await bot.say(OFFICER, bot.button(r, 'Gửi hồ sơ'));
    const number = /hồ sơ số (\d+)/.exec(bot.text(r))![1]!;
    expect(bot.text(r)).not.toContain('muộn');

    r = await bot.say(OFFICER, `go|nominate|n_${number}`);
    r = await bot.say(OFFICER, bot.button(r, 'Bổ sung phần còn thiếu'));
    r = await bot.upload(OFFICER, PDF, 'bien-ban.pdf');
    while (r.at(-1)?.expectsFile) r = await bot.upload(OFFICER, PDF, 'them.pdf');
    expect(bot.text(r)).not.toContain('quá hạn');
    r = await bot.say(OFFICER, bot.button(r, 'Lưu bổ sung'));
    expect(bot.text(r)).not.toContain('muộn');
    expect((await bot.app.store.nominations.get(`n_${number}`))!.lateAt).toBeUndefined();
  });
});
