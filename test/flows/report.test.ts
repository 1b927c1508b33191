import { afterEach, describe, expect, it } from 'vitest';
import { standardFor } from '../../src/domain/index.js';
import { joinWithInvite, startBot, type TestBot } from '../helpers/bot.js';
import { PRESETS, presetOfficer } from '../helpers/presets.js';
import { planSays } from '../../src/campaign/schema.js';

describe.each(PRESETS)('preset $id: an officer reports the indicators', (preset) => {
  const { id, year } = preset;
  const officer = presetOfficer(preset);
  const { user, campaign } = officer;

  it('indicators: each indicator of the unit level, judged as entered, stored with time', async () => {
    const bot = officer.bot;
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
      // The standard as a clerk writes it: "chuẩn: 100%", never "từ 100% trở lên".
      // A minimum the plan does not set is the standing office's guidance (test/flows/plan-silent.test.ts).
      const note = planSays(indicator.source) ? '' : '; theo hướng dẫn của cơ quan thường trực';
      expect(bot.text(r)).toContain(indicator.min >= 100 ? `(chuẩn: 100%${note})` : `(chuẩn: từ ${indicator.min}% trở lên${note})`);
      r = await bot.say(user, inputs[n]!);
      const met = expected[indicator.id]! >= indicator.min;
      expect(bot.text(r)).toContain(met ? `✓ Đạt chuẩn (≥ ${indicator.min}%)` : `✗ Chưa đạt chuẩn (cần ≥ ${indicator.min}%)`);
    }
    expect(bot.text(r)).toContain('Thuyết minh');
    r = await bot.say(user, 'Đã triển khai phần mềm một cửa điện tử');
    expect(bot.text(r)).toContain('Kiểm tra lại báo cáo chỉ tiêu');
    // Decimals with a comma, as typed; the result counts what was met.
    if (standard!.indicators.length >= 3) expect(bot.text(r)).toContain('85,5%');
    expect(bot.text(r)).not.toMatch(/\d\.\d%/);
    const met = standard!.indicators.filter((i) => expected[i.id]! >= i.min).length;
    expect(bot.text(r)).toContain(met === standard!.indicators.length ? 'đạt tất cả tiêu chuẩn' : `Kết quả: đạt ${met}/${standard!.indicators.length} tiêu chuẩn.`);
    r = await bot.say(user, 'Xác nhận');
    expect(bot.text(r)).toContain(`Đã nhận báo cáo chỉ tiêu năm ${year}`);
    const report = await bot.app.store.reports.get(campaign.id, year, unit.id);
    expect(report?.values).toEqual(expected);
    expect(report?.late).toBe(false);
    expect(report?.submittedAt).toBe(bot.clock.now.toISOString());
  });
});

describe('reports and the deadline', () => {
  let bot: TestBot;
  afterEach(() => bot?.close());

  it('a report after 10/12 (Vietnam time) is accepted and marked late; one just before midnight is not', async () => {
    bot = await startBot('tu-ky-2021-2025', { now: new Date('2025-12-10T16:59:59Z') }); // 23:59:59 on 10/12 in Vietnam
    await joinWithInvite(bot, 'o1', 'officer', 'HD-TK-HDA');
    const play = async (user: string) => {
      await bot.say(user, 'go|report');
      await bot.say(user, '2025');
      for (const v of ['70', '100', '100']) await bot.say(user, v);
      return bot.say(user, 'bỏ qua');
    };
    let r = await play('o1');
    expect(bot.text(r)).not.toContain('quá hạn');
    r = await bot.say('o1', 'xác nhận');
    expect(bot.text(r)).toContain('Đã nhận báo cáo chỉ tiêu năm 2025. Cảm ơn');

    bot.clock.now = new Date('2025-12-10T17:00:00Z'); // 00:00 on 11/12 in Vietnam
    await joinWithInvite(bot, 'o2', 'officer', 'HD-TK-QP');
    r = await play('o2');
    expect(bot.text(r)).toContain('đã quá hạn báo cáo (10/12/2025)');
    r = await bot.say('o2', 'xác nhận');
    expect(bot.text(r)).toContain('ghi nhận nộp muộn');
    const unit = (await bot.app.store.units.getByCode('HD-TK-QP'))!;
    expect((await bot.app.store.reports.get('tu-ky-2021-2025', 2025, unit.id))?.late).toBe(true);
  });
});
