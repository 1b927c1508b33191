import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCampaign } from '../../src/campaign/load.js';
import { planStaffDigests } from '../../jobs/alerts.js';
import { planSubmittedAlert } from '../../jobs/dossier-alerts.js';
import { staffAlertSchedule, reminderSchedule } from '../../src/domain/index.js';
import { startBot, type TestBot } from '../helpers/bot.js';
import { addIdentity, addNomination } from '../helpers/jobs.js';

const PRESETS = ['binh-thanh-2024', 'dong-thap-2021-2025', 'hai-duong-2021-2025', 'tu-ky-2021-2025'];

/** Every reminder and staff alert of every preset names the year it is about ("năm 2023" / "2023"). */
describe.each(PRESETS)('preset %s: reminders and alerts name their year', (id) => {
  let bot: TestBot;
  const c = loadCampaign(id);
  beforeAll(async () => {
    bot = await startBot(id);
    await addIdentity(bot.app, 'sim', 'officer-en', { unitCode: (await bot.app.store.identities.get('sim', 'can-bo-don-vi').then((i) => bot.app.store.units.get(i!.unitId!)))!.code, lang: 'en' });
    for (const year of new Set(staffAlertSchedule(c).map((a) => a.year))) await addNomination(bot.app, bot.dataDir, (await bot.app.store.units.get((await bot.app.store.identities.get('sim', 'can-bo-don-vi'))!.unitId!))!.code, { year, status: 'submitted' });
  });
  afterAll(() => bot.close());

  it('every participant reminder, in both languages', async () => {
    let seen = 0;
    for (const r of reminderSchedule(c)) {
      const { messages } = await bot.app.jobs.previewReminders(r.at);
      for (const m of messages.filter((x) => x.reminder.kind === r.kind && x.reminder.year === r.year)) {
        seen++;
        const vi = m.userId !== 'officer-en';
        expect(m.reply.text, `${r.kind} ${r.year} D-${r.offsetDays}`).toMatch(vi ? new RegExp(`năm ${r.year}\\b`) : new RegExp(`\\b${r.year}\\b.*(report|dossier|Registration)|for ${r.year}`));
        expect(m.reply.text).not.toMatch(/-\d+ (ngày|days)/);
      }
    }
    expect(seen).toBeGreaterThan(0);
  });

  it('every staff digest and the alert for a dossier submitted with parts missing', async () => {
    await addIdentity(bot.app, 'sim', 'staff-x', { role: 'staff', unitId: (await bot.app.store.identities.get('sim', 'can-bo-theo-doi'))!.unitId });
    const ctx = { store: bot.app.store, campaign: c };
    for (const a of staffAlertSchedule(c)) {
      const digests = await planStaffDigests(ctx, a, a.at);
      expect(digests.length, `${a.year} D-${a.offsetDays}`).toBeGreaterThan(0);
      for (const m of digests.filter((x) => x.reply.text.startsWith('📋'))) expect(m.reply.text).toContain(`năm ${a.year}`);
      const [n] = await bot.app.store.nominations.list(c.id, a.year);
      for (const m of await planSubmittedAlert(ctx, n!, a.at)) expect(m.reply.text, m.reply.text).toContain(`năm ${a.year}`);
    }
  });
});
