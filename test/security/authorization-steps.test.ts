import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reviewsOpenIn, standardFor } from '../../src/domain/index.js';
import { CLI_ACTOR, isStoreError, type Actor } from '../../src/store/index.js';
import { joinWithInvite, PDF, startBot, type TestBot } from '../helpers/bot.js';
import { startTelegramBot, textOf, type TelegramTestBot } from '../helpers/telegram.js';

/**
 * Issue #11 item 3: authority is checked at every step. For every flow a role can run and
 * every step k, a user walks to step k, loses their access through the store's own revoke
 * (what `/canbo` and `people:revoke` call), answers the next step, and must get the clear
 * message with nothing saved: no audit entry (every store change has one), no queued job.
 */
const ENDED = 'Quyền của bạn vừa thay đổi';
const YEAR = 2025;

type Input = string | { file: string };
interface Case {
  flow: string;
  /** Makes a fresh user able to run the flow; returns the inputs from its start to its confirmation. */
  setup(user: string): Promise<Input[]>;
}

describe('authorization at every step: access ending mid-flow saves nothing', () => {
  let bot: TestBot;
  const officer = (user: string) => joinWithInvite(bot, user, 'officer', 'HD-TK-HDA');
  const staff = (user: string) => joinWithInvite(bot, user, 'staff', 'HD-TK');
  /** Staff of the office that receives the dossier (the plan's Bằng khen goes to Sở Nội vụ's Ban Thi đua - Khen thưởng). */
  const reviewer = (user: string) => joinWithInvite(bot, user, 'staff', 'HD-SNV');

  beforeAll(async () => {
    bot = await startBot('hai-duong-2021-2025', { now: new Date('2025-11-20T03:00:00Z') });
  });
  afterAll(() => bot.close());

  const send = (user: string, input: Input) => (typeof input === 'string' ? bot.say(user, input) : bot.upload(user, PDF, input.file));
  /** BullMQ keys: a queued job (outbox, alert, broadcast) is a new one. */
  const jobKeys = async () => (await bot.app.redis.keys(`${bot.prefix}:bull:*`)).sort();

  async function submittedDossier(): Promise<string> {
    const { store, campaign } = bot.app;
    const unit = (await store.units.getByCode('HD-TK-QP'))!;
    const { award, review } = reviewsOpenIn(campaign, YEAR)[0]!;
    const by: Actor = { id: 'sim:seed-officer', role: 'officer', channel: 'sim' };
    const n = await store.nominations.createDraft(
      { campaignId: campaign.id, year: YEAR, unitId: unit.id, awardId: award.id, reviewId: review.id, nominee: { type: 'collective', unitId: unit.id, name: unit.name }, createdBy: by.id },
      by,
    );
    return (await store.nominations.setStatus(n.id, 'submitted', {}, by)).id;
  }

  const cases: Case[] = [
    { flow: 'register', setup: async (u) => (await officer(u), ['/dangky', String(YEAR), 'tất cả', 'Cam kết của đơn vị', 'Xác nhận']) },
    {
      flow: 'report',
      setup: async (u) => {
        await officer(u);
        const n = standardFor(bot.app.campaign, 'commune')!.indicators.length;
        return ['/baocao', String(YEAR), ...Array.from({ length: n }, () => '95'), 'bỏ qua', 'Xác nhận'];
      },
    },
    {
      flow: 'nominate',
      setup: async (u) => (
        await officer(u),
        ['/dexuat', String(YEAR), 'Một cá nhân', 'Nguyễn Văn Thử', 'Văn thư', 'UBND xã Hưng Đạo', '1', 'Thành tích', { file: 'to-trinh.pdf' }, 'để sau', 'để sau', 'để sau', 'để sau', 'Gửi hồ sơ']
      ),
    },
    { flow: 'review_accept', setup: async (u) => (await reviewer(u), [`go|review_accept|${await submittedDossier()}`, 'Chấp nhận']) },
    { flow: 'review_return', setup: async (u) => (await reviewer(u), [`go|review_return|${await submittedDossier()}`, 'Thiếu biên bản họp', 'Trả lại']) },
    { flow: 'invite', setup: async (u) => (await staff(u), ['/moi', '1', 'Hưng Đạo', '1', 'Cấp mã']) },
    {
      flow: 'announce',
      setup: async (u) => {
        // A second admin, so revoking this one is not refused as the last.
        await bot.app.store.identities.upsert(
          { channel: 'sim', userId: u, personId: null, role: 'admin', unitId: null, lang: 'vi', lastInboundAt: null, unreachable: false, createdAt: new Date().toISOString() },
          CLI_ACTOR,
        );
        return ['/thongbao', 'Họp giao ban sáng thứ Hai', '1', '1', 'Gửi thông báo'];
      },
    },
  ];

  for (const c of cases) {
    it(`${c.flow}: walked to the end with access kept, it saves (the inputs are right)`, async () => {
      const user = `${c.flow}-ok`;
      const inputs = await c.setup(user);
      const audit = await bot.app.store.audit.length();
      const jobs = (await jobKeys()).length;
      let last = '';
      for (const input of inputs) last = bot.text(await send(user, input));
      expect(last).not.toContain(ENDED);
      // A store change (audited) or, for an announcement, a queued broadcast.
      expect((await bot.app.store.audit.length()) - audit + (await jobKeys()).length - jobs).toBeGreaterThan(0);
      expect((await bot.app.engine.sessions.load('sim', user))?.flow).toBeNull();
    });

    it(`${c.flow}: revoked after any step, the next answer ends the flow and saves nothing`, async () => {
      const steps = (await c.setup(`${c.flow}-0`)).length;
      for (let k = 1; k < steps; k++) {
        const who = `${c.flow}-${k}`;
        const inputs = await c.setup(who);
        for (const input of inputs.slice(0, k)) await send(who, input);
        expect((await bot.app.engine.sessions.load('sim', who))?.flow, `step ${k}`).toBe(c.flow);
        await bot.app.store.identities.revoke('sim', who, CLI_ACTOR);
        const audit = await bot.app.store.audit.length();
        const jobs = await jobKeys();
        const replies = bot.text(await send(who, inputs[k]!));
        expect(replies, `${c.flow} step ${k}`).toContain(ENDED);
        expect(await bot.app.store.audit.length(), `${c.flow} step ${k}: audit`).toBe(audit);
        expect(await jobKeys(), `${c.flow} step ${k}: jobs`).toEqual(jobs);
        expect((await bot.app.engine.sessions.load('sim', who))?.flow ?? null).not.toBe(c.flow);
      }
    });
  }

  it('an officer moved to another unit at the summary cannot submit the old unit’s dossier', async () => {
    const user = 'moved-officer';
    const inputs = await cases.find((c) => c.flow === 'nominate')!.setup(user);
    for (const input of inputs.slice(0, -1)) await send(user, input);
    await joinWithInvite(bot, 'moved-helper', 'officer', 'HD-TK-QP');
    const qp = (await bot.app.store.units.getByCode('HD-TK-QP'))!;
    await bot.app.store.identities.update('sim', user, { unitId: qp.id }, CLI_ACTOR);
    const audit = await bot.app.store.audit.length();
    expect(bot.text(await send(user, 'Gửi hồ sơ'))).toContain(ENDED);
    expect(await bot.app.store.audit.length()).toBe(audit);
  });

  it('the store refuses a chat user’s change once their grant is gone, even if the engine had let it through', async () => {
    const user = 'race-officer';
    await officer(user);
    const identity = (await bot.app.store.identities.get('sim', user))!;
    const actor: Actor = { id: `sim:${user}`, role: 'officer', channel: 'sim', grant: { role: 'officer', unitId: identity.unitId } };
    const { campaign } = bot.app;
    const { award, review } = reviewsOpenIn(campaign, YEAR)[0]!;
    const draft = await bot.app.store.nominations.createDraft(
      { campaignId: campaign.id, year: YEAR, unitId: identity.unitId!, awardId: award.id, reviewId: review.id, nominee: { type: 'collective', unitId: identity.unitId!, name: 'Xã' }, createdBy: actor.id },
      actor,
    );
    await bot.app.store.identities.revoke('sim', user, CLI_ACTOR);
    const err = await bot.app.store.nominations.setStatus(draft.id, 'submitted', {}, actor).catch((e: unknown) => e);
    expect(isStoreError(err, 'revoked'), String(err)).toBe(true);
    expect((await bot.app.store.nominations.get(draft.id))!.status).toBe('draft');
  });
});

describe('authorization at every step, over Telegram', () => {
  let t: TelegramTestBot;
  beforeAll(async () => {
    t = await startTelegramBot();
  });
  afterAll(() => t?.close());

  it('an officer revoked at the registration summary presses Xác nhận: clear message, nothing registered', async () => {
    const OFFICER = 8101;
    const { store, campaign } = t.bot.app;
    const unit = (await store.units.getByCode('TN-DH-BT-X01'))!;
    const code = await store.invites.create({ role: 'officer', unitId: unit.id, createdBy: 'test' }, CLI_ACTOR);
    await t.send(t.tg.command({ userId: OFFICER, command: 'start' }), OFFICER);
    await t.press(OFFICER, 'Cán bộ đơn vị');
    await t.send(t.tg.text({ userId: OFFICER, text: code }), OFFICER);
    await t.send(t.tg.text({ userId: OFFICER, text: '/dangky' }), OFFICER);
    await t.send(t.tg.text({ userId: OFFICER, text: 'tất cả' }), OFFICER);
    const summary = await t.send(t.tg.text({ userId: OFFICER, text: 'bỏ qua' }), OFFICER);
    expect(summary.map(textOf).join('\n')).toContain('Kiểm tra lại đăng ký');
    await store.identities.revoke('telegram', String(OFFICER), CLI_ACTOR);
    const audit = await store.audit.length();
    const replies = await t.press(OFFICER, 'Xác nhận');
    expect(replies.map(textOf).join('\n')).toContain(ENDED);
    expect(await store.audit.length()).toBe(audit);
    expect(await store.registrations.get(campaign.id, 2024, { type: 'unit', unitId: unit.id })).toBeNull();
  });
});
