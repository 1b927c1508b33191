import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCampaign } from '../../src/campaign/load.js';
import { t } from '../../src/i18n.js';
import { startBot, type TestBot } from '../helpers/bot.js';

/** Trợ giúp (flows/help.ts): the menu entry, and "trợ giúp" typed in the middle of a flow. */
describe('help', () => {
  const campaign = loadCampaign('binh-thanh-2024');
  const OFFICER = 'can-bo-don-vi';
  let bot: TestBot;
  beforeAll(async () => {
    bot = await startBot(campaign.id);
  });
  afterAll(() => bot.close());

  it('the menu offers it; it says how to use the bot, the campaign and its standing office, then the menu', async () => {
    const menu = await bot.say(OFFICER, 'menu');
    const r = await bot.say(OFFICER, bot.button(menu, t('vi', 'help.title')));
    const text = bot.text(r);
    expect(text).toContain(t('vi', 'help.text'));
    expect(text).toContain(`${campaign.name.vi}. Cơ quan thường trực: ${campaign.standingOffice.name.vi}.`);
    expect(text).toContain(t('vi', 'menu.title'));
  });

  it('"tro giup" typed at the menu (no diacritics) shows it too', async () => {
    await bot.say(OFFICER, 'menu');
    expect(bot.text(await bot.say(OFFICER, 'Tro giup'))).toContain(t('vi', 'help.text'));
  });

  it('"trợ giúp" in the middle of a flow shows the help and asks the same question again; nothing typed is lost', async () => {
    let r = await bot.say(OFFICER, '/dangky');
    r = await bot.say(OFFICER, '1, 2');
    expect(bot.text(r)).toContain(t('vi', 'register.commitments_prompt'));
    r = await bot.say(OFFICER, 'trợ giúp');
    expect(bot.text(r)).toContain(t('vi', 'help.text'));
    expect(bot.text(r)).toContain(t('vi', 'register.commitments_prompt'));
    r = await bot.say(OFFICER, 'Số hóa hồ sơ');
    expect(bot.text(r)).toContain('Cam kết: Số hóa hồ sơ');
    expect(bot.text(r)).toMatch(/Nội dung: .+;/);
    await bot.say(OFFICER, 'hủy');
  });

  it('in English after /lang en', async () => {
    await bot.say('can-bo-theo-doi', '/lang en');
    const text = bot.text(await bot.say('can-bo-theo-doi', 'go|help'));
    expect(text).toContain(t('en', 'help.text'));
    expect(text).toContain(`${campaign.name.en}. Standing office: ${campaign.standingOffice.name.en}.`);
    await bot.say('can-bo-theo-doi', '/lang vi');
  });

  it('someone who has not joined is asked to join first', async () => {
    const text = bot.text(await bot.say('nguoi-la', 'go|help'));
    expect(text).toContain(t('vi', 'onboarding.who'));
    expect(text).not.toContain(t('vi', 'help.text'));
  });
});
