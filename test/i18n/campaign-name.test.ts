import { describe, expect, it } from 'vitest';
import { loadCampaign } from '../../src/campaign/load.js';
import { catalogs, t, type MsgKey } from '../../src/i18n.js';
import { PRESETS } from '../helpers/presets.js';
import { startBot } from '../helpers/bot.js';

/**
 * Issue #13 item 6: the campaign's name is said once. Its name already begins "Phong trào
 * thi đua …" and often ends with its year, so a message around it must not say "phong
 * trào", "thi đua" or the year again.
 */

const keysWith = (placeholder: string) => Object.keys(catalogs.vi).filter((k) => catalogs.vi[k]!.includes(`{${placeholder}}`)) as MsgKey[];
const sentences = (text: string) => text.split(/(?<=[.:!?])\s+/);
const occurrences = (text: string, word: string) => text.toLowerCase().split(word).length - 1;

describe.each(PRESETS)('preset $id: messages naming the campaign', (preset) => {
  const campaign = loadCampaign(preset.id);
  const name = campaign.name.vi;

  it.each(keysWith('campaign'))('%s says the name once, without repeating its words or year', (key) => {
    const text = t('vi', key, { campaign: name, unit: 'Xóm Đồng Tâm', office: campaign.standingOffice.name.vi, year: preset.year, when: `hết ngày 30/11/${preset.year} (còn 7 ngày)` });
    expect(occurrences(text, name.toLowerCase())).toBe(1);
    // Reminders name their year (issue #13 item 4) in a sentence of their own, after the name.
    for (const s of sentences(text)) {
      expect(occurrences(s, 'phong trào'), s).toBeLessThanOrEqual(1);
      expect(occurrences(s, 'thi đua'), s).toBeLessThanOrEqual(1);
      for (const year of name.match(/\b\d{4}\b/g) ?? []) expect(occurrences(s, `năm ${year}`), s).toBeLessThanOrEqual(1);
    }
  });

  it('the help, as the bot sends it, names the campaign once', async () => {
    const bot = await startBot(preset.id, { now: new Date(preset.now) });
    try {
      const text = bot.text(await bot.say('can-bo-don-vi', 'go|help'));
      expect(occurrences(text, name.toLowerCase())).toBe(1);
      for (const s of sentences(text)) expect(occurrences(s, 'phong trào'), s).toBeLessThanOrEqual(1);
    } finally {
      await bot.close();
    }
  });
});

describe('deadlines named in a sentence with their year', () => {
  it.each(['report', 'dossier', 'registration'] as const)('"Hạn tiếp theo: %s năm 2024" never says "năm năm"', (kind) => {
    const text = t('vi', 'status.next_deadline', { what: t('vi', `deadline.${kind}`), year: 2024, when: 'hết ngày 05/12/2024' });
    expect(text).not.toMatch(/năm năm/);
  });
});
