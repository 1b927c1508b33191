import { Document, Packer, Paragraph } from 'docx';
import { describe, expect, it } from 'vitest';
import { citesWrongDecree } from '../../src/domain/index.js';
import { joinWithInvite } from '../helpers/bot.js';
import { PRESETS, presetOfficer } from '../helpers/presets.js';

const docx = (lines: string[]) => Packer.toBuffer(new Document({ sections: [{ children: lines.map((l) => new Paragraph(l)) }] }));

describe('citesWrongDecree', () => {
  it('flags a text citing only the other decree, whatever its spacing, case or "Đ"', () => {
    expect(citesWrongDecree('Căn cứ Nghị định số 98/2023/NĐ-CP ngày 31/12/2023', 'nd152_2025')).toBe(true);
    expect(citesWrongDecree('Nghị định 98 / 2023 / nđ-cp', 'nd152_2025')).toBe(true);
    expect(citesWrongDecree('Nghị định 98/2023/ND-CP', 'nd152_2025')).toBe(true);
    expect(citesWrongDecree('Nghị định 98/2023/NĐ-CP', 'nd98_2023')).toBe(false);
    // A report citing both (the old one as replaced) is not flagged.
    expect(citesWrongDecree('Nghị định 152/2025/NĐ-CP thay thế Nghị định 98/2023/NĐ-CP', 'nd152_2025')).toBe(false);
    expect(citesWrongDecree('Căn cứ Nghị định số 152/2025/NĐ-CP', 'nd98_2023')).toBe(true);
    expect(citesWrongDecree('Báo cáo không dẫn nghị định nào', 'nd152_2025')).toBe(false);
  });
});

describe('the dossier checker (dong-thap-2021-2025, a 2025 review under NĐ 152/2025)', () => {
  const preset = PRESETS.find((p) => p.id === 'dong-thap-2021-2025')!;
  const p = presetOfficer(preset);

  it('tells the officer before sending, and staff in /hoso: a report on the 98/2023 form, a draft sent unsigned, the quota used', async () => {
    const { bot, user, campaign } = p;
    let r = await bot.say(user, 'go|nominate');
    r = await bot.say(user, preset.year ? String(preset.year) : '');
    r = await bot.say(user, bot.button(r, 'Chính đơn vị'));
    r = await bot.say(user, '1');
    r = await bot.say(user, 'Hoàn thành 100% hồ sơ trực tuyến toàn trình');
    // Tờ trình: the bot's own draft, sent back without being finalised.
    r = await bot.say(user, bot.button(r, 'Tạo bản dự thảo'));
    const draft = r.find((x) => x.file)!;
    const fs = await import('node:fs');
    const path = await import('node:path');
    r = await bot.upload(user, fs.readFileSync(path.join(bot.dataDir, draft.file!.path)), 'to-trinh.docx');
    r = await bot.say(user, bot.button(r, 'Bổ sung sau'));
    // Báo cáo thành tích on the old decree's form.
    r = await bot.upload(user, await docx(['BÁO CÁO THÀNH TÍCH', 'Mẫu số 02 Phụ lục I ban hành kèm theo Nghị định số 98/2023/NĐ-CP']), 'bao-cao.docx');
    for (let i = 3; i < campaign.dossierParts.length; i++) r = await bot.say(user, bot.button(r, 'Bổ sung sau'));
    const confirm = bot.text(r);
    expect(confirm).toContain('Kiểm tra hồ sơ:');
    expect(confirm).toContain('Báo cáo thành tích và tóm tắt trích ngang thành tích: tệp dẫn Nghị định số 98/2023/NĐ-CP, nhưng đợt xét này áp dụng Nghị định số 152/2025/NĐ-CP');
    expect(confirm).toContain('Tờ trình đề nghị khen thưởng của cấp trình khen: tệp vẫn còn chữ "DỰ THẢO"');
    expect(confirm).toContain('Số lượng xét của đợt này: đã có 1/20 hồ sơ (tính cả hồ sơ này)');
    r = await bot.say(user, bot.button(r, 'Gửi hồ sơ'));
    const [n] = await bot.app.store.nominations.list(campaign.id, preset.year);

    const unit = (await bot.app.store.units.get(n!.unitId))!;
    const parent = (await bot.app.store.units.get(unit.parentId!))!;
    await joinWithInvite(bot, 'staff-checker', 'staff', parent.code);
    const seen = bot.text(await bot.say('staff-checker', `/hoso ${n!.id.slice(2)}`));
    expect(seen).toContain('Kiểm tra hồ sơ:');
    expect(seen).toContain('tệp dẫn Nghị định số 98/2023/NĐ-CP');
    expect(seen).toContain('tệp vẫn còn chữ "DỰ THẢO"');
    expect(seen).toContain('Số lượng xét của đợt này: đã có 1/20 hồ sơ');
  });
});
