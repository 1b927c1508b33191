import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCampaign } from '../../src/campaign/load.js';
import { planSays, type Campaign } from '../../src/campaign/schema.js';
import { partsFor, reviewsOpenIn, standardFor, type UnitLevel } from '../../src/domain/index.js';
import { fromRoot } from '../../src/paths.js';
import { joinWithInvite, startBot, type TestBot } from '../helpers/bot.js';
import { PRESETS } from '../helpers/presets.js';

/**
 * Issue 14 item 4, as invariants over every preset: a dossier is asked exactly the parts
 * that apply to its proposing level, award and review; a value the plan is silent on (no
 * quote from it) is stated as the standing office's guidance, and one the plan states
 * never is.
 */
const OWN_CHOICE = 'theo hướng dẫn của cơ quan thường trực';

/** One demo unit code per level of the preset's demo list. */
function unitPerLevel(campaign: Campaign): Map<UnitLevel, string> {
  const rows = fs.readFileSync(fromRoot('campaigns', 'demo', `${campaign.id}.csv`), 'utf8').trim().split('\n').slice(1);
  const out = new Map<UnitLevel, string>();
  for (const row of rows) {
    const [, level, , code] = row.split(',');
    if (!out.has(level as UnitLevel) && campaign.participants.collectives.includes(level as UnitLevel)) out.set(level as UnitLevel, code!);
  }
  return out;
}

/** The part prompt lines ("Hồ sơ n/total: …") of `r`. */
const partLines = (text: string) => text.split('\n').filter((l) => /^Hồ sơ \d+\/\d+: /.test(l));

describe.each(PRESETS)('preset $id: what a plan is silent on', (preset) => {
  const campaign = loadCampaign(preset.id);
  const levels = unitPerLevel(campaign);
  let bot: TestBot;
  beforeAll(async () => {
    bot = await startBot(preset.id, { now: new Date(preset.now) });
    for (const [level, code] of levels) await joinWithInvite(bot, `o-${level}`, 'officer', code);
  });
  afterAll(() => bot?.close());

  it('the demo list has a unit of every level that proposes', () => {
    expect(levels.size).toBeGreaterThan(0);
  });

  it('for every (level, award, review) the parts asked are exactly those that apply, each stated as the plan says it', async () => {
    const open = reviewsOpenIn(campaign, preset.year);
    expect(open.length).toBeGreaterThan(0);
    for (const [level] of levels) {
      const user = `o-${level}`;
      for (const [i, { award, review }] of open.entries()) {
        const expected = partsFor(campaign, { level, awardId: award.id, reviewId: review.id });
        let r = await bot.say(user, 'go|nominate');
        if (bot.text(r).includes('Bạn muốn lập hồ sơ mới')) r = await bot.say(user, bot.button(r, 'Lập hồ sơ đề nghị mới'));
        if (campaign.reportingYears.length > 1) r = await bot.say(user, String(preset.year));
        r = await bot.say(user, bot.button(r, 'Chính đơn vị'));
        r = await bot.say(user, String(i + 1));
        r = await bot.say(user, 'Thành tích nổi bật');
        const asked: string[] = [];
        while (r.at(-1)?.expectsFile) {
          asked.push(...partLines(bot.text(r)));
          r = await bot.say(user, bot.button(r, 'Bổ sung sau'));
        }
        const at = `${level} ${award.id}/${review.id}`;
        expect(asked.length, at).toBe(expected.length);
        expected.forEach((p, n) => {
          const line = asked[n]!;
          expect(line, at).toContain(`Hồ sơ ${n + 1}/${expected.length}: ${p.label.vi} (`);
          expect(line.includes(OWN_CHOICE), `${at} ${p.id}: shown as ${planSays(p.source) ? 'the plan' : 'the campaign'}'s`).toBe(!planSays(p.source));
        });
        // Completeness counts the same parts: the confirm step marks exactly the required ones as missing, and counts them.
        const required = expected.filter((p) => p.required).map((p) => p.label.vi);
        const summary = bot.text(r);
        expect(summary, at).toContain(required.length ? `Còn thiếu ${required.length} thành phần bắt buộc` : 'Hồ sơ đã đủ các thành phần bắt buộc');
        for (const p of expected) expect(summary, `${at} ${p.id}`).toContain(`${p.label.vi}: ${p.required ? 'còn thiếu' : 'chưa có (không bắt buộc)'}`);
        expect(summary.split(': còn thiếu').length - 1, at).toBe(required.length);
        await bot.say(user, bot.button(r, 'Lưu nháp'));
      }
    }
  });

  it('every standard is stated as the plan says it: inferred minimums as the standing office’s guidance', async () => {
    for (const [level] of levels) {
      const standard = standardFor(campaign, level);
      if (!standard) continue;
      const user = `o-${level}`;
      let r = await bot.say(user, 'go|report');
      if (campaign.reportingYears.length > 1) r = await bot.say(user, String(preset.year));
      for (const ind of standard.indicators) {
        const text = bot.text(r);
        expect(text, `${level} ${ind.id}`).toContain(ind.label.vi);
        expect(text.includes(OWN_CHOICE), `${level} ${ind.id}: shown as ${planSays(ind.source) ? 'the plan' : 'the campaign'}'s`).toBe(!planSays(ind.source));
        r = await bot.say(user, '90');
      }
      await bot.say(user, 'Hủy');
    }
  });
});

describe('the presets after issue 14', () => {
  it('Bình Thành: a xóm is not asked for council minutes; an ad-hoc award is not asked for the year’s tổng kết report', () => {
    const c = loadCampaign('binh-thanh-2024');
    const ids = (level: UnitLevel, reviewId: string) => partsFor(c, { level, awardId: 'giay-khen-ubnd-xa', reviewId }).map((p) => p.id);
    expect(ids('hamlet', 'tong-ket-2024')).not.toContain('bien_ban');
    expect(ids('tech_team', 'tong-ket-2024')).not.toContain('bien_ban');
    expect(ids('commune_agency', 'tong-ket-2024')).toContain('bien_ban');
    expect(ids('hamlet', 'dot-xuat')).not.toContain('bao_cao_so_tong_ket');
    expect(ids('hamlet', 'tong-ket-2024')).toContain('bao_cao_so_tong_ket');
  });

  it('every preset: an ad-hoc or yearly review is never asked for the sơ kết / tổng kết report', () => {
    for (const { id } of PRESETS) {
      const c = loadCampaign(id);
      for (const a of c.awards)
        for (const r of a.reviews)
          if (r.kind === 'ad_hoc' || r.kind === 'yearly')
            for (const level of c.participants.collectives)
              expect(partsFor(c, { level, awardId: a.id, reviewId: r.id }).map((p) => p.id), `${id} ${a.id}/${r.id}`).not.toContain('bao_cao_so_tong_ket');
    }
  });
});
