import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { campaignSchema } from '../../src/campaign/schema.js';
import { loadCampaign } from '../../src/campaign/load.js';
import { campaignDeadlines, registrationDueDay, reminderSchedule } from '../../src/domain/index.js';

const PRESETS = fs.readdirSync(new URL('../../campaigns/', import.meta.url)).filter((f) => f.endsWith('.json')).map((f) => f.replace(/\.json$/, ''));
const raw = (id: string) => JSON.parse(fs.readFileSync(new URL(`../../campaigns/${id}.json`, import.meta.url), 'utf8'));

describe('registration closes before the deadlines it leads to', () => {
  it.each(PRESETS)('%s passes, and its registration and its reminders come on or before the launch year’s report and dossier deadlines', (id) => {
    expect(campaignSchema.safeParse(raw(id)).success).toBe(true);
    const c = loadCampaign(id);
    const reg = registrationDueDay(c);
    const led = campaignDeadlines(c, ['report', 'dossier']).filter((d) => d.year === c.launchYear);
    expect(led.length).toBeGreaterThan(0);
    const lastRegReminder = Math.max(...reminderSchedule(c, ['registration']).map((r) => r.at.getTime()));
    for (const d of led) {
      expect(reg.month * 100 + reg.day, `${id}: registration vs ${d.kind}`).toBeLessThanOrEqual(d.dueDay.month * 100 + d.dueDay.day);
      expect(lastRegReminder).toBeLessThan(d.instant.getTime());
    }
  });

  it('a campaign whose registration closes at the end of Q4 (31/12) is refused: one issue per deadline, on the field to change', () => {
    const c = raw('binh-thanh-2024');
    delete c.deadlines.registration.due;
    const r = campaignSchema.safeParse(c);
    expect(r.success).toBe(false);
    const issues = r.error!.issues.map((i) => [i.path.join('.'), i.message]);
    expect(issues).toEqual([
      ['deadlines.registration.quarter', expect.stringContaining('registration closes on 31/12/2024, after the 2024 report deadline 10/12/2024')],
      ['deadlines.registration.quarter', expect.stringContaining('after the 2024 dossier deadline 05/12/2024')],
    ]);
  });

  it('a registration day after the dossier day is refused on deadlines.registration.due; one outside its quarter or not a date too', () => {
    const c = raw('hai-duong-2021-2025');
    c.deadlines.registration.due = { month: 12, day: 7 };
    expect(campaignSchema.safeParse(c).error!.issues.map((i) => [i.path.join('.'), i.message])).toEqual([
      ['deadlines.registration.due', expect.stringContaining('after the 2021 dossier deadline 05/12/2021')],
    ]);
    c.deadlines.registration.due = { month: 5, day: 1 };
    expect(campaignSchema.safeParse(c).error!.issues.map((i) => i.message)).toEqual(['01/05/2021 is not in quarter 4 of 2021']);
    c.deadlines.registration.due = { month: 11, day: 31 };
    expect(campaignSchema.safeParse(c).error!.issues.map((i) => i.message)).toEqual(['31/11/2021 is not a date']);
  });
});
