import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { authorityOf } from '../../src/cli/campaign/build.js';
import { loadCampaign } from '../../src/campaign/load.js';
import { campaignDeadlines, formatCivilDate } from '../../src/domain/index.js';
import { cli, PROCESS_TEST_TIMEOUT, start } from '../helpers/process.js';
import { PRESETS } from '../helpers/presets.js';
import { ANSWERS } from '../fixtures/new-campaign.js';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'campaign-cli-'));
/** The English of the schema and of checkCampaign: none of it may reach a Vietnamese reader. */
const ENGLISH = /expected|must|needs either|is not|outside|duplicate|unknown field|Too (big|small)|Invalid/;


describe('campaign:check', { timeout: PROCESS_TEST_TIMEOUT }, () => {
  it.each(PRESETS)('$id: valid, with every deadline of each year in date order, its reminders and the quotas', ({ id }) => {
    const r = cli(['campaign:check', id]);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    const c = loadCampaign(id);
    const out = r.stdout;
    for (const year of new Set(campaignDeadlines(c).map((d) => d.year))) {
      const block = out.slice(out.indexOf(`Năm ${year}:`)).split(/\nNăm \d{4}:|\n\n/)[0]!;
      const dates = campaignDeadlines(c).filter((d) => d.year === year).map((d) => formatCivilDate(d.dueDay, 'vi'));
      const at = dates.map((d) => block.indexOf(`• ${d}:`));
      expect(at.every((i) => i >= 0), `${id} ${year}`).toBe(true);
      expect([...at].sort((a, b) => a - b), `${id} ${year}: date order`).toEqual(at);
      expect(block).toContain('nhắc đơn vị chưa làm:');
    }
    for (const a of c.awards) for (const r2 of a.reviews) if (r2.quota.collective !== null) expect(out).toContain(`tập thể: ${r2.quota.collective}`);
    expect(out).toContain(`Cơ quan thường trực: ${c.standingOffice.name.vi}`);
    expect(out).not.toMatch(ENGLISH);
  });

  it('a broken file: every problem with its field path, in plain Vietnamese (English with --lang en), exit 1', () => {
    const c = JSON.parse(fs.readFileSync(path.join('campaigns', 'binh-thanh-2024.json'), 'utf8'));
    delete c.name;
    c.awards[1].reviews[0].quota.collective = -1;
    c.awards[0].reviews[0].quota.individual = 'ba';
    c.deadlines.reminderTime = '8h';
    c.standingOffice.levl = 'x';
    c.dossierParts[0].appliesTo = { levels: ['ward'], awards: ['khong-co'], source: { inferredFrom: 'this-plan', note: 'x' } };
    c.awards[0].reviews[0].source = {};
    // An office without its level and source is named field by field (a chain naming no declared office is refused by the schema: test/domain/chain.test.ts).
    c.offices = [...c.offices, { id: 'vp', name: { vi: 'Văn phòng HĐND và UBND xã', en: 'Commune office' } }];
    const file = path.join(tmp(), 'bad.json');
    fs.writeFileSync(file, JSON.stringify(c, null, 2));
    const r = cli(['campaign:check', file]);
    expect(r.status).toBe(1);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toEqual(
      expect.arrayContaining([
        'name: còn thiếu, cần điền',
        'awards[1].reviews[0].quota.collective: phải từ 0 trở lên',
        'awards[0].reviews[0].quota.individual: phải là một số',
        'deadlines.reminderTime: giờ dạng 08:00',
        'standingOffice.levl: trường này không có trong mẫu kế hoạch (có thể gõ sai tên)',
        'dossierParts[0].appliesTo.levels[0]: cấp "ward" không có trong các cấp của kế hoạch (hierarchy)',
        'dossierParts[0].appliesTo.awards[0]: không có hình thức khen thưởng mã "khong-co"',
        expect.stringMatching(/^awards\[0\]\.reviews\[0\]\.source: cần ghi nguồn/),
        `offices[${c.offices.length - 1}].level: còn thiếu, cần điền`,
      ]),
    );
    expect(lines.at(-1)).toBe(`Tệp ${file} chưa dùng được: ${lines.length - 1} lỗi. Sửa từng dòng trên rồi kiểm tra lại.`);
    expect(r.stdout).not.toMatch(ENGLISH);
    const en = cli(['campaign:check', file, '--lang', 'en']);
    expect(en.status).toBe(1);
    expect(en.stdout).toContain('awards[1].reviews[0].quota.collective: must be at least 0');
    expect(en.stdout).toContain('name: missing, needs a value');
  });

  it('a file that is not JSON: where it breaks; a valid file with the contract fields prints them', () => {
    const dir = tmp();
    fs.writeFileSync(path.join(dir, 'syntax.json'), '{"id": "x",\n "name": }');
    const r = cli(['campaign:check', path.join(dir, 'syntax.json')]);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('(root): Tệp không đúng định dạng JSON (dòng 2, cột 10)');

    const c = JSON.parse(fs.readFileSync(path.join('campaigns', 'binh-thanh-2024.json'), 'utf8'));
    const src = { inferredFrom: 'binh-thanh-2024', note: 'test' };
    c.hierarchy = {
      levels: [
        { id: 'commune', label: { vi: 'Xã', en: 'Commune' } },
        { id: 'commune_agency', label: { vi: 'Cơ quan xã', en: 'Commune agency' } },
        { id: 'hamlet', label: { vi: 'Xóm', en: 'Hamlet' } },
        { id: 'tech_team', label: { vi: 'Tổ công nghệ số', en: 'Tech team' } },
        // The office of the award of the level above (Bình Thành's Phòng Nội vụ huyện).
        { id: 'district_agency', label: { vi: 'Phòng cấp trên', en: 'Office above' } },
      ],
      parents: { commune_agency: ['commune'], hamlet: ['commune'], tech_team: ['commune', 'hamlet'] },
      source: src,
    };
    c.offices = [
      ...c.offices,
      { id: 'vp', name: { vi: 'Văn phòng HĐND và UBND xã', en: 'Commune office' }, level: 'commune_agency', source: src },
      { id: 'hd', name: { vi: 'Hội đồng Thi đua - Khen thưởng xã', en: 'Commune council' }, level: 'commune_agency', source: src },
    ];
    c.awards[0].reviews[0].chain = [
      { step: 'receive', office: 'vp', source: src },
      { step: 'appraise', office: null, source: { inferredFrom: 'binh-thanh-2024', note: 'the plan names no appraisal for this award' } },
      { step: 'propose', office: 'hd', authority: { vi: 'Chủ tịch UBND xã', en: 'Commune chairman' }, source: src },
    ];
    fs.writeFileSync(path.join(dir, 'contract.json'), JSON.stringify(c));
    const ok = cli(['campaign:check', path.join(dir, 'contract.json')]);
    expect(ok.status, ok.stdout).toBe(0);
    expect(ok.stdout).toContain('Cơ cấu đơn vị: Xã; Cơ quan xã (thuộc Xã); Xóm (thuộc Xã)');
    expect(ok.stdout).toContain('Tiếp nhận: Văn phòng HĐND và UBND xã');
    expect(ok.stdout).toContain('Trình khen: Hội đồng Thi đua - Khen thưởng xã → Chủ tịch UBND xã');
  });
});

describe('campaign:new --answers', { timeout: PROCESS_TEST_TIMEOUT }, () => {
  it('writes a valid campaign from the answers and the suggestions; every value is the operator’s, a pasted quote kept', () => {
    const dir = tmp();
    fs.writeFileSync(path.join(dir, 'answers.json'), JSON.stringify(ANSWERS));
    const out = path.join(dir, 'an-binh.json');
    const r = cli(['campaign:new', '--answers', path.join(dir, 'answers.json'), '--out', out]);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain(`Đã ghi kế hoạch vào ${out}.`);
    expect(r.stdout).toContain(`Tệp ${out} hợp lệ.`);
    const c = loadCampaign(out);
    expect(c.unitLevels).toEqual(['commune', 'commune_agency', 'hamlet', 'tech_team']); // two-level: no district
    // The plan's offices make each review's chain: the standing office receives, the appraisal office appraises and proposes.
    expect(c.offices?.map((o) => o.id)).toEqual(['thuong-truc', 'tham-dinh']);
    expect(authorityOf('Giấy khen của Chủ tịch UBND xã')).toBe('Chủ tịch UBND xã');
    for (const a of c.awards)
      for (const r2 of a.reviews) {
        expect(r2.chain?.map((s) => [s.step, s.office])).toEqual([['receive', 'thuong-truc'], ['appraise', 'tham-dinh'], ['propose', 'tham-dinh']]);
        expect(r2.chain?.[2]?.authority?.vi).toBe(authorityOf(a.label.vi));
      }
    expect(c.deadlines.dossier.due).toEqual({ month: 12, day: 5 });
    expect(c.deadlines.report.due).toEqual({ month: 12, day: 10 });
    expect(c.deadlines.dossier.source).toMatchObject({ inferredFrom: 'campaign:new', quote: 'chậm nhất ngày 05/12/2026' });
    expect(c.deadlines.report.source).toEqual({ inferredFrom: 'campaign:new', note: 'Nhập khi tạo kế hoạch bằng campaign:new' });
    expect(c.awards[0]!.reviews.map((x) => [x.kind, x.year, x.quota])).toEqual([
      ['final', 2026, { collective: 2, individual: 3 }],
      ['ad_hoc', null, { collective: null, individual: null }],
    ]);
    expect(c.standards).toEqual([expect.objectContaining({ level: 'hamlet', indicators: [expect.objectContaining({ min: 60 })] })]);
    expect(c.dossierParts.map((p) => [p.label.vi, p.appliesTo?.levels, p.appliesTo?.reviewKinds])).toEqual([
      ['Tờ trình đề nghị khen thưởng', undefined, undefined],
      ['Báo cáo thành tích của tập thể, cá nhân', undefined, ['final']],
      ['Biên bản họp xét của Hội đồng Thi đua - Khen thưởng', ['commune_agency'], undefined],
    ]);
  });

  it('bad answers: each named with its question and why, nothing written, exit 1', () => {
    const dir = tmp();
    fs.writeFileSync(path.join(dir, 'answers.json'), JSON.stringify({ ...ANSWERS, from: 'năm nay', 'quota.1.final': 'hai', dossierDue: '31/02' }));
    const out = path.join(dir, 'x.json');
    const r = cli(['campaign:new', '--answers', path.join(dir, 'answers.json'), '--out', out]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('Câu trả lời "from" (Năm bắt đầu của phong trào?): Cần một năm bốn chữ số, ví dụ 2026.');
    expect(r.stderr).toContain('Câu trả lời "quota.1.final"');
    expect(r.stderr).toContain('Câu trả lời "dossierDue" (Hạn nộp hồ sơ khen thưởng (ngày/tháng)?): Cần ngày/tháng có thật, ví dụ 05/12.');
    expect(r.stderr).toContain('Tệp câu trả lời có 3 lỗi; chưa ghi kế hoạch.');
    expect(fs.existsSync(out)).toBe(false);
  });
});

describe('campaign:new at a terminal (the compiled CLI driven over stdin)', { timeout: PROCESS_TEST_TIMEOUT }, () => {
  it('asks in Vietnamese, asks again after a bad answer with the reason, keeps the earlier answers, writes and checks the file', async () => {
    const out = path.join(tmp(), 'xa-thu.json');
    const p = start('src/cli/index.ts', ['campaign:new', '--out', out], { input: '' });
    const plainOut = () => p.output().stdout.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '');
    const accepted = () => (plainOut().match(/✔/g) ?? []).length;
    const until = async (ok: () => boolean) => {
      for (let i = 0; i < 2000 && !ok(); i++) await new Promise((r) => setTimeout(r, 25));
      if (!ok()) throw new Error(`the wizard stopped at:\n${plainOut().slice(-800)}`);
    };
    /** Answers the question on screen (its text must contain `question`); a refused answer is asked again. */
    const say = async (question: string, answer: string, refusedWith?: string) => {
      const before = accepted();
      await until(() => plainOut().lastIndexOf(question) > plainOut().lastIndexOf('✔'));
      p.child.stdin!.write(`${answer}\n`);
      if (refusedWith) await until(() => plainOut().includes(refusedWith));
      else await until(() => accepted() > before);
    };
    await say('dán câu trích', '');
    await say('Tên phong trào', '', 'Câu này cần có câu trả lời.');
    await say('Tên phong trào', 'Phong trào thi đua chuyển đổi số xã Thử năm 2026');
    await say('Cơ quan ban hành kế hoạch', 'Ủy ban nhân dân xã Thử');
    await say('thuộc cấp nào', 'đặc khu');
    await say('Số hiệu văn bản', '');
    await say('Ngày ban hành', '31/02/2026', 'Cần ngày/tháng/năm có thật');
    await say('Ngày ban hành', '');
    await say('Năm bắt đầu', '2026');
    // Every other question takes its suggestion.
    while (!plainOut().includes('Đã ghi kế hoạch vào')) {
      const before = accepted();
      await until(() => plainOut().lastIndexOf('? ') > plainOut().lastIndexOf('✔') || plainOut().includes('Đã ghi kế hoạch vào'));
      if (plainOut().includes('Đã ghi kế hoạch vào')) break;
      p.child.stdin!.write('\n');
      await until(() => accepted() > before || plainOut().includes('Đã ghi kế hoạch vào'));
    }
    expect(await p.exited).toBe(0);
    expect(plainOut()).toContain('hợp lệ. Cán bộ và người dùng sẽ thấy như sau:');
    const c = loadCampaign(out);
    expect(c.name.vi).toBe('Phong trào thi đua chuyển đổi số xã Thử năm 2026');
    expect(c.issuer).toMatchObject({ level: 'commune', name: { vi: 'Ủy ban nhân dân xã Thử' } });
    expect(c.id).toBe('xa-thu-2026');
    expect(c.deadlines.dossier.due).toEqual({ month: 12, day: 5 });
  });
});
