import { afterAll, beforeAll } from 'vitest';
import type { Campaign } from '../../src/campaign/index.js';
import { loadCampaign } from '../../src/campaign/load.js';
import { partsFor, reviewsOpenIn, standardFor, type UnitLevel } from '../../src/domain/index.js';
import { joinAsDemoOfficer, PDF, startBot, type TestBot } from './bot.js';

/** The campaign presets, each at a time when its officer flows are open. */
export const PRESETS = [
  { id: 'binh-thanh-2024', now: '2024-11-20T03:00:00Z', year: 2024 },
  { id: 'dong-thap-2021-2025', now: '2025-11-20T03:00:00Z', year: 2025 },
  { id: 'hai-duong-2021-2025', now: '2025-11-20T03:00:00Z', year: 2025 },
  { id: 'tu-ky-2021-2025', now: '2025-11-20T03:00:00Z', year: 2025 },
  { id: 'thai-nguyen-2026', now: '2026-11-20T03:00:00Z', year: 2026 },
];
export type Preset = (typeof PRESETS)[number];

/**
 * Inside a describe: the preset's bot at its time, started before the tests and closed after,
 * with `user` (officer-<preset>) joined as the demo unit's officer and `before` played.
 */
export function presetOfficer(preset: Preset, before?: (bot: TestBot, user: string, campaign: Campaign, year: number) => Promise<void>) {
  const campaign = loadCampaign(preset.id);
  const user = `officer-${preset.id}`;
  let bot: TestBot | undefined;
  beforeAll(async () => {
    bot = await startBot(preset.id, { now: new Date(preset.now) });
    await joinAsDemoOfficer(bot, user);
    await before?.(bot, user, campaign, preset.year);
  });
  afterAll(() => bot?.close());
  return {
    campaign,
    user,
    get bot(): TestBot {
      if (!bot) throw new Error('the preset bot starts in beforeAll');
      return bot;
    },
  };
}

/*
 * The officer flows played quickly, for tests of a later flow that needs their result.
 * The flows' own tests (test/flows/<id>.test.ts) check each step of these.
 */

async function start(bot: TestBot, user: string, payload: string, campaign: Campaign, year: number) {
  const r = await bot.say(user, payload);
  return campaign.reportingYears.length > 1 ? bot.say(user, String(year)) : r;
}

/** Registers the officer's unit for the first two content areas, with a commitment. */
export async function playRegistration(bot: TestBot, user: string, campaign: Campaign, year: number) {
  await start(bot, user, 'go|register', campaign, year);
  await bot.say(user, '1, 2');
  await bot.say(user, 'Số hóa toàn bộ hồ sơ công việc');
  const r = await bot.say(user, 'xác nhận');
  if (!bot.text(r).includes('Đã ghi nhận đăng ký')) throw new Error(`registration not saved: ${bot.text(r)}`);
}

/** Reports 85% on every indicator of the officer's unit level, with a note. */
export async function playReport(bot: TestBot, user: string, campaign: Campaign, year: number) {
  const identity = (await bot.app.store.identities.get('sim', user))!;
  const unit = (await bot.app.store.units.get(identity.unitId!))!;
  await start(bot, user, 'go|report', campaign, year);
  for (let i = 0; i < standardFor(campaign, unit.level)!.indicators.length; i++) await bot.say(user, '85');
  await bot.say(user, 'Đã triển khai phần mềm một cửa điện tử');
  const r = await bot.say(user, 'xác nhận');
  if (!bot.text(r).includes('Đã nhận báo cáo chỉ tiêu')) throw new Error(`report not saved: ${bot.text(r)}`);
}

/** Submits a dossier for the individual Nguyễn Văn An with the first part uploaded and the rest left for later. */
export async function playNomination(bot: TestBot, user: string, campaign: Campaign, year: number) {
  let r = await start(bot, user, 'go|nominate', campaign, year);
  r = await bot.say(user, bot.button(r, 'Một cá nhân'));
  await bot.say(user, 'Nguyễn Văn An');
  await bot.say(user, 'Trưởng xóm');
  await bot.say(user, 'Xóm Đồng Tâm');
  await bot.say(user, '1');
  await bot.say(user, 'Vận động 100% hộ dân cài ứng dụng VNeID');
  r = await bot.upload(user, PDF, 'to-trinh.pdf');
  while (r.at(-1)?.expectsFile) r = await bot.say(user, bot.button(r, 'Bổ sung sau'));
  r = await bot.say(user, bot.button(r, 'Gửi hồ sơ'));
  if (!/Đã gửi hồ sơ/.test(bot.text(r))) throw new Error(`dossier not sent: ${bot.text(r)}`);
}

/** The dossier parts a unit of `level` is asked under the first award offered in `year` (the one the scripted nominations pick). */
export function askedParts(campaign: Campaign, level: UnitLevel, year: number) {
  const { award, review } = reviewsOpenIn(campaign, year)[0]!;
  return partsFor(campaign, { level, awardId: award.id, reviewId: review.id });
}
