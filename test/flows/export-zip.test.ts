import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import JSZip from 'jszip';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { isInScope } from '../../src/domain/index.js';
import { reviewScope } from '../../src/services/scope.js';
import { PDF, startBot, type TestBot } from '../helpers/bot.js';
import { cli, PROCESS_TEST_TIMEOUT } from '../helpers/process.js';

const sha = (b: Buffer | Uint8Array) => createHash('sha256').update(b).digest('hex');
/** Distinct PDFs: the same minimal document with a different comment line. */
const pdf = (i: number) => Buffer.concat([PDF, Buffer.from(`% part ${i}\n`)]);
const OFFICE = 'UBND xã Bình Thành';

describe('the council ZIP pack', () => {
  let bot: TestBot;
  const sent: Buffer[] = [];
  beforeAll(async () => {
    bot = await startBot('binh-thanh-2024');
    // The demo hamlet officer submits a dossier with a file for each of a xóm's four parts.
    const u = 'can-bo-don-vi';
    await bot.say(u, 'go|nominate');
    await bot.say(u, '1');
    await bot.say(u, '1');
    await bot.say(u, 'Tiêu biểu');
    for (let i = 0; i < 4; i++) {
      sent.push(pdf(i));
      await bot.upload(u, sent[i]!, `phan ${i}.pdf`);
    }
    await bot.say(u, 'Gửi hồ sơ');
  });
  afterAll(() => bot.close());

  /** The pack's entries: folder → file name → sha256. */
  async function entries(file: string): Promise<{ root: string[]; folders: Map<string, Map<string, string>>; zip: JSZip }> {
    const zip = await JSZip.loadAsync(fs.readFileSync(file));
    const root: string[] = [];
    const folders = new Map<string, Map<string, string>>();
    for (const e of Object.values(zip.files)) {
      if (e.dir) continue;
      const parts = e.name.split('/');
      if (parts.length === 1) root.push(e.name);
      else {
        expect(parts).toHaveLength(2);
        if (!folders.has(parts[0]!)) folders.set(parts[0]!, new Map());
        folders.get(parts[0]!)!.set(parts[1]!, sha(await e.async('nodebuffer')));
      }
    }
    return { root, folders, zip };
  }

  /** Every file of every dossier of the commune office's scope for 2024, as the store has them: folder prefix → sha256s. */
  async function expected(): Promise<Map<string, string[]>> {
    const office = (await bot.app.store.units.all()).find((x) => x.name === OFFICE)!;
    const scope = await reviewScope(bot.app.store, office.id);
    const out = new Map<string, string[]>();
    for (const n of await bot.app.store.nominations.list(bot.app.campaign.id, 2024))
      if (isInScope(scope, n.unitId)) out.set(`Ho-so-so-${n.id.replace(/^n_/, '')} - `, Object.values(n.parts).map((f) => f.sha256));
    return out;
  }

  function checkPack(p: Awaited<ReturnType<typeof entries>>, want: Map<string, string[]>) {
    expect(p.folders.size).toBe(want.size);
    for (const [prefix, hashes] of want) {
      const folder = [...p.folders.keys()].find((k) => k.startsWith(prefix));
      expect(folder, `a folder ${prefix}…`).toBeDefined();
      expect(folder).toMatch(/^[A-Za-z0-9 ._-]+$/); // safe characters only
      expect([...p.folders.get(folder!)!.values()].sort()).toEqual([...hashes].sort());
    }
  }

  it('/xuat offers the pack; the button sends a ZIP with the workbook at the root and every file of every dossier, byte for byte', async () => {
    const staff = 'can-bo-theo-doi';
    const r = await bot.say(staff, '/xuat');
    expect(r.find((x) => x.file)!.file!.name).toMatch(/\.xlsx$/);
    const z = await bot.say(staff, bot.button(r, 'Tải gói hồ sơ (ZIP)'));
    const reply = z.find((x) => x.file)!;
    expect(reply.file!.mime).toBe('application/zip');
    expect(reply.text).toContain(`Gói hồ sơ trình Hội đồng năm 2024 của ${OFFICE}`);
    expect(reply.text).toContain('1 hồ sơ (4 tệp)');
    const file = path.join(bot.dataDir, reply.file!.path);
    // A ZIP other tools read too.
    expect(execFileSync('unzip', ['-t', file], { encoding: 'utf8' })).toContain('No errors detected');
    const p = await entries(file);
    const want = await expected();
    expect(want.size).toBe(1);
    checkPack(p, want);
    // Every file the officer sent is there with the same bytes, under the names the bot gives them.
    const [folder] = [...p.folders.values()];
    expect([...folder!.values()].sort()).toEqual(sent.map(sha).sort());
    for (const name of folder!.keys()) expect(name).toMatch(/^[a-z0-9-]+-ho-so-\d+\.pdf$/);
    expect([...p.folders.keys()][0]).toMatch(/^Ho-so-so-\d+ - Xom Dong Tam$/);
    // The workbook at the root is the council XLSX.
    expect(p.root).toHaveLength(1);
    expect(p.root[0]).toMatch(/\.xlsx$/);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await p.zip.file(p.root[0]!)!.async('nodebuffer')) as unknown as ArrayBuffer);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['Đăng ký', 'Báo cáo chỉ tiêu', 'Hồ sơ khen thưởng', 'Chưa thực hiện']);
    // Typed too: /xuat 2024 zip.
    expect((await bot.say(staff, '/xuat 2024 zip')).find((x) => x.file)!.file!.mime).toBe('application/zip');
  });

  it('officers cannot get the pack', async () => {
    expect(bot.text(await bot.say('can-bo-don-vi', '/xuat 2024 zip'))).toContain('Bạn không có quyền');
  });

  it('the CLI writes the same pack with --zip', { timeout: PROCESS_TEST_TIMEOUT }, async () => {
    const office = (await bot.app.store.units.all()).find((x) => x.name === OFFICE)!;
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'zip-')), 'pack.zip');
    const x = cli(['export', '--year', '2024', '--office', office.code, '--zip', out], {
      env: { ...process.env, REDIS_URL: inject('redisUrl'), STORE_PREFIX: bot.prefix, CAMPAIGN: 'binh-thanh-2024', DATA_DIR: bot.dataDir },
    });
    expect(x.status, x.stderr).toBe(0);
    expect(x.stdout).toContain('1 dossiers (4 files)');
    const p = await entries(out);
    checkPack(p, await expected());
    expect(p.root).toEqual([`binh-thanh-2024-2024-${office.code}.xlsx`]);
  });
});
