import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startWorkers, type RunningWorkers } from '../../jobs/index.js';
import { loadCampaign } from '../../src/campaign/load.js';
import { reviewsOpenIn, reviewSteps } from '../../src/domain/index.js';
import type { TranscriptEntry } from '../../src/channels/simulator/channel.js';
import type { Unit } from '../../src/domain/entities.js';
import { PRESETS } from '../helpers/presets.js';
import { startBot, type TestBot } from '../helpers/bot.js';
import { addIdentity, addNomination, outboxDrained, stopAfterEach, TEST_ACTOR, unitByCode } from '../helpers/jobs.js';
import { buttonsOf, startTelegramBot, textOf } from '../helpers/telegram.js';

/**
 * A dossier that moves on in its review chain is announced (issue: nobody was told): when the
 * office at one step accepts it in the chat, every staff member of the office holding the next
 * step — but the one who just sent it on, when that office holds both steps — gets one message
 * through the outbox naming the dossier, the unit, the office that sent it and the step they
 * must take, with a button that opens it; nobody else on staff does; the unit's officer gets a
 * line that it moved on. For every preset whose plan has a chain of more than one step.
 */

const OFFICER = 'can-bo-don-vi';

/** Per preset, the first review open in its year whose chain has more than one step. */
const CASES = PRESETS.map((preset) => {
  const campaign = loadCampaign(preset.id);
  const found = reviewsOpenIn(campaign, preset.year).find((r) => reviewSteps(campaign, r.award.id, r.review.id).length > 1);
  return { preset, award: found?.award, review: found?.review };
});

/** The messages the outbox delivered to a simulator account. */
const delivered = async (bot: TestBot, user: string): Promise<TranscriptEntry[]> => (await bot.app.simulator.transcript(user)).filter((e) => e.from === 'bot');

describe.each(CASES)('$preset.id: the next office hears when a dossier moves on', ({ preset, award, review }) => {
  let bot: TestBot;
  let workers: RunningWorkers;
  beforeAll(async () => {
    bot = await startBot(preset.id, { now: new Date(preset.now) });
    workers = await startWorkers(bot.app, { schedules: false });
  });
  afterAll(async () => {
    await workers?.close();
    await bot?.close();
  });

  it('each step’s staff (and only they) get "Hồ sơ số N", the unit, the step and a button; the officer gets a line', async () => {
    if (!award || !review) throw new Error(`${preset.id}: no review with a chain of more than one step`);
    const { store, campaign } = bot.app;
    const officer = (await store.identities.get('sim', OFFICER))!;
    const unit = (await store.units.get(officer.unitId!))!;
    const created = await addNomination(bot.app, bot.dataDir, unit.code, { year: review.year ?? preset.year, parts: campaign.dossierParts.map((p) => p.id), status: 'draft' });
    await store.nominations.update(created.id, { awardId: award.id, reviewId: review.id }, TEST_ACTOR);
    const n = await store.nominations.setStatus(created.id, 'submitted', {}, TEST_ACTOR);
    const number = n.id.slice(2);
    const staff = new Map<string, string[]>();
    for (const s of await store.identities.listByRole('staff')) staff.set(s.unitId!, [...(staff.get(s.unitId!) ?? []), s.userId]);
    const everyone = [...staff.values()].flat();
    const steps = reviewSteps(campaign, award.id, review.id);
    const holders: Unit[] = [];
    for (const s of steps) holders.push((await store.units.officeUnit(unit.id, s.office!.id))!);
    const about = (e: TranscriptEntry) => e.text.includes(`Hồ sơ số ${number} của`);
    // How many such messages each staff member should have so far (one office may hold two steps).
    const expected = new Map<string, number>();

    let sender: string | null = null;
    for (const [i, s] of steps.entries()) {
      const holder = holders[i]!;
      const mine = staff.get(holder.id) ?? [];
      expect(mine.length, `${s.step}: the demo seed made staff for ${holder.name}`).toBeGreaterThan(0);
      // Who hears: this office's staff but the one who just sent it on.
      const told = mine.filter((u) => u !== sender);
      if (i > 0 && told.length > 0) {
        for (const u of told) expected.set(u, (expected.get(u) ?? 0) + 1);
        // Every staff member of this step's office hears, once, through the outbox.
        const heard = await vi.waitFor(
          async () => {
            const got = await Promise.all(told.map(async (u) => (await delivered(bot, u)).filter(about)));
            if (got.some((g, k) => g.length < expected.get(told[k]!)!)) throw new Error('not yet');
            return got.map((g) => g.at(-1)!);
          },
          { timeout: 15_000, interval: 50 },
        );
        const from = holders[i - 1]!.name;
        for (const m of heard) {
          expect(m.text).toContain(`📨 Hồ sơ số ${number} của ${unit.name} (Nguyễn Văn An) đã được ${from} ${steps[i - 1]!.step === 'appraise' ? 'thẩm định' : 'tiếp nhận'} và chuyển đến ${holder.name}.`);
          expect(m.text).toContain(s.step === 'propose' ? `Bạn cần xem xét, trình ${s.authority!.vi}.` : s.step === 'appraise' ? 'Bạn cần thẩm định hồ sơ.' : 'Bạn cần tiếp nhận hồ sơ.');
          expect(m.text).toContain(`Mở hồ sơ: /hoso ${number}`);
          expect(m.choices).toEqual([{ payload: `go|review|${n.id}`, label: `Mở hồ sơ số ${number}` }]);
        }
        // The button opens the dossier, with the decision buttons for this office.
        const opened = await bot.say(told[0]!, heard[0]!.choices![0]!.payload);
        expect(bot.text(opened)).toContain(`Hồ sơ số ${number} — `);
        expect(bot.button(opened, 'Chấp nhận')).toBe(`go|review_accept|${n.id}`);
      }
      if (i > 0) {
        // The officer reads where it went.
        const lines = await vi.waitFor(
          async () => {
            const got = (await delivered(bot, OFFICER)).filter((e) => e.text.startsWith(`Hồ sơ số ${number} — `));
            if (got.length < i) throw new Error('not yet');
            return got;
          },
          { timeout: 15_000, interval: 50 },
        );
        expect(lines).toHaveLength(i);
        expect(lines.at(-1)!.text).toContain(`đã được ${steps[i - 1]!.step === 'appraise' ? 'thẩm định' : 'tiếp nhận'}; hồ sơ ${s.step === 'appraise' ? 'đang thẩm định tại' : s.step === 'propose' ? 'đang chờ' : 'đang chờ tiếp nhận tại'} ${holder.name}`);
      }
      sender = mine[0]!;
      let r = await bot.say(sender, `go|review_accept|${n.id}`);
      r = await bot.say(sender, bot.button(r, 'Chấp nhận'));
      if (i < steps.length - 1) expect(bot.text(r)).toMatch(new RegExp(`Đã báo cho \\d+ cán bộ của ${unit.name}\\.`));
    }
    // The last step proposes: the officer hears that; the staff of offices at no later step heard only what was theirs.
    await vi.waitFor(
      async () => {
        if (!(await delivered(bot, OFFICER)).some((e) => e.text.includes('đã được chấp nhận và trình'))) throw new Error('not yet');
      },
      { timeout: 15_000, interval: 50 },
    );
    for (const u of everyone) expect((await delivered(bot, u)).filter(about).length, u).toBe(expected.get(u) ?? 0);
  });
});

describe('the forwarded alert on Telegram: a group linked to the next office hears, each person in their language, once; a stale job sends nothing', () => {
  const track = stopAfterEach();

  it('Bình Thành: the Văn phòng – Thống kê receives, the council’s group and its English-speaking member hear; nobody else', async () => {
    const t = track(await startTelegramBot('binh-thanh-2024', { now: new Date('2024-11-20T03:00:00Z') }));
    const { app } = t.bot;
    const { store, campaign } = app;
    const GROUP = -1005550101;
    const MEMBER = 6301;
    const OTHER = 6302;
    const unit = await unitByCode(app, 'TN-DH-BT-X01');
    const n = await addNomination(app, t.bot.dataDir, unit.code, { year: 2024, parts: campaign.dossierParts.map((p) => p.id), status: 'submitted' });
    const [receive, appraise] = reviewSteps(campaign, n.awardId, n.reviewId);
    expect([receive!.step, appraise!.step]).toEqual(['receive', 'appraise']);
    const receiving = (await store.units.officeUnit(unit.id, receive!.office!.id))!;
    const council = (await store.units.officeUnit(unit.id, appraise!.office!.id))!;
    await addIdentity(app, 'telegram', String(MEMBER), { role: 'staff', unitId: council.id, lang: 'en' });
    // Staff of the district above the commune: in no step of this chain.
    await addIdentity(app, 'telegram', String(OTHER), { role: 'staff', unitCode: 'TN-DH' });
    await store.groupLinks.link({ chatId: String(GROUP), title: 'Hội đồng TĐKT xã', officeUnitId: council.id, linkedBy: `telegram:${MEMBER}`, linkedAt: new Date().toISOString() }, TEST_ACTOR);
    track(await startWorkers(app, { schedules: false }));

    const decider = (await store.identities.listByRole('staff')).find((s) => s.channel === 'sim' && s.unitId === receiving.id)!.userId;
    let r = await t.bot.say(decider, `go|review_accept|${n.id}`);
    r = await t.bot.say(decider, t.bot.button(r, 'Chấp nhận'));
    expect(t.bot.text(r)).toContain(`Đã tiếp nhận hồ sơ số ${n.id.slice(2)}`);
    await t.fake.waitFor(() => t.fake.messagesTo(GROUP).length >= 1 && t.fake.messagesTo(MEMBER).length >= 1, 10_000);
    const number = n.id.slice(2);
    const [group] = t.fake.messagesTo(GROUP);
    expect(textOf(group!)).toBe(
      `📨 Hồ sơ số ${number} của ${unit.name} (Nguyễn Văn An) đã được ${receiving.name} tiếp nhận và chuyển đến ${council.name}. Bạn cần thẩm định hồ sơ.\nMở hồ sơ: /hoso ${number}`,
    );
    expect(buttonsOf(group!)).toEqual([{ text: `Mở hồ sơ số ${number}`, callback_data: `go|review|${n.id}` }]);
    expect(textOf(t.fake.messagesTo(MEMBER)[0]!)).toBe(
      `📨 Dossier no. ${number} of ${unit.name} (Nguyễn Văn An) was received by ${receiving.name} and has moved to ${council.name}. You need to appraise the dossier.\nOpen it: /hoso ${number}`,
    );
    // The job again, or a job for a step the dossier has left: nothing more.
    expect((await app.jobs.runForwardedAlert(n.id, 'appraise')).queued).toBe(0);
    expect((await app.jobs.runForwardedAlert(n.id, 'receive')).planned).toBe(0);
    await outboxDrained(app);
    expect(t.fake.messagesTo(GROUP)).toHaveLength(1);
    expect(t.fake.messagesTo(MEMBER)).toHaveLength(1);
    expect(t.fake.messagesTo(OTHER)).toEqual([]);
  });
});
