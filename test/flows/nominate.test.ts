import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCampaign } from '../../src/campaign/load.js';
import { PDF, startBot, type TestBot } from '../helpers/bot.js';
import { vn } from '../helpers/jobs.js';

const OFFICER = 'can-bo-don-vi';

describe('a dossier sent after its deadline is accepted and marked late (binh-thanh-2024, due 05/12/2024)', () => {
  let bot: TestBot;
  const campaign = loadCampaign('binh-thanh-2024');
  beforeAll(async () => {
    bot = await startBot(campaign.id, { now: vn('2024-12-06T09:00') });
  });
  afterAll(() => bot.close());

  it('the officer is warned at the summary, the dossier is stored as submitted and late, and status says so', async () => {
    let r = await bot.say(OFFICER, '/dexuat');
    r = await bot.say(OFFICER, bot.button(r, 'Một cá nhân'));
    r = await bot.say(OFFICER, 'Hoàng Văn Nam');
    r = await bot.say(OFFICER, 'Trưởng xóm');
    r = await bot.say(OFFICER, 'Xóm Đồng Tâm');
    r = await bot.say(OFFICER, '1');
    r = await bot.say(OFFICER, 'Số hóa hồ sơ của xóm');
    for (let i = 0; i < campaign.dossierParts.length; i++) r = await bot.upload(OFFICER, PDF, `phan-${i + 1}.pdf`);
    expect(bot.text(r)).toContain('Lưu ý: đã quá hạn nộp hồ sơ (05/12/2024); hồ sơ vẫn được nhận và ghi là nộp muộn.');
    r = await bot.say(OFFICER, bot.button(r, 'Gửi hồ sơ'));
    expect(bot.text(r)).toMatch(/Đã gửi hồ sơ .*\nHồ sơ năm 2024 được ghi nhận nộp muộn\./);
    const unitId = (await bot.app.store.identities.get('sim', OFFICER))!.unitId!;
    const [n] = await bot.app.store.nominations.listByUnit(campaign.id, 2024, unitId);
    expect(n).toMatchObject({ status: 'submitted', late: true, nominee: { name: 'Hoàng Văn Nam' } });
    expect(bot.text(await bot.say(OFFICER, '/tinhtrang'))).toContain('Hồ sơ Hoàng Văn Nam: đã gửi (nộp muộn)');
  });

  it('on the last day (05/12, 23:59 Vietnam time) a dossier is on time', async () => {
    bot.clock.now = vn('2024-12-05T23:59');
    let r = await bot.say(OFFICER, '/dexuat');
    r = await bot.say(OFFICER, bot.button(r, 'Một cá nhân'));
    for (const answer of ['Đỗ Thị Mai', 'Cán bộ', 'Xóm Đồng Tâm', '1', 'Tóm tắt']) r = await bot.say(OFFICER, answer);
    for (let i = 0; i < campaign.dossierParts.length; i++) r = await bot.upload(OFFICER, PDF, `phan-${i + 1}.pdf`);
    expect(bot.text(r)).not.toContain('quá hạn');
    r = await bot.say(OFFICER, bot.button(r, 'Gửi hồ sơ'));
    expect(bot.text(r)).not.toContain('nộp muộn');
    const unitId = (await bot.app.store.identities.get('sim', OFFICER))!.unitId!;
    const n = (await bot.app.store.nominations.listByUnit(campaign.id, 2024, unitId)).find((x) => x.nominee.name === 'Đỗ Thị Mai');
    expect(n).toMatchObject({ status: 'submitted', late: false });
  });
});
