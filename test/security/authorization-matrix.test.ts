import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { allFlows } from '../../flows/index.js';
import type { Actor } from '../../src/store/index.js';
import { joinWithInvite, PDF, startBot, type TestBot } from '../helpers/bot.js';

/**
 * Who may read or change what: officer of unit A, officer of unit B (same district),
 * staff of another district, a stranger — and staff of A's district as the positive control.
 * Hải Dương's demo tree has two districts: Tứ Kỳ (Hưng Đạo = A, Quang Phục = B) and Gia Lộc.
 */
const ADMIN: Actor = { id: 'test', role: 'admin', channel: 'cli' };
const REFUSED = /Bạn không có quyền|Không tìm thấy hồ sơ|không thuộc phạm vi|not allowed/i;

describe('authorization matrix: nobody reads or changes what is not theirs', () => {
  let bot: TestBot;
  let dossierA: string;
  const everyText = (r: { text: string }[]) => r.map((x) => x.text).join('\n');

  const join = (user: string, role: 'officer' | 'staff', unitCode: string) => joinWithInvite(bot, user, role, unitCode);

  beforeAll(async () => {
    bot = await startBot('hai-duong-2021-2025', { now: new Date('2025-11-20T03:00:00Z') });
    await join('officer-a', 'officer', 'HD-TK-HDA');
    await join('officer-b', 'officer', 'HD-TK-QP');
    await join('staff-other', 'staff', 'HD-GL');
    await join('staff-own', 'staff', 'HD-TK');
    // Offices (issue 14): the plan's chain for the Bằng khen sends it to Sở Nội vụ (Ban Thi đua - Khen thưởng);
    // Sở Y tế holds another office (yearly awards), Sở TT-TT is the standing office, in no chain of this award.
    await join('staff-ban-tdkt', 'staff', 'HD-SNV');
    await join('staff-so-y-te', 'staff', 'HD-SYT');
    await join('staff-so-tttt', 'staff', 'HD-STTTT');
    // Officer A registers, reports and submits a dossier naming a person.
    await bot.say('officer-a', '/dangky 2025');
    await bot.say('officer-a', '2025');
    await bot.say('officer-a', '1');
    await bot.say('officer-a', 'xong');
    await bot.say('officer-a', 'Cam kết bí mật của A');
    await bot.say('officer-a', 'xác nhận');
    await bot.say('officer-a', 'go|nominate');
    await bot.say('officer-a', '2025');
    await bot.say('officer-a', 'Một cá nhân');
    await bot.say('officer-a', 'Phạm Thị Riêng Tư');
    await bot.say('officer-a', 'Văn thư');
    await bot.say('officer-a', 'UBND xã Hưng Đạo');
    await bot.say('officer-a', '1');
    await bot.say('officer-a', 'Thành tích của A');
    await bot.upload('officer-a', PDF, 'a.pdf');
    for (let i = 0; i < 4; i++) await bot.say('officer-a', 'để sau');
    await bot.say('officer-a', 'Gửi hồ sơ');
    const [n] = await bot.app.store.nominations.list('hai-duong-2021-2025', 2025);
    expect(n?.status).toBe('submitted');
    dossierA = n!.id;
  });
  afterAll(() => bot.close());

  const staffOnly = allFlows.filter((f) => f.id !== 'onboarding' && !['register', 'report', 'nominate', 'status', 'help', 'lang', 'draft'].includes(f.id));

  it('officer B cannot open, review, accept or return A’s dossier, nor see A’s data', async () => {
    for (const f of staffOnly) {
      for (const input of [`go|${f.id}`, `go|${f.id}|${dossierA}`, ...(f.command ? [`${f.command} ${dossierA}`] : [])]) {
        const r = await bot.say('officer-b', input);
        expect(everyText(r), `${input}`).toMatch(REFUSED);
        expect(everyText(r)).not.toContain('Phạm Thị Riêng Tư');
      }
    }
    // A crafted button naming A's dossier in B's own nomination flow is not accepted.
    await bot.say('officer-b', 'go|nominate');
    const r = await bot.say('officer-b', `s|pick|${dossierA}`);
    expect(everyText(r)).not.toContain('Phạm Thị Riêng Tư');
    await bot.say('officer-b', 'hủy');
    // Drafts (officers may make them, for their own unit's dossiers only).
    for (const input of [`go|draft|${dossierA}`, `go|draft|${dossierA}.report`, `/duthao ${dossierA.slice(2)}.proposal`]) {
      const r = await bot.say('officer-b', input);
      expect(everyText(r), input).toMatch(REFUSED);
      expect(r.some((x) => x.file)).toBe(false);
    }
    const status = everyText(await bot.say('officer-b', '/tinhtrang'));
    expect(status).toContain('UBND xã Quang Phục');
    expect(status).not.toContain('Phạm Thị Riêng Tư');
    expect(status).toContain('Đăng ký thi đua: chưa đăng ký');
    expect((await bot.app.store.nominations.get(dossierA))?.status).toBe('submitted');
  });

  it('staff of another district see nothing of A and cannot decide on A’s dossier', async () => {
    for (const input of [`/hoso ${dossierA}`, `go|review|${dossierA}`, `go|review_accept|${dossierA}`, `go|review_return|${dossierA}`, `go|draft|${dossierA}.report`]) {
      const r = await bot.say('staff-other', input);
      expect(everyText(r), input).not.toContain('Phạm Thị Riêng Tư');
      expect(r.some((x) => x.file), input).toBe(false);
      if (r.some((x) => x.choices?.some((c) => /Chấp nhận|Xác nhận/.test(c.label)))) {
        const after = await bot.say('staff-other', '1');
        expect(everyText(after)).toMatch(REFUSED);
      }
      await bot.say('staff-other', 'hủy');
    }
    expect((await bot.app.store.nominations.get(dossierA))?.status).toBe('submitted');
    expect(everyText(await bot.say('staff-other', '/thongke'))).not.toContain('Hưng Đạo');
    expect(everyText(await bot.say('staff-other', '/thieu'))).not.toContain('Hưng Đạo');
    const exported = (await bot.say('staff-other', '/xuat')).find((x) => x.file)!;
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(path.join(bot.dataDir, exported.file!.path));
    const cells = wb.worksheets.flatMap((ws) => ws.getSheetValues().flat()).map(String).join('|');
    expect(cells).not.toContain('Hưng Đạo');
    expect(cells).not.toContain('Cam kết bí mật của A');
  });

  it('staff of A’s own district do see it (the positive control)', async () => {
    expect(everyText(await bot.say('staff-own', '/thieu'))).toContain('Hưng Đạo');
    const r = await bot.say('staff-own', `/hoso ${dossierA}`);
    expect(everyText(r)).toContain('Phạm Thị Riêng Tư');
  });

  it('staff outside the dossier’s review chain cannot accept or return it: the district above it, another office, the standing office', async () => {
    const n = (await bot.app.store.nominations.get(dossierA))!;
    expect(n.awardId).toBe('bang-khen-ubnd-tinh');
    for (const user of ['staff-own', 'staff-so-y-te', 'staff-so-tttt']) {
      for (const flow of ['review_accept', 'review_return']) {
        const r = await bot.say(user, `go|${flow}|${dossierA}`);
        expect(everyText(r), `${user} ${flow}`).toMatch(/chỉ cán bộ của Sở Nội vụ quyết định ở bước này|không thuộc các đơn vị/);
        expect(r.some((x) => x.choices?.some((c) => /Chấp nhận|Trả lại/.test(c.label))), `${user} ${flow}`).toBe(false);
        await bot.say(user, 'trả lại');
        await bot.say(user, 'hủy');
      }
      // Their view of the dossier has no decision buttons either.
      const shown = await bot.say(user, `/hoso ${dossierA}`);
      expect(shown.some((x) => x.choices?.some((c) => c.payload.includes('review_accept'))), user).toBe(false);
    }
    expect(await bot.app.store.nominations.get(dossierA)).toEqual(n);
    // The receiving office does get the buttons (the positive control); the step stays until it decides.
    const own = await bot.say('staff-ban-tdkt', `/hoso ${dossierA}`);
    expect(everyText(own)).toContain('Phạm Thị Riêng Tư');
    expect(own.some((x) => x.choices?.some((c) => c.payload === `go|review_accept|${dossierA}`))).toBe(true);
  });

  it('a stranger gets onboarding for every flow and deep link, and no data', async () => {
    for (const f of allFlows) {
      for (const input of [`go|${f.id}|${dossierA}`, ...(f.command ? [`${f.command} ${dossierA}`] : [])]) {
        const r = everyText(await bot.say(`stranger-${f.id}`, input));
        expect(r, input).toContain('Bạn tham gia phong trào với tư cách nào?');
        expect(r).not.toContain('Phạm Thị Riêng Tư');
      }
    }
    const identity = await bot.app.store.identities.get('sim', 'stranger-review');
    expect(identity?.role ?? null).toBeNull();
  });
});
