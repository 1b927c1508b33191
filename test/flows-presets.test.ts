import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCampaign } from '../src/campaign/load.js';
import { standardFor } from '../src/domain/index.js';
import { PDF, startBot, type TestBot } from './helpers/bot.js';

/** Each preset, played end to end by a newcomer who becomes the demo unit's officer. */
const PRESETS = [
  { id: 'binh-thanh-2024', now: '2024-11-20T03:00:00Z', year: 2024 },
  { id: 'dong-thap-2021-2025', now: '2025-11-20T03:00:00Z', year: 2025 },
  { id: 'hai-duong-2021-2025', now: '2025-11-20T03:00:00Z', year: 2025 },
  { id: 'tu-ky-2021-2025', now: '2025-11-20T03:00:00Z', year: 2025 },
];

describe.each(PRESETS)('preset $id: every officer flow to the end', ({ id, now, year }) => {
  let bot: TestBot;
  const user = `officer-${id}`;
  const campaign = loadCampaign(id);
  beforeAll(async () => {
    bot = await startBot(id, { now: new Date(now) });
  });
  afterAll(() => bot.close());

  it('onboarding: a newcomer joins their unit with an invite code; the code works once', async () => {
    let r = await bot.say(user, 'xin chào');
    expect(bot.text(r)).toContain('Bạn tham gia phong trào với tư cách nào?');
    r = await bot.say(user, bot.button(r, 'mã mời'));
    expect(bot.text(r)).toContain('Nhập mã mời');
    r = await bot.say(user, 'SAI-MA-1');
    expect(bot.text(r)).toContain('Mã mời không đúng');
    const code = await bot.inviteCode();
    r = await bot.say(user, ` ${code.toLowerCase()} `);
    expect(bot.text(r)).toMatch(/Bạn đã tham gia với vai trò cán bộ phụ trách của /);
    expect(bot.text(r)).toContain('Bạn muốn làm gì?');
    const identity = await bot.app.store.identities.get('sim', user);
    expect(identity?.role).toBe('officer');
    expect(identity?.unitId).toBeTruthy();
    // The same code cannot be claimed twice.
    let other = await bot.say(`${user}-2`, 'chào');
    other = await bot.say(`${user}-2`, '1');
    other = await bot.say(`${user}-2`, code);
    expect(bot.text(other)).toContain('Mã mời không đúng, đã dùng hoặc đã hết hạn');
  });

  it('registration: content areas, commitments, confirm; re-registering updates', async () => {
    let r = await bot.say(user, 'go|register');
    if (campaign.reportingYears.length > 1) {
      expect(bot.text(r)).toContain('Năm thi đua nào?');
      r = await bot.say(user, String(year));
    }
    expect(bot.text(r)).toContain('Chọn các nội dung thi đua');
    r = await bot.say(user, '1, 2');
    expect(bot.text(r)).toContain('Cam kết');
    r = await bot.say(user, 'Số hóa toàn bộ hồ sơ công việc');
    expect(bot.text(r)).toContain(`Kiểm tra lại đăng ký thi đua năm ${year}`);
    r = await bot.say(user, bot.button(r, 'Xác nhận'));
    expect(bot.text(r)).toContain(`Đã ghi nhận đăng ký thi đua năm ${year}`);
    const identity = (await bot.app.store.identities.get('sim', user))!;
    const subject = { type: 'unit' as const, unitId: identity.unitId! };
    const reg = await bot.app.store.registrations.get(campaign.id, year, subject);
    expect(reg?.contentAreas).toEqual(campaign.contentAreas.slice(0, 2).map((a) => a.id));
    expect(reg?.commitments).toBe('Số hóa toàn bộ hồ sơ công việc');

    r = await bot.say(user, 'go|register');
    if (campaign.reportingYears.length > 1) r = await bot.say(user, String(year));
    r = await bot.say(user, 'tat ca');
    r = await bot.say(user, 'bo qua');
    r = await bot.say(user, 'xac nhan');
    expect(bot.text(r)).toContain(`Đã cập nhật đăng ký thi đua năm ${year}`);
    const all = await bot.app.store.registrations.list(campaign.id, year);
    expect(all.filter((x) => x.subject.type === 'unit' && x.subject.unitId === identity.unitId)).toHaveLength(1);
    expect(all.find((x) => x.subject.type === 'unit' && x.subject.unitId === identity.unitId)?.contentAreas).toHaveLength(campaign.contentAreas.length);
  });

  it('indicators: each indicator of the unit level, judged as entered, stored with time', async () => {
    const identity = (await bot.app.store.identities.get('sim', user))!;
    const unit = (await bot.app.store.units.get(identity.unitId!))!;
    const standard = standardFor(campaign, unit.level);
    expect(standard, `preset ${id} needs a standard for ${unit.level}`).toBeDefined();
    let r = await bot.say(user, 'go|report');
    if (campaign.reportingYears.length > 1) r = await bot.say(user, String(year));
    const inputs = ['85', '85%', '85,5', '100', '99'];
    const expected: Record<string, number> = {};
    standard!.indicators.forEach((indicator, n) => {
      expected[indicator.id] = [85, 85, 85.5, 100, 99][n]!;
    });
    for (const [n, indicator] of standard!.indicators.entries()) {
      expect(bot.text(r)).toContain(`Chỉ tiêu ${n + 1}/${standard!.indicators.length}`);
      r = await bot.say(user, inputs[n]!);
      const met = expected[indicator.id]! >= indicator.min;
      expect(bot.text(r)).toContain(met ? `✓ Đạt chuẩn (≥ ${indicator.min}%)` : `✗ Chưa đạt chuẩn (cần ≥ ${indicator.min}%)`);
    }
    expect(bot.text(r)).toContain('Thuyết minh');
    r = await bot.say(user, 'Đã triển khai phần mềm một cửa điện tử');
    expect(bot.text(r)).toContain('Kiểm tra lại báo cáo chỉ tiêu');
    r = await bot.say(user, 'Xác nhận');
    expect(bot.text(r)).toContain(`Đã nhận báo cáo chỉ tiêu năm ${year}`);
    const report = await bot.app.store.reports.get(campaign.id, year, unit.id);
    expect(report?.values).toEqual(expected);
    expect(report?.late).toBe(false);
    expect(report?.submittedAt).toBe(bot.clock.now.toISOString());
  });

  it('nomination: an individual, an award, one uploaded part, the rest later, submitted with what is missing', async () => {
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
    expect(bot.text(r)).toContain(`Hồ sơ 1/${campaign.dossierParts.length}`);
    expect(r.at(-1)!.expectsFile).toBe(true);
    r = await bot.upload(user, PDF, 'to-trinh.pdf');
    expect(bot.text(r)).toContain('Đã nhận tệp "to-trinh.pdf"');
    for (let i = 1; i < campaign.dossierParts.length; i++) r = await bot.say(user, bot.button(r, 'Bổ sung sau'));
    expect(bot.text(r)).toContain('Kiểm tra lại hồ sơ đề nghị khen thưởng');
    const missing = campaign.dossierParts.slice(1).filter((p) => p.required);
    if (missing.length) expect(bot.text(r)).toContain(`Còn thiếu: ${missing.map((p) => p.label.vi).join('; ')}`);
    r = await bot.say(user, bot.button(r, 'Gửi hồ sơ'));
    expect(bot.text(r)).toMatch(/Đã gửi hồ sơ/);
    const identity = (await bot.app.store.identities.get('sim', user))!;
    const [n] = await bot.app.store.nominations.listByUnit(campaign.id, year, identity.unitId!);
    expect(n?.status).toBe('submitted');
    expect(n?.nominee).toEqual({ type: 'individual', name: 'Nguyễn Văn An', position: 'Trưởng xóm', unitName: 'Xóm Đồng Tâm' });
    expect(Object.keys(n!.parts)).toEqual([campaign.dossierParts[0]!.id]);
    expect(n!.parts[campaign.dossierParts[0]!.id]!.mime).toBe('application/pdf');
  });

  it('status: registration, report, the dossier with its missing parts, and the next deadline', async () => {
    const r = await bot.say(user, 'go|status');
    const text = bot.text(r);
    expect(text).toContain('Đăng ký thi đua: đã đăng ký');
    expect(text).toContain('Báo cáo chỉ tiêu: đã nộp');
    expect(text).toContain('Hồ sơ Nguyễn Văn An: đã gửi');
    expect(text).toMatch(/Hạn tiếp theo: .* \(còn \d+ ngày\)/);
  });
});
