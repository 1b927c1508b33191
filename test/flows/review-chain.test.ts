import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reviewSteps } from '../../src/domain/index.js';
import type { Nomination, Unit } from '../../src/domain/entities.js';
import { PRESETS } from '../helpers/presets.js';
import { startBot, type TestBot } from '../helpers/bot.js';
import { addIdentity, addNomination, TEST_ACTOR } from '../helpers/jobs.js';

/**
 * Review follows the plan's offices (issue 14 item 2): for every review of every preset, a
 * dossier of the demo officer's unit goes receive → appraise → propose, each step decided in
 * the chat by the staff of the unit holding that step's office (the demo seed makes one per
 * office), while the staff of every other office — and the staff following the campaign at the
 * issuer's unit (can-bo-theo-doi), unless that unit holds the step's office — cannot accept or return it at that step.
 */

const REFUSED = /chỉ cán bộ của .+ quyết định ở bước này/;

/** A sent dossier of `unit` for one award review, with every part. */
async function sentDossier(bot: TestBot, unit: Unit, awardId: string, reviewId: string, year: number): Promise<Nomination> {
  const n = await addNomination(bot.app, bot.dataDir, unit.code, { year, parts: bot.app.campaign.dossierParts.map((p) => p.id) });
  const moved = await bot.app.store.nominations.update(n.id, { awardId, reviewId }, TEST_ACTOR);
  return bot.app.store.nominations.setStatus(moved.id, 'submitted', {}, TEST_ACTOR);
}

/** The chat accounts of every staff member, by the unit they hold. */
async function staffByUnit(bot: TestBot): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  for (const s of await bot.app.store.identities.listByRole('staff')) out.set(s.unitId!, [...(out.get(s.unitId!) ?? []), s.userId]);
  return out;
}

describe.each(PRESETS)('$id: every review chain, step by step, through the chat', (preset) => {
  let bot: TestBot;
  let officerUnit: Unit;
  beforeAll(async () => {
    bot = await startBot(preset.id, { now: new Date(preset.now) });
    const officer = await bot.app.store.identities.get('sim', 'can-bo-don-vi');
    officerUnit = (await bot.app.store.units.get(officer!.unitId!))!;
  });
  afterAll(() => bot?.close());

  it('each office’s staff act in turn; every other staff member is refused at that step; the officer sees where it is', async () => {
    const { campaign, store } = bot.app;
    const reviews = campaign.awards.flatMap((a) => a.reviews.filter((r) => r.chain).map((r) => ({ award: a, review: r })));
    expect(reviews.length, 'every review of a seed preset has a chain').toBe(campaign.awards.flatMap((a) => a.reviews).length);
    const staff = await staffByUnit(bot);
    for (const { award, review } of reviews) {
      const year = review.year ?? preset.year;
      const n = await sentDossier(bot, officerUnit, award.id, review.id, year);
      const steps = reviewSteps(campaign, award.id, review.id);
      expect(steps.map((s) => s.step)).toEqual(review.chain!.filter((s) => s.office).map((s) => s.step));
      for (const [i, s] of steps.entries()) {
        const holder = await store.units.officeUnit(officerUnit.id, s.office!.id);
        expect(holder, `${award.id}/${review.id} ${s.step}: the demo list has a unit holding ${s.office!.id}`).not.toBeNull();
        const mine = staff.get(holder!.id) ?? [];
        expect(mine.length, `${s.step}: the demo seed made staff for ${holder!.name}`).toBeGreaterThan(0);
        // Everyone else — other offices of the chain, the staff following the campaign at the issuer's unit, the offices of other chains — is refused.
        const others = [...staff].filter(([unitId]) => unitId !== holder!.id).flatMap(([, users]) => users);
        if (!mine.includes('can-bo-theo-doi')) expect(others).toContain('can-bo-theo-doi');
        for (const other of others) {
          for (const flow of ['review_accept', 'review_return']) {
            const r = bot.text(await bot.say(other, `go|${flow}|${n.id}`));
            expect(r, `${other} ${flow} at ${s.step}`).toMatch(/chỉ cán bộ của|không thuộc các đơn vị/);
            await bot.say(other, 'hủy');
          }
        }
        expect((await store.nominations.get(n.id))!.steps ?? []).toHaveLength(i);
        // The officer reads which office has it now.
        const status = bot.text(await bot.say('can-bo-don-vi', `/tinhtrang ${year}`));
        expect(status).toContain(`${s.step === 'receive' ? 'đang chờ tiếp nhận tại' : s.step === 'appraise' ? 'đang thẩm định tại' : 'đang chờ'} ${holder!.name}`);
        // The office's staff see it in their list and accept it.
        const user = mine[0]!;
        expect(bot.text(await bot.say(user, '/hoso'))).toMatch(/chờ duyệt/);
        await bot.say(user, 'hủy');
        let r = await bot.say(user, `go|review_accept|${n.id}`);
        r = await bot.say(user, bot.button(r, 'Chấp nhận'));
        const after = (await store.nominations.get(n.id))!;
        const rec = after.steps!.at(-1)!;
        expect(rec).toMatchObject({ step: s.step, office: s.office!.id, officeUnitId: holder!.id, decision: 'accepted', actor: `sim:${user}`, asAdmin: false });
        expect(rec.at).toBe(bot.clock.now.toISOString());
        if (i < steps.length - 1) {
          expect(after).toMatchObject({ status: 'submitted', step: steps[i + 1]!.step });
          expect(bot.text(r)).toContain(`Đã ${s.step === 'appraise' ? 'thẩm định' : 'tiếp nhận'} hồ sơ số ${n.id.slice(2)}`);
        } else {
          expect(after.status).toBe('accepted');
          expect(bot.text(r)).toContain(`và trình ${s.authority!.vi}`);
        }
      }
      const audit = (await store.audit.forEntity(n.id)).map((e) => e.action);
      expect(audit.filter((a) => a === 'nomination.forwarded')).toHaveLength(steps.length - 1);
      expect(audit.at(-1)).toBe('nomination.accepted');
      expect(bot.text(await bot.say('can-bo-don-vi', `/tinhtrang ${year}`))).toContain(`đã được chấp nhận, trình ${steps.at(-1)!.authority!.vi}`);
    }
  });
});

describe('returns, admins and stale buttons (Đồng Tháp: Sở TT-TT receives, Sở Nội vụ appraises and proposes)', () => {
  let bot: TestBot;
  beforeAll(async () => {
    bot = await startBot('dong-thap-2021-2025', { now: new Date('2025-11-20T03:00:00Z') });
  });
  afterAll(() => bot?.close());

  const dossier = async () => sentDossier(bot, (await bot.app.store.units.getByCode('DT-CL-ML'))!, 'bang-khen-ubnd-tinh', 'tong-ket-2025', 2025);

  it('a return at the appraisal step needs a reason, reaches the officer, and the resent dossier starts again at the receiving office', async () => {
    const { store } = bot.app;
    const n = await dossier();
    let r = await bot.say('can-bo-so-tttt', `go|review_accept|${n.id}`);
    await bot.say('can-bo-so-tttt', bot.button(r, 'Chấp nhận'));
    expect((await store.nominations.get(n.id))!.step).toBe('appraise');
    // The receiving office can no longer return it: the dossier is at Sở Nội vụ now.
    expect(bot.text(await bot.say('can-bo-so-tttt', `go|review_return|${n.id}`))).toMatch(REFUSED);
    r = await bot.say('can-bo-so-noi-vu', `go|review_return|${n.id}`);
    expect(bot.text(r)).toContain('Lý do trả lại');
    r = await bot.say('can-bo-so-noi-vu', '   ');
    expect((await store.nominations.get(n.id))!.status).toBe('submitted');
    r = await bot.say('can-bo-so-noi-vu', 'Thiếu xác nhận của UBND huyện');
    r = await bot.say('can-bo-so-noi-vu', bot.button(r, 'Trả lại'));
    const back = (await store.nominations.get(n.id))!;
    expect(back).toMatchObject({ status: 'returned', returnReason: 'Thiếu xác nhận của UBND huyện' });
    expect(back.step).toBeUndefined();
    expect(back.steps!.map((x) => [x.step, x.decision])).toEqual([
      ['receive', 'accepted'],
      ['appraise', 'returned'],
    ]);
    const resent = await store.nominations.setStatus(n.id, 'submitted', {}, TEST_ACTOR);
    expect(bot.text(await bot.say('can-bo-don-vi', '/tinhtrang 2025'))).toContain('đang chờ tiếp nhận tại Sở Thông tin và Truyền thông');
    expect(bot.text(await bot.say('can-bo-so-noi-vu', `go|review_accept|${resent.id}`))).toMatch(REFUSED);
  });

  it('an admin may decide at any step, recorded as admin', async () => {
    const n = await dossier();
    await addIdentity(bot.app, 'sim', 'admin-2', { role: 'admin' });
    for (const step of ['receive', 'appraise', 'propose']) {
      let r = await bot.say('admin-2', `go|review_accept|${n.id}`);
      r = await bot.say('admin-2', bot.button(r, 'Chấp nhận'));
      expect((await bot.app.store.nominations.get(n.id))!.steps!.at(-1)).toMatchObject({ step, asAdmin: true, actor: 'sim:admin-2', officeUnitId: expect.any(String) });
    }
    expect((await bot.app.store.nominations.get(n.id))!.status).toBe('accepted');
  });

  it('a stale accept — pressed after another office (here an admin) moved the dossier on — is refused clearly and changes nothing', async () => {
    const { store } = bot.app;
    const n = await dossier();
    const r = await bot.say('can-bo-so-tttt', `go|review_accept|${n.id}`);
    const press = bot.button(r, 'Chấp nhận');
    await store.nominations.decide(n.id, { campaign: bot.app.campaign, step: 'receive', decision: 'accepted', officeUnitId: null, personId: null }, TEST_ACTOR);
    const before = await store.nominations.get(n.id);
    const answer = bot.text(await bot.say('can-bo-so-tttt', press));
    expect(answer).toContain(`Hồ sơ số ${n.id.slice(2)} đã được chuyển đi, hiện đang thẩm định tại Sở Nội vụ`);
    expect(await store.nominations.get(n.id)).toEqual(before);
  });

  it('the store refuses a decision at a step the dossier has left, or by staff not holding the office, in the same atomic change', async () => {
    const { store, campaign } = bot.app;
    const n = await dossier();
    const tttt = (await store.units.getByCode('DT-STTTT'))!;
    const snv = (await store.units.getByCode('DT-SNV'))!;
    const staff = (unitId: string) => ({ id: 'sim:x', role: 'staff', channel: 'sim', grant: { role: 'staff', unitId } }) as const;
    const decision = { campaign, decision: 'accepted' as const, personId: null };
    // Staff of Sở Nội vụ claiming the receiving step with their own unit: not theirs.
    await expect(store.nominations.decide(n.id, { ...decision, step: 'receive', officeUnitId: tttt.id }, { ...staff(snv.id), grant: undefined, role: 'staff' })).rejects.toMatchObject({ code: 'not_allowed' });
    await expect(store.nominations.decide(n.id, { ...decision, step: 'appraise', officeUnitId: snv.id }, TEST_ACTOR)).rejects.toMatchObject({ code: 'stale_step' });
    expect((await store.nominations.get(n.id))!.steps ?? []).toEqual([]);
    // A chat user cannot skip the chain with a bare status change.
    await expect(store.nominations.setStatus(n.id, 'accepted', {}, staff(tttt.id))).rejects.toMatchObject({ code: 'not_allowed' });
  });
});
