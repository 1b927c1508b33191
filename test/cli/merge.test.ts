import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { CLI_ACTOR } from '../../src/store/index.js';
import { fromRoot } from '../../src/paths.js';
import { startBot, type TestBot } from '../helpers/bot.js';
import { cli, PROCESS_TEST_TIMEOUT } from '../helpers/process.js';

/** `npm run cli -- units:merge` on the simulator's Tứ Kỳ demo store, with the real mapping. */
describe('npm run cli -- units:merge', { timeout: PROCESS_TEST_TIMEOUT }, () => {
  let bot: TestBot;
  beforeAll(async () => {
    bot = await startBot('tu-ky-2021-2025', { now: new Date('2025-07-02T02:00:00Z') });
  });
  afterAll(() => bot?.close());
  const run = (...args: string[]) =>
    cli(['units:merge', ...args], { env: { ...process.env, REDIS_URL: inject('redisUrl'), STORE_PREFIX: bot.prefix, CAMPAIGN: 'tu-ky-2021-2025', DATA_DIR: bot.dataDir, INVITE_SECRET: '' } });

  it('checks, applies, and tells the moved officer which unit they act for now, with a way to say it is wrong', async () => {
    const { store } = bot.app;
    const officer = (await store.identities.get('sim', 'can-bo-don-vi'))!;
    const oldUnit = (await store.units.get(officer.unitId!))!;
    expect(oldUnit.code).toBe('HD-TK-HDA');
    await store.reports.submit({ campaignId: 'tu-ky-2021-2025', year: 2023, unitId: oldUnit.id, values: { online_records: 80 }, submittedBy: 'p_1' }, CLI_ACTOR);

    const file = fromRoot('campaigns', 'demo', 'tu-ky-2021-2025.merge.csv');
    const dry = run(file, '--dry-run');
    expect(dry.status, dry.stderr).toBe(0);
    expect(dry.stdout).toContain('OK: 5 unit(s) would be merged, 4 created, 1 account(s) moved');
    expect((await store.units.get(oldUnit.id))!.merged).toBeUndefined();

    const r = run(file);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain('campaign tu-ky-2021-2025');
    expect(r.stdout).toContain('Merged 5 unit(s), created 4, moved 1 account(s)');
    const daiSon = (await store.units.getByCode('HP-DAISON'))!;
    expect((await store.identities.get('sim', 'can-bo-don-vi'))!.unitId).toBe(daiSon.id);

    const jobs = await bot.app.jobs.outbox.queue('sim').getJobs(['waiting', 'prioritized', 'delayed', 'active', 'completed']);
    const told = jobs.map((j) => j.data as { userId: string; reply: { text: string; choices?: { payload: string; label: string }[] } }).find((d) => d.userId === 'can-bo-don-vi');
    expect(told?.reply.text).toContain('Từ ngày 01/07/2025, UBND xã Hưng Đạo đã được sắp xếp vào Xã Đại Sơn');
    expect(told?.reply.text).not.toMatch(/u_\d+/);
    // "This is not right" leads to the standing office's contact.
    const help = await bot.say('can-bo-don-vi', told!.reply.choices![0]!.payload);
    expect(told!.reply.choices![0]!.label).toBe('Thông tin chưa đúng');
    expect(bot.text(help)).toContain('Cơ quan thường trực');

    // The officer's status shows the new unit with its former one, and the old commune's 2023 report.
    const status = bot.text(await bot.say('can-bo-don-vi', '/tinhtrang 2023'));
    expect(status).toContain('Tình trạng của Xã Đại Sơn (trước 01/07/2025: xã Hưng Đạo)');
    expect(status).toMatch(/Xã Đại Sơn \(trước 01\/07\/2025: xã Hưng Đạo\): .*đã nộp báo cáo chỉ tiêu/);

    // Run again: every row refused, nothing changed.
    const again = run(file);
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(/row 7: unit "HD" was already merged on 2025-07-01/);
    expect(again.stderr).toContain('Nothing merged: 10 problem(s)');
  });
});
