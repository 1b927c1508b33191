import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mammoth from 'mammoth';
import { describe, expect, it } from 'vitest';
import type { Reply } from '../../../src/engine/types.js';
import { judgeReport, regimeFor } from '../../../src/domain/index.js';
import { PRESETS, playNomination, playRegistration, playReport, presetOfficer } from '../../helpers/presets.js';

/** The text of a DOCX the bot sent, read back with mammoth. */
async function docxText(dataDir: string, r: Reply): Promise<string> {
  expect(r.file?.name).toMatch(/\.docx$/);
  return (await mammoth.extractRawText({ path: path.join(dataDir, r.file!.path) })).value;
}

const SOFFICE = spawnSync('which', ['soffice']).status === 0;
if (!SOFFICE) console.warn('\n⚠ soffice (LibreOffice) is not installed: the DOCX → PDF conversion checks are SKIPPED. Install libreoffice-writer-nogui.\n');

/** Converts with LibreOffice headless; throws when it fails or writes no PDF. */
function toPdf(file: string): string {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'draft-pdf-'));
  const profile = `file://${fs.mkdtempSync(path.join(os.tmpdir(), 'lo-profile-'))}`;
  execFileSync('soffice', [`-env:UserInstallation=${profile}`, '--headless', '--convert-to', 'pdf', '--outdir', out, file], { stdio: 'pipe', timeout: 400_000 });
  const pdf = path.join(out, `${path.basename(file, '.docx')}.pdf`);
  expect(fs.statSync(pdf).size).toBeGreaterThan(1000);
  return pdf;
}

for (const preset of PRESETS) {
  describe(`drafts — ${preset.id}`, () => {
    const p = presetOfficer(preset, async (bot, user, campaign, year) => {
      await playRegistration(bot, user, campaign, year);
      await playReport(bot, user, campaign, year);
      await playNomination(bot, user, campaign, year);
    });

    it('the Tờ trình and the Báo cáo thành tích hold the unit, the award, the review, the indicators and the legal basis the review date calls for', async () => {
      const { bot, user, campaign } = p;
      const identity = (await bot.app.store.identities.get('sim', user))!;
      const unit = (await bot.app.store.units.get(identity.unitId!))!;
      const [n] = await bot.app.store.nominations.listByUnit(campaign.id, preset.year, unit.id);
      const award = campaign.awards.find((a) => a.id === n!.awardId)!;
      const review = award.reviews.find((r) => r.id === n!.reviewId)!;
      const number = n!.id.slice(2);
      const decree = regimeFor(campaign, n!, bot.clock.now) === 'nd152_2025' ? '152/2025/NĐ-CP' : '98/2023/NĐ-CP';
      const stale = decree.startsWith('152') ? '98/2023/NĐ-CP' : '152/2025/NĐ-CP';
      // Reviews of 2025 (dossiers due in December 2025) follow NĐ 152; Bình Thành's 2024 review, NĐ 98.
      expect(decree).toBe(preset.year >= 2025 ? '152/2025/NĐ-CP' : '98/2023/NĐ-CP');

      const proposal = (await bot.say(user, `/duthao ${number}.proposal`)).find((r) => r.file)!;
      const report = (await bot.say(user, `/duthao ${number}.report`)).find((r) => r.file)!;
      for (const r of [proposal, report]) {
        const text = await docxText(bot.dataDir, r);
        expect(text).toContain('DỰ THẢO');
        expect(text).toContain('CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM');
        expect(text).toContain('Độc lập - Tự do - Hạnh phúc');
        expect(text).toMatch(/, ngày …… tháng …… năm \d{4}/);
        expect(text.toUpperCase()).toContain(unit.name.toUpperCase());
        expect(text).toContain(award.label.vi);
        expect(text).toContain(review.label.vi);
        expect(text).toContain('Nguyễn Văn An');
        expect(text).toContain(decree);
        expect(text).not.toContain(stale);
        expect(text).toContain('Luật Thi đua, khen thưởng số 06/2022/QH15');
        // No claimed signature or seal: only the instruction to sign.
        expect(text).toContain('(Ký, ghi rõ họ tên');
      }
      const proposalText = await docxText(bot.dataDir, proposal);
      expect(proposalText).toContain('TỜ TRÌNH');
      expect(proposalText).toContain('Vận động 100% hộ dân cài ứng dụng VNeID');
      const reportText = await docxText(bot.dataDir, report);
      expect(reportText).toContain('BÁO CÁO THÀNH TÍCH');
      // Every indicator of the unit's level with the 85% submitted, its own standard and its verdict.
      const verdict = judgeReport(campaign, unit.level, (await bot.app.store.reports.get(campaign.id, preset.year, unit.id))!.values);
      expect(verdict.indicators.length).toBeGreaterThan(0);
      for (const i of verdict.indicators) {
        expect(reportText).toContain(i.label.vi);
        expect(reportText).toContain(i.min >= 100 ? '100%' : `từ ${i.min}% trở lên`);
      }
      expect(reportText.match(/85%/g)?.length).toBe(verdict.indicators.length);
      expect(reportText).toContain('Số hóa toàn bộ hồ sơ công việc');
      if (campaign.issuer.document) expect(proposalText).toContain(campaign.issuer.document);

      if (SOFFICE) for (const r of [proposal, report]) toPdf(path.join(bot.dataDir, r.file!.path));
    }, 900_000);
  });
}

describe('drafts in the conversation (binh-thanh-2024)', () => {
  const preset = PRESETS[0]!;
  const p = presetOfficer(preset, async (bot, user, campaign, year) => {
    await playReport(bot, user, campaign, year);
    await playNomination(bot, user, campaign, year);
  });

  it('at a part the bot can draft, "Tạo bản dự thảo" sends the DOCX and the step still waits for the signed file', async () => {
    const { bot, user } = p;
    let r = await bot.say(user, 'go|nominate');
    r = await bot.say(user, bot.button(r, 'Lập hồ sơ đề nghị mới'));
    r = await bot.say(user, bot.button(r, 'Chính đơn vị'));
    r = await bot.say(user, '1');
    r = await bot.say(user, 'Dẫn đầu huyện về hồ sơ trực tuyến');
    expect(bot.text(r)).toContain('Tờ trình');
    r = await bot.say(user, bot.button(r, 'Tạo bản dự thảo'));
    const file = r.find((x) => x.file)!;
    expect(file.file!.name).toBe('du-thao-to-trinh-ho-so-moi.docx');
    expect(await docxText(bot.dataDir, file)).toContain('Dẫn đầu huyện về hồ sơ trực tuyến');
    // Asked again for the same part; typing the button's words works too.
    expect(bot.text(r.slice(-1))).toContain('Tờ trình');
    r = await bot.say(user, 'tạo bản dự thảo');
    expect(r.some((x) => x.file)).toBe(true);
    r = await bot.say(user, bot.button(r, 'Bổ sung sau'));
    // The next part a xóm is asked (it has no council, so no Biên bản): the bot drafts it too.
    expect(bot.text(r)).toContain('Hồ sơ 2/4: Báo cáo thành tích');
    expect(bot.text(r)).not.toContain('Biên bản');
    r = await bot.say(user, bot.button(r, 'Tạo bản dự thảo'));
    expect(r.find((x) => x.file)?.file?.name).toBe('du-thao-bao-cao-thanh-tich-ho-so-moi.docx');
    expect(bot.text(r.slice(-1))).toContain('Báo cáo thành tích');
    await bot.say(user, 'hủy');
  });

  it('/tinhtrang offers the drafts of a dossier; staff get the minutes filled with the council figures', async () => {
    const { bot, user } = p;
    const r = await bot.say(user, '/tinhtrang');
    const open = r.find((x) => x.choices?.some((c) => c.label.startsWith('Dự thảo hồ sơ số')));
    expect(open).toBeDefined();
    let m = await bot.say(user, open!.choices!.find((c) => c.label.startsWith('Dự thảo hồ sơ số'))!.payload);
    expect(bot.text(m)).toMatch(/Bạn cần bản dự thảo nào cho Hồ sơ số \d+ — /);
    m = await bot.say(user, bot.button(m, 'Biên bản'));
    m = await bot.say(user, 'mười');
    expect(bot.text(m)).toContain('số nguyên');
    m = await bot.say(user, '9');
    m = await bot.say(user, '8');
    m = await bot.say(user, '3');
    expect(bot.text(m)).toContain('từ 0 đến 1');
    m = await bot.say(user, '1');
    m = await bot.say(user, '8');
    const text = await docxText(bot.dataDir, m.find((x) => x.file)!);
    expect(text).toContain('Tổng số thành viên Hội đồng: 9; có mặt: 8; vắng mặt: 1, trong đó có ý kiến bằng văn bản: 1');
    expect(text).toContain('88,9%');
    expect(text).toContain('Nghị định số 98/2023/NĐ-CP (Điều 30 khoản 7)');
  });
});
