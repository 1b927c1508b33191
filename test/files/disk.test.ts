import fs from 'node:fs';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { reviewsOpenIn } from '../../src/domain/index.js';
import { FileStore } from '../../src/files.js';
import { PDF, joinWithInvite, startBot, type TestBot } from '../helpers/bot.js';

/** Issue #11 item 8: uploads have quotas, and old exports and orphan files are deleted. */

const TO_FILE_STEP = ['/dexuat', 'Một cá nhân', 'Nguyễn Văn An', 'Trưởng xóm', 'Xóm Đồng Tâm', '1', 'Vận động 100% hộ dân cài ứng dụng VNeID'];
const DAY = 86_400_000;

async function officerAtFileStep(bot: TestBot, user: string): Promise<void> {
  await joinWithInvite(bot, user, 'officer', 'TN-DH-BT-X01');
  let r = await bot.say(user, TO_FILE_STEP[0]!);
  for (const text of TO_FILE_STEP.slice(1)) r = await bot.say(user, text);
  expect(bot.text(r)).toContain('Hồ sơ 1/');
}

/** A different small PDF each time (same size as PDF), so each is a new stored file. */
const pdf = (n: number) => Buffer.from(PDF.toString('latin1').replace('Catalog', `Catal${String(n).padStart(2, '0')}`), 'latin1');

describe('upload quotas', () => {
  let bot: TestBot;
  afterEach(() => bot?.close());

  it('a person may store UPLOAD_MB_PER_DAY a Vietnam day, all files together; the next day they may send again', async () => {
    // Room for two of our small PDFs a day.
    bot = await startBot('binh-thanh-2024', { env: { UPLOAD_MB_PER_DAY: String((PDF.length * 2.5) / 1024 / 1024) } });
    await officerAtFileStep(bot, 'quota-1');
    expect(bot.text(await bot.upload('quota-1', pdf(1), 'a.pdf'))).toContain('Đã nhận tệp "a.pdf"');
    expect(bot.text(await bot.upload('quota-1', pdf(2), 'b.pdf'))).toContain('Đã nhận tệp "b.pdf"');
    const refused = bot.text(await bot.upload('quota-1', pdf(3), 'c.pdf'));
    expect(refused).toContain('Hôm nay bạn đã gửi đủ');
    expect(refused).toContain('Bổ sung sau');
    // Another person is not affected.
    await officerAtFileStep(bot, 'quota-2');
    expect(bot.text(await bot.upload('quota-2', pdf(4), 'd.pdf'))).toContain('Đã nhận tệp "d.pdf"');
    // After midnight in Vietnam (the clock is 10:00 there), the first person may send again.
    bot.clock.now = new Date(bot.clock.now.getTime() + DAY);
    expect(bot.text(await bot.upload('quota-1', pdf(3), 'c.pdf'))).toContain('Đã nhận tệp "c.pdf"');
  });

  it('past FILES_MAX_MB nothing more is stored: a clear answer in the chat, 507 from the simulator upload', async () => {
    bot = await startBot('binh-thanh-2024', { env: { FILES_MAX_MB: String((PDF.length * 1.5) / 1024 / 1024) } });
    await officerAtFileStep(bot, 'full-1');
    // The upload itself fits; kept as a dossier file as well, it would pass the cap.
    expect(bot.text(await bot.upload('full-1', pdf(5), 'a.pdf'))).toContain('Máy chủ tạm thời chưa nhận thêm tệp');
    expect(fs.existsSync(path.join(bot.dataDir, 'files'))).toBe(false);
    const server = await bot.app.listen();
    const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/sim/api/upload`, { method: 'POST', headers: { 'content-type': 'application/pdf' }, body: new Uint8Array(PDF) });
    expect(res.status).toBe(507);
  });
});

describe('files cleanup', () => {
  let bot: TestBot;
  afterEach(() => bot?.close());

  it('deletes old exports, old charts, old uploads and old files no dossier needs; keeps dossier parts and recent files', async () => {
    bot = await startBot('binh-thanh-2024');
    const { app, dataDir } = bot;
    const now = Date.now();
    const put = (rel: string, ageDays: number, bytes: Buffer = PDF) => {
      const abs = path.join(dataDir, rel);
      fs.mkdirSync(path.dirname(abs), { recursive: true });
      fs.writeFileSync(abs, bytes);
      const t = new Date(now - ageDays * DAY);
      fs.utimesSync(abs, t, t);
      return abs;
    };
    const saved = await new FileStore(dataDir).save(pdf(6), { name: 'to-trinh.pdf', at: new Date() });
    if (!saved.ok) throw new Error('not saved');
    const part = path.join(dataDir, saved.file.path);
    fs.utimesSync(part, new Date(now - 90 * DAY), new Date(now - 90 * DAY));
    const { award, review } = reviewsOpenIn(app.campaign, 2024)[0]!;
    const actor = { id: 'sim:x', role: 'officer' as const, channel: 'sim' as const };
    const unit = (await app.store.units.getByCode('TN-DH-BT-X01'))!;
    const n = await app.store.nominations.createDraft(
      { campaignId: app.campaign.id, year: 2024, unitId: unit.id, awardId: award.id, reviewId: review.id, nominee: { type: 'collective', unitId: unit.id, name: unit.name }, createdBy: actor.id },
      actor,
    );
    await app.store.nominations.attachPart(n.id, app.campaign.dossierParts[0]!.id, saved.file, actor);

    const oldExport = put('exports/binh-thanh-2024-2024-all-20240101T000000.xlsx', 8);
    const newExport = put('exports/binh-thanh-2024-2024-all-20240301T000000.xlsx', 2);
    const orphan = put(`files/ab/${'ab'.padEnd(64, '1')}.pdf`, 31);
    const recent = put(`files/cd/${'cd'.padEnd(64, '2')}.pdf`, 3);
    const upload = put('uploads/0b9f6a1e-5d1c-4c59-9a55-1f7a8c4d2e10', 2);
    // A chart /thongke really sent (DATA_DIR/charts), aged past the exports' retention, and one just sent.
    const sent = async () => {
      const replies = await bot.say('can-bo-theo-doi', '/thongke');
      const file = replies.find((r) => r.file?.mime === 'image/png')?.file;
      if (!file) throw new Error('no chart');
      return path.join(dataDir, file.path);
    };
    const oldChart = await sent();
    fs.utimesSync(oldChart, new Date(now - 8 * DAY), new Date(now - 8 * DAY));
    // The next day the title counts one day less: another picture.
    bot.clock.now = new Date(bot.clock.now.getTime() + DAY);
    const newChart = await sent();
    expect(newChart).not.toBe(oldChart);
    // Asked again with nothing changed, the same picture is sent again, and kept for as long again.
    fs.utimesSync(newChart, new Date(now - 8 * DAY), new Date(now - 8 * DAY));
    expect(await sent()).toBe(newChart);

    const r = await app.jobs.cleanupFiles(new Date(now), { force: true });
    expect(r).toEqual({ exports: 1, charts: 1, files: 1, uploads: 1, kept: 1 });
    expect([oldExport, oldChart, orphan, upload].filter((f) => fs.existsSync(f))).toEqual([]);
    expect([newExport, newChart, recent, part].every((f) => fs.existsSync(f))).toBe(true);
    // The sweep runs it once per Vietnam day, whichever worker comes first.
    expect(await app.jobs.cleanupFiles(new Date(now))).toBeNull();
  });
});
