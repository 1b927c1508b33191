import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadCampaign } from '../../src/campaign/load.js';
import { partsFor, reviewsOpenIn } from '../../src/domain/index.js';
import { joinWithInvite, nominatePerson, PDF, startBot, type TestBot } from '../helpers/bot.js';
import { vn } from '../helpers/jobs.js';
import { PRESETS, presetOfficer } from '../helpers/presets.js';

const ADMIN = { id: 'test', role: 'admin', channel: 'cli' };

describe.each(PRESETS)('preset $id: an officer submits a dossier', (preset) => {
  const { year } = preset;
  const officer = presetOfficer(preset);
  const { user, campaign } = officer;

  it('nomination: an individual, an award, one uploaded part, the rest later, submitted with what is missing', async () => {
    const bot = officer.bot;
    let r = await bot.say(user, 'go|nominate');
    if (campaign.reportingYears.length > 1) r = await bot.say(user, String(year));
    expect(bot.text(r)).toContain('Đề nghị khen thưởng cho ai?');
    r = await bot.say(user, bot.button(r, 'Một cá nhân'));
    r = await bot.say(user, 'Nguyễn Văn An');
    r = await bot.say(user, 'Trưởng xóm');
    r = await bot.say(user, 'Xóm Đồng Tâm');
    expect(bot.text(r)).toContain('Hình thức khen thưởng');
    expect(r.at(-1)!.choices!.length).toBeGreaterThan(0);
    r = await bot.say(user, '1');
    expect(bot.text(r)).toContain('Tóm tắt trích ngang');
    r = await bot.say(user, 'Vận động 100% hộ dân cài ứng dụng VNeID');
    // The parts this dossier is asked: those of the officer's level under the first award offered.
    const unit = (await bot.app.store.units.get((await bot.app.store.identities.get('sim', user))!.unitId!))!;
    const first = reviewsOpenIn(campaign, year)[0]!;
    const asked = partsFor(campaign, { level: unit.level, awardId: first.award.id, reviewId: first.review.id });
    expect(bot.text(r)).toContain(`Hồ sơ 1/${asked.length}`);
    expect(r.at(-1)!.expectsFile).toBe(true);
    r = await bot.upload(user, PDF, 'to-trinh.pdf');
    expect(bot.text(r)).toContain('Đã nhận tệp "to-trinh.pdf"');
    for (let i = 1; i < asked.length; i++) r = await bot.say(user, bot.button(r, 'Bổ sung sau'));
    expect(bot.text(r)).toContain('Kiểm tra lại hồ sơ đề nghị khen thưởng');
    const missing = asked.slice(1).filter((p) => p.required);
    if (missing.length) expect(bot.text(r)).toContain(`Còn thiếu ${missing.length} thành phần bắt buộc`);
    r = await bot.say(user, bot.button(r, 'Gửi hồ sơ'));
    expect(bot.text(r)).toMatch(/Đã gửi hồ sơ/);
    const identity = (await bot.app.store.identities.get('sim', user))!;
    const [n] = await bot.app.store.nominations.listByUnit(campaign.id, year, identity.unitId!);
    expect(n?.status).toBe('submitted');
    expect(n?.nominee).toEqual({ type: 'individual', name: 'Nguyễn Văn An', position: 'Trưởng xóm', unitName: 'Xóm Đồng Tâm' });
    expect(Object.keys(n!.parts)).toEqual([asked[0]!.id]);
    expect(n!.parts[asked[0]!.id]!.mime).toBe('application/pdf');
  });
});

/** Every occurrence of `needle` in `text`. */
const count = (text: string, needle: string) => text.split(needle).length - 1;

describe.each(PRESETS)('preset $id: the summary of a nomination fits a phone (issue #13 item 6)', (preset) => {
  const officer = presetOfficer(preset);
  /** About a phone screen and a half; the same summary was over 2,900 characters before (each part twice, the whole achievement text). */
  const MAX_SUMMARY = 900;

  it('the longest case (an individual, the longest achievement summary, every part missing) names each missing part once and stays short', async () => {
    const { bot, user, campaign } = officer;
    let r = await bot.say(user, 'go|nominate');
    if (campaign.reportingYears.length > 1) r = await bot.say(user, String(preset.year));
    const summary = `Vận động 100% hộ dân cài ứng dụng VNeID, ${'triển khai thanh toán không dùng tiền mặt, '.repeat(60)}`.slice(0, 2000);
    r = await nominatePerson(bot, user, r, { name: 'Nguyễn Thị Phương Thảo', position: 'Phó Chủ tịch Ủy ban nhân dân xã', unit: 'Ủy ban nhân dân xã Đồng Tâm', summary });
    // Every part that applies to this dossier, later: up to the confirm step.
    const asked: string[] = [];
    while (r.at(-1)?.expectsFile) {
      asked.push(bot.text(r));
      r = await bot.say(user, bot.button(r, 'Bổ sung sau'));
    }
    const unit = (await bot.app.store.units.get((await bot.app.store.identities.get('sim', user))!.unitId!))!;
    const first = reviewsOpenIn(campaign, preset.year)[0]!;
    const parts = partsFor(campaign, { level: unit.level, awardId: first.award.id, reviewId: first.review.id });
    expect(asked).toHaveLength(parts.length);
    const text = bot.text(r);
    expect(text).toContain('Kiểm tra lại hồ sơ đề nghị khen thưởng');
    for (const p of parts) expect(count(text, p.label.vi), p.label.vi).toBe(1);
    // The summary itself fits; the dossier checker's findings (here only the quota count) come on top of it, each said once.
    const [own, checker = ''] = text.split('\nKiểm tra hồ sơ:\n');
    expect(own!.length, text).toBeLessThanOrEqual(MAX_SUMMARY);
    expect(checker.split('\n').filter((l) => l.startsWith('• ')).length, text).toBeLessThanOrEqual(1);
    expect(checker, text).not.toContain('còn thiếu');
    await bot.say(user, 'hủy');
  });
});

describe('quotas, drafts and dossiers that changed meanwhile', () => {
  let bot: TestBot;
  afterEach(() => bot?.close());

  it('warns when proposals exceed the award quota (Bình Thành: 2 collectives)', async () => {
    bot = await startBot('binh-thanh-2024');
    const nominateSelf = async (user: string, submit: boolean) => {
      let r = await bot.say(user, 'go|nominate');
      if (bot.text(r).includes('Bạn muốn lập hồ sơ mới')) r = await bot.say(user, bot.button(r, 'Lập hồ sơ đề nghị mới'));
      r = await bot.say(user, 'Chính đơn vị');
      r = await bot.say(user, bot.button(r, 'Chủ tịch UBND xã — '));
      const warned = bot.text(r).includes('vượt số lượng xét');
      await bot.say(user, 'Thành tích tốt');
      for (let i = 0; i < 4; i++) r = await bot.say(user, 'để sau'); // a xóm's four parts: no council minutes
      r = await bot.say(user, submit ? 'Gửi hồ sơ' : 'Lưu nháp');
      return warned;
    };
    await joinWithInvite(bot, 'q1', 'officer', 'TN-DH-BT-X01');
    await joinWithInvite(bot, 'q2', 'officer', 'TN-DH-BT-X02');
    await joinWithInvite(bot, 'q3', 'officer', 'TN-DH-BT-X03');
    expect(await nominateSelf('q1', true)).toBe(false);
    expect(await nominateSelf('q2', false)).toBe(false); // drafts take no slot
    expect(await nominateSelf('q2', true)).toBe(false);
    expect(await nominateSelf('q3', true)).toBe(true);
    const noms = await bot.app.store.nominations.list('binh-thanh-2024', 2024);
    expect(noms.filter((n) => n.status === 'submitted')).toHaveLength(3);
  });

  it('a saved draft is continued later: only the missing parts are asked, then submitted complete', async () => {
    bot = await startBot('binh-thanh-2024');
    await joinWithInvite(bot, 'd1', 'officer', 'TN-DH-BT-X04');
    await bot.say('d1', 'go|nominate');
    await bot.say('d1', '1');
    await bot.say('d1', '1');
    await bot.say('d1', 'Xóm dẫn đầu');
    await bot.upload('d1', PDF, 'a.pdf');
    for (let i = 0; i < 3; i++) await bot.say('d1', 'để sau'); // a xóm's four parts: no council minutes
    let r = await bot.say('d1', 'Lưu nháp');
    expect(bot.text(r)).toContain('Đã lưu nháp');
    r = await bot.say('d1', 'go|nominate');
    expect(r.at(-1)!.choices!.map((c) => c.label)).toContainEqual(expect.stringMatching(/^Tiếp tục hồ sơ nháp số \d+: Xóm Nà Mòn \(2024\)$/));
    r = await bot.say('d1', bot.button(r, 'Tiếp tục hồ sơ nháp'));
    expect(bot.text(r)).toContain('Hồ sơ 2/4');
    for (let i = 0; i < 3; i++) r = await bot.upload('d1', Buffer.concat([PDF, Buffer.from(String(i))]), `p${i}.pdf`);
    expect(bot.text(r)).toContain('Hồ sơ đã đủ các thành phần bắt buộc');
    r = await bot.say('d1', 'Gửi hồ sơ');
    expect(bot.text(r)).toContain('Cơ quan thường trực sẽ xem xét');
    const [n] = await bot.app.store.nominations.list('binh-thanh-2024', 2024);
    expect(n!.status).toBe('submitted');
    expect(Object.keys(n!.parts)).toHaveLength(4);
  });

  it('a paused edit of a dossier that was submitted meanwhile ends with a clear message, not an error', async () => {
    bot = await startBot('binh-thanh-2024');
    await joinWithInvite(bot, 'd2', 'officer', 'TN-DH-BT-X05');
    await bot.say('d2', 'go|nominate');
    await bot.say('d2', '1');
    await bot.say('d2', '1');
    await bot.say('d2', 'Xóm dẫn đầu');
    for (let i = 0; i < 4; i++) await bot.say('d2', 'để sau');
    await bot.say('d2', 'Lưu nháp');
    await bot.say('d2', 'go|nominate');
    await bot.say('d2', '2');
    await bot.say('d2', 'menu');
    const [draft] = await bot.app.store.nominations.list('binh-thanh-2024', 2024);
    await bot.app.store.nominations.setStatus(draft!.id, 'submitted', {}, ADMIN);
    await bot.say('d2', 'go|nominate');
    for (let i = 0; i < 4; i++) await bot.say('d2', 'để sau');
    const r = await bot.say('d2', 'Gửi hồ sơ');
    expect(bot.text(r)).toContain('không sửa được nữa');
  });
});

const OFFICER = 'can-bo-don-vi';

describe('a dossier sent after its deadline is accepted and marked late (binh-thanh-2024, due 05/12/2024)', () => {
  let bot: TestBot;
  const campaign = loadCampaign('binh-thanh-2024');
  beforeAll(async () => {
    bot = await startBot(campaign.id, { now: vn('2024-12-06T09:00') });
  });
  afterAll(() => bot.close());

  it('the officer is warned at the summary, the dossier is stored as submitted and late, and status says so', async () => {
    let r = await nominatePerson(bot, OFFICER, await bot.say(OFFICER, '/dexuat'), { name: 'Hoàng Văn Nam', position: 'Trưởng xóm', unit: 'Xóm Đồng Tâm', summary: 'Số hóa hồ sơ của xóm' });
    for (let i = 0; i < campaign.dossierParts.length; i++) r = await bot.upload(OFFICER, PDF, `phan-${i + 1}.pdf`);
    expect(bot.text(r)).toContain('Lưu ý: đã quá hạn nộp hồ sơ (05/12/2024); hồ sơ vẫn được nhận và ghi là nộp muộn.');
    r = await bot.say(OFFICER, bot.button(r, 'Gửi hồ sơ'));
    expect(bot.text(r)).toMatch(/Đã gửi hồ sơ .*\nHồ sơ năm 2024 được ghi nhận nộp muộn\./);
    const unitId = (await bot.app.store.identities.get('sim', OFFICER))!.unitId!;
    const [n] = await bot.app.store.nominations.listByUnit(campaign.id, 2024, unitId);
    expect(n).toMatchObject({ status: 'submitted', lateAt: expect.any(String), nominee: { name: 'Hoàng Văn Nam' } });
    const status = bot.text(await bot.say(OFFICER, '/tinhtrang'));
    expect(status).toMatch(/Hồ sơ số \d+ \(Hoàng Văn Nam\): đã gửi.*\(nộp muộn\)/);
    expect(status).toContain('đang chờ tiếp nhận tại Công chức Văn phòng – Thống kê xã Bình Thành');
  });

  it('on the last day (05/12, 23:59 Vietnam time) a dossier is on time', async () => {
    bot.clock.now = vn('2024-12-05T23:59');
    let r = await bot.say(OFFICER, '/dexuat');
    // The dossier sent above can still be completed: this one is a new dossier.
    r = await bot.say(OFFICER, bot.button(r, 'Lập hồ sơ đề nghị mới'));
    r = await bot.say(OFFICER, bot.button(r, 'Một cá nhân'));
    for (const answer of ['Đỗ Thị Mai', 'Cán bộ', 'Xóm Đồng Tâm', '1', 'Tóm tắt']) r = await bot.say(OFFICER, answer);
    for (let i = 0; i < campaign.dossierParts.length; i++) r = await bot.upload(OFFICER, PDF, `phan-${i + 1}.pdf`);
    expect(bot.text(r)).not.toContain('quá hạn');
    r = await bot.say(OFFICER, bot.button(r, 'Gửi hồ sơ'));
    expect(bot.text(r)).not.toContain('nộp muộn');
    const unitId = (await bot.app.store.identities.get('sim', OFFICER))!.unitId!;
    const n = (await bot.app.store.nominations.listByUnit(campaign.id, 2024, unitId)).find((x) => x.nominee.name === 'Đỗ Thị Mai');
    expect(n).toMatchObject({ status: 'submitted' });
    expect(n!.lateAt).toBeUndefined();
  });
});
