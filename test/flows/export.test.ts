import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { exportSheets, writeCsv } from '../../src/services/export.js';
import { PDF, startBot, type TestBot } from '../helpers/bot.js';
import { cli, PROCESS_TEST_TIMEOUT } from '../helpers/process.js';

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
    for (let i = 0; i < 4; i++) await bot.say(u, 'để sau');
    await bot.say(u, 'Gửi hồ sơ');
  });
  afterAll(() => bot.close());

  it('/xuat gives district staff a workbook of their units with Vietnamese headers and frozen header rows', async () => {
    const r = await bot.say('can-bo-huyen', '/xuat');
    const reply = r.find((x) => x.file)!;
    expect(reply.text).toContain('Báo cáo năm 2024 của Huyện Định Hóa');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(path.join(bot.dataDir, reply.file!.path));
    expect(wb.worksheets.map((w) => w.name)).toEqual(['Đăng ký', 'Báo cáo chỉ tiêu', 'Hồ sơ khen thưởng', 'Chưa thực hiện']);
    for (const ws of wb.worksheets) expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    const reg = wb.getWorksheet('Đăng ký')!;
    expect(reg.getRow(1).values).toContain('Đơn vị / cá nhân');
    expect(reg.getRow(2).getCell(1).value).toBe('Xóm Đồng Tâm');
    const rep = wb.getWorksheet('Báo cáo chỉ tiêu')!;
    const header = (rep.getRow(1).values as unknown[]).filter(Boolean);
    const row = (rep.getRow(2).values as unknown[]).slice(1);
    expect(row[0]).toBe('Xóm Đồng Tâm');
    expect(row[header.indexOf('Đạt tất cả tiêu chuẩn')]).toBe('Không'); // 95 % < the hamlet's 100 % standard
    const nom = wb.getWorksheet('Hồ sơ khen thưởng')!;
    const nrow = (nom.getRow(2).values as unknown[]).slice(1);
    // The dossier by the number staff read and type (/hoso 1), never its internal id.
    expect((nom.getRow(1).values as unknown[]).slice(1)[0]).toBe('Số hồ sơ');
    expect(nrow[0]).toBe(1);
    expect(nrow).toContain('đã gửi');
    expect(nrow).toContain('Không');
    expect(String(nrow[8])).toContain('Biên bản');
    expect(nrow[9]).toBe('1/2');
    for (const ws of wb.worksheets) ws.eachRow((r) => expect(JSON.stringify(r.values)).not.toMatch(/\b[nu]_\d+\b/));
    const idle = wb.getWorksheet('Chưa thực hiện')!;
    expect(idle.rowCount).toBe(1 + (await bot.app.store.units.all()).filter((x) => ['commune', 'commune_agency', 'hamlet', 'tech_team'].includes(x.level)).length - 1);
  });

  it('officers and strangers cannot export', async () => {
    expect(bot.text(await bot.say('can-bo-don-vi', '/xuat'))).toContain('Bạn không có quyền');
    expect(bot.text(await bot.say('stranger-x', '/xuat'))).toContain('Bạn tham gia phong trào với tư cách nào?');
  });

  it('CSV has a BOM, quoted cells and no formula injection', async () => {
    const sheets = await exportSheets(bot.app.store, bot.app.campaign, null, 2024, 'vi');
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
    expect(nominations[1]).toMatch(/^1,Xóm Đồng Tâm,/);
    expect(nominations.join('\n')).not.toMatch(/\bn_\d+\b/);
    expect(run('--out', 'x.xlsx', '--office', 'NOPE').stderr).toContain('No unit with code NOPE');
  });
});
