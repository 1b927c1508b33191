import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parseAt } from '../../src/cli/at.js';
import { startBot, type TestBot } from '../helpers/bot.js';
import { addIdentity, addNomination, vn } from '../helpers/jobs.js';
import { cli as runCli, PROCESS_TEST_TIMEOUT } from '../helpers/process.js';

describe('operator commands for the jobs (npm run cli)', { timeout: PROCESS_TEST_TIMEOUT }, () => {
  let bot: TestBot;
  const cli = (...args: string[]) =>
    runCli(args, { env: { ...process.env, REDIS_URL: inject('redisUrl'), STORE_PREFIX: bot.prefix, CAMPAIGN: 'binh-thanh-2024', DATA_DIR: bot.dataDir, LOG_LEVEL: 'silent' } });

  beforeAll(async () => {
    bot = await startBot('binh-thanh-2024', { now: vn('2024-12-03T08:00') });
    await addIdentity(bot.app, 'sim', 'bau', { unitCode: 'TN-DH-BT-X02', lang: 'en' });
    // Staff of the commune's Công chức Văn phòng – Thống kê, the office that receives its dossiers (with the demo one, two digests).
    await addIdentity(bot.app, 'sim', 'xa', { role: 'staff', unitCode: 'TN-DH-BT-VPTK' });
    await addNomination(bot.app, bot.dataDir, 'TN-DH-BT-X01', { nominee: 'Nguyễn Thị Hoa', parts: ['to_trinh'], status: 'submitted' });
  });
  afterAll(async () => bot?.close());

  it('--at reads a time without a zone as Vietnam time', () => {
    expect(parseAt('2024-11-28T08:00')).toEqual(new Date('2024-11-28T01:00:00Z'));
    expect(parseAt('2024-11-28T08:00:00+07:00')).toEqual(new Date('2024-11-28T01:00:00Z'));
    expect(parseAt('2024-11-28T01:00:00Z')).toEqual(new Date('2024-11-28T01:00:00Z'));
    expect(() => parseAt('tomorrow')).toThrow(/--at must be a time like/);
  });

  it('reminders:preview lists who would be reminded of what; reminders:run queues them once; alerts:run --dry-run prints the digests', () => {
    let r = cli('reminders:preview', '--at', '2024-12-03T08:00');
    // Only the line saying which store and campaign the command used.
    expect(r.stderr).toMatch(/^Store: redis [^\n]+, store prefix [^\n]+, campaign binh-thanh-2024\n$/);
    expect(r.status).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toBe('Reminders at 08:00 03/12/2024 (Vietnam time): 3');
    expect(lines).toContainEqual(expect.stringMatching(/^dossier 2024 D-3\tunit Xóm Đồng Tâm\tsim:can-bo-don-vi\t⏰ Nhắc hạn: Xóm Đồng Tâm còn 1 hồ sơ/));
    expect(lines).toContainEqual('report 2024 D-7\tunit Xóm Đồng Bầu\tsim:bau\t⏰ Reminder: Xóm Đồng Bầu has not yet sent its 2024 campaign report. It is due by the end of 10 Dec 2024 (7 days left); as guided by the standing office.');

    r = cli('reminders:run', '--at', '2024-12-03T08:00');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('3 planned, 3 queued, 0 already sent or queued');
    r = cli('reminders:preview', '--at', '2024-11-01T08:00');
    expect(r.stdout.trim()).toBe('Reminders at 08:00 01/11/2024 (Vietnam time): 0');

    r = cli('alerts:run', '--at', '2024-12-03T08:00', '--dry-run');
    expect(r.status).toBe(0);
    // Each of the two digests, then its chart.
    expect(r.stdout).toContain('Staff alert 2024 D-2: 4 message(s)');
    expect(r.stdout).toMatch(/--- sim:xa\n📊 Biểu đồ thống kê năm 2024[^\n]*\n\[charts\/binh-thanh-2024-[0-9a-f]{24}-bieu-do-thong-ke-2024\.png\]/);
    expect(r.stdout).toContain('--- sim:xa\n📋 Hồ sơ khen thưởng năm 2024 còn thiếu thành phần — hạn nộp hết ngày 05/12/2024 (còn 2 ngày).');
    r = cli('alerts:run', '--at', '2024-11-29T08:00');
    expect(r.stdout.trim()).toBe('No dossier deadline is in its alert window at that time.');
    r = cli('reminders:run', '--at', 'nonsense');
    expect(r.status).toBe(1);
    // stderr's first line names the store and campaign used; the error is the last.
    expect(r.stderr.trim().split('\n').at(-1)).toBe('--at must be a time like 2024-11-28T08:00 (Vietnam time) or 2024-11-28T01:00:00Z, not "nonsense"');
  });

  it('broadcast:status and broadcast:cancel', async () => {
    const { id } = await bot.app.jobs.broadcasts.start({ by: { channel: 'sim', userId: 'quan-tri', lang: 'vi' }, text: 'Lịch họp tháng 12', audience: { kind: 'staff' } });
    let r = cli('broadcast:status', id);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`#${id}\tqueued`);
    expect(r.stdout).toContain('text: Lịch họp tháng 12');
    r = cli('broadcast:cancel', id);
    expect(r.stdout.trim()).toBe(`Announcement #${id} stopped`);
    r = cli('broadcast:status', '999');
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n').at(-1)).toBe('No announcement #999');
  });
});
