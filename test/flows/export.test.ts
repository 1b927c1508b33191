import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { exportSheets, writeCsv } from '../../src/services/export.js';
import { PDF, startBot, type TestBot } from '../helpers/bot.js';
import { cli, PROCESS_TEST_TIMEOUT } from '../helpers/process.js';

/** Header row of each sheet: four title lines and a blank line above it. */
const HEAD = 6;

describe('exports for the council', () => {
  let bot: TestBot;
  beforeAll(async () => {
    bot = await startBot('binh-thanh-2024');
    // The demo hamlet officer registers, reports and submits an incomplete dossier.
    const u = 'can-bo-don-vi';
    await bot.say(u, 'go|register');
    await bot.say(u, '1,2');
    await bot.say(u, 'bỏ qua');
    await bot.say(u, 'xác nhận');
    await bot.say(u, 'go|report');
    await bot.say(u, '95');
    await bot.say(u, 'bỏ qua');
    await bot.say(u, 'xác nhận');
    await bot.say(u, 'go|nominate');
    await bot.say(u, '1');
    await bot.say(u, '1');
    await bot.say(u, 'Tiêu biểu');
    await bot.upload(u, PDF, 'tt.pdf');
    for (let i = 0; i < 3; i++) await bot.say(u, 'để sau'); // a xóm's four parts (no council minutes)
    await bot.say(u, 'Gửi hồ sơ');
  });
  afterAll(() => bot.close());

  it("/xuat gives the commune office's staff a workbook of their units with Vietnamese headers and frozen header rows", async () => {
    const r = await bot.say('can-bo-theo-doi', '/xuat');
    const reply = r.find((x) => x.file)!;
    expect(reply.text).toContain('Báo cáo năm 2024 của UBND xã Bình Thành');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(path.join(bot.dataDir, reply.file!.path));
    expect(wb.worksheets.map((w) => w.name)).toEqual(['Đăng ký', 'Báo cáo chỉ tiêu', 'Hồ sơ khen thưởng', 'Chưa thực hiện']);
    // A title block (campaign, office, year, time of export), a blank line, then the frozen header row.
    for (const ws of wb.worksheets) {
      expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: HEAD });
      expect(ws.getRow(1).getCell(1).value).toBe(bot.app.campaign.name.vi);
      expect(ws.getRow(2).getCell(1).value).toBe('Phạm vi: UBND xã Bình Thành');
      expect(ws.getRow(3).getCell(1).value).toBe('Năm: 2024');
      expect(ws.getRow(4).getCell(1).value).toBe('Xuất lúc: 10:00 20/11/2024');
    }
    const reg = wb.getWorksheet('Đăng ký')!;
    expect(reg.getRow(HEAD).values).toContain('Đơn vị / cá nhân');
    expect(reg.getRow(HEAD + 1).getCell(1).value).toBe('Xóm Đồng Tâm');
    // A real date, showing the Vietnam wall-clock time of the registration.
    const registered = reg.getRow(HEAD + 1).getCell(5);
    expect(registered.value).toEqual(new Date('2024-11-20T10:00:00Z'));
    expect(registered.numFmt).toBe('dd/mm/yyyy hh:mm');
    const rep = wb.getWorksheet('Báo cáo chỉ tiêu')!;
    const header = (rep.getRow(HEAD).values as unknown[]).slice(1);
    const row = (rep.getRow(HEAD + 1).values as unknown[]).slice(1);
    expect(row[0]).toBe('Xóm Đồng Tâm');
    expect(row[header.indexOf('Cấp')]).toBe('Xóm, ấp, thôn'); // the level's name, never its id
    expect(row[header.indexOf('Đạt tất cả tiêu chuẩn')]).toBe('Không'); // 95 % < the hamlet's 100 % standard
    expect(row[header.indexOf(`Chuẩn: ${bot.app.campaign.standards.find((x) => x.level === 'hamlet')!.indicators[0]!.label.vi}`)]).toBe('≥ 100%');
    // Wrapped columns, as wide as their content.
    expect(rep.getColumn(1).alignment).toMatchObject({ wrapText: true });
    expect(rep.getColumn(1).width).toBeGreaterThanOrEqual('Xóm Đồng Tâm'.length);
    const nom = wb.getWorksheet('Hồ sơ khen thưởng')!;
    const nh = (nom.getRow(HEAD).values as unknown[]).slice(1);
    const nrow = (nom.getRow(HEAD + 1).values as unknown[]).slice(1);
    const at = (h: string) => nrow[nh.indexOf(h)];
    expect(String(at('Số hồ sơ'))).toMatch(/^Hồ sơ số \d+$/);
    expect(at('Trạng thái')).toBe('đã gửi');
    expect(at('Hồ sơ đủ')).toBe('Không');
    // Where the review chain has it: waiting at the commune's Văn phòng – Thống kê, which receives it.
    expect(at('Bước xét duyệt')).toBe('tiếp nhận — Công chức Văn phòng – Thống kê xã Bình Thành');
    expect(at('Tóm tắt thành tích')).toBe('Tiêu biểu');
    expect(String(at('Thành phần đã có'))).toContain('Tờ trình');
    expect(String(at('Thành phần còn thiếu'))).toContain('Báo cáo thành tích');
    expect(String(at('Thành phần còn thiếu'))).not.toContain('Biên bản'); // a xóm is not asked for council minutes
    expect(at('Chỉ tiêu (đã dùng/tối đa)')).toBe('1/2');
    expect(at('Ngày nộp')).toBeInstanceOf(Date);
    expect(at('Nộp muộn')).toBe('Không');
    for (const ws of wb.worksheets) ws.eachRow((r) => expect(JSON.stringify(r.values)).not.toMatch(/\b[nu]_\d+\b/));
    const idle = wb.getWorksheet('Chưa thực hiện')!;
    expect(idle.rowCount).toBe(HEAD + (await bot.app.store.units.all()).filter((x) => ['commune', 'commune_agency', 'hamlet', 'tech_team'].includes(x.level)).length - 1);
  });

  it('officers and strangers cannot export', async () => {
    expect(bot.text(await bot.say('can-bo-don-vi', '/xuat'))).toContain('Bạn không có quyền');
    expect(bot.text(await bot.say('stranger-x', '/xuat'))).toContain('Bạn tham gia phong trào với tư cách nào?');
  });

  it('CSV has a BOM, quoted cells and no formula injection', async () => {
    const sheets = await exportSheets(bot.app.store, bot.app.campaign, null, 2024, 'vi', new Date());
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'csv-')), 'x.csv');
    await writeCsv({ name: 't', headers: ['a', 'b'], rows: [['=HYPERLINK("x")', 'dòng, có "phẩy"']] }, file);
    expect(fs.readFileSync(file, 'utf8')).toBe('\ufeffa,b\r\n"\'=HYPERLINK(""x"")","dòng, có ""phẩy"""\r\n');
    expect(sheets).toHaveLength(4);
  });

  it('the CLI writes the workbook and the CSV files for an office', { timeout: PROCESS_TEST_TIMEOUT }, () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'export-'));
    const run = (...args: string[]) =>
      cli(['export', '--year', '2024', ...args], { env: { ...process.env, REDIS_URL: inject('redisUrl'), STORE_PREFIX: bot.prefix, CAMPAIGN: 'binh-thanh-2024', DATA_DIR: dir } });
    const x = run('--office', 'TN-DH', '--out', path.join(dir, 'dh.xlsx'));
    expect(x.status, x.stderr).toBe(0);
    expect(fs.statSync(path.join(dir, 'dh.xlsx')).size).toBeGreaterThan(1000);
    const c = run('--csv', '--out', path.join(dir, 'csv'));
    expect(c.status, c.stderr).toBe(0);
    expect(fs.readFileSync(path.join(dir, 'csv', 'reports.csv'), 'utf8')).toContain('Xóm Đồng Tâm');
    const nominations = fs.readFileSync(path.join(dir, 'csv', 'nominations.csv'), 'utf8').split('\r\n');
    expect(nominations[0]).toMatch(/^\ufeffSố hồ sơ,/);
    expect(nominations[1]).toMatch(/^Hồ sơ số 1,Xóm Đồng Tâm,/);
    expect(nominations.join('\n')).not.toMatch(/\bn_\d+\b/);
    expect(run('--out', 'x.xlsx', '--office', 'NOPE').stderr).toContain('No unit with code NOPE');
  });
});

describe('council XLSX for Đồng Tháp: each level under its own threshold', () => {
  let bot: TestBot;
  beforeAll(async () => {
    bot = await startBot('dong-thap-2021-2025', { now: new Date('2025-11-20T03:00:00Z') });
  });
  afterAll(() => bot.close());

  it('a department shows ≥ 90%, a district ≥ 80%, a commune ≥ 60% for the online records indicator', async () => {
    const by = { id: 'test', role: 'admin', channel: 'cli' } as const;
    const units = await bot.app.store.units.all();
    const one = (level: string) => units.find((u) => u.level === level)!;
    for (const level of ['department', 'district', 'commune']) {
      const values = Object.fromEntries(bot.app.campaign.standards.find((s) => s.level === level)!.indicators.map((i) => [i.id, 85]));
      await bot.app.store.reports.submit({ campaignId: bot.app.campaign.id, year: 2025, unitId: one(level).id, values, submittedBy: 'test' }, by);
    }
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'dt-')), 'dt.xlsx');
    const { writeXlsx } = await import('../../src/services/export.js');
    await writeXlsx(await exportSheets(bot.app.store, bot.app.campaign, null, 2025, 'vi', bot.clock.now), file);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(file);
    const ws = wb.getWorksheet('Báo cáo chỉ tiêu')!;
    const header = (ws.getRow(HEAD).values as unknown[]).slice(1);
    const label = bot.app.campaign.standards[0]!.indicators.find((i) => i.id === 'online_records')!.label.vi;
    const rows = new Map<unknown, unknown[]>();
    for (let r = HEAD + 1; r <= ws.rowCount; r++) {
      const v = (ws.getRow(r).values as unknown[]).slice(1);
      rows.set(v[header.indexOf('Cấp')], v);
    }
    const cell = (level: string, h: string) => rows.get(level)?.[header.indexOf(h)];
    expect(cell('Sở, ban, ngành tỉnh', `Chuẩn: ${label}`)).toBe('≥ 90%');
    expect(cell('Huyện', `Chuẩn: ${label}`)).toBe('≥ 80%');
    expect(cell('Xã, phường, thị trấn', `Chuẩn: ${label}`)).toBe('≥ 60%');
    // 85%: below the department's 90%, above the district's 80% and the commune's 60%.
    expect(cell('Sở, ban, ngành tỉnh', `Đạt: ${label}`)).toBe('Không');
    expect(cell('Huyện', `Đạt: ${label}`)).toBe('Có');
    expect(cell('Xã, phường, thị trấn', `Đạt: ${label}`)).toBe('Có');
    expect([...rows.keys()]).not.toContain('department');
  });
});
