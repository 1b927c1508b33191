import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Message, Update } from 'grammy/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCampaign } from '../../src/campaign/load.js';
import { partsFor, reminderSchedule, reviewSteps, reviewsOpenIn, standardFor } from '../../src/domain/index.js';
import type { Nomination } from '../../src/domain/entities.js';
import { startWorkers, type RunningWorkers } from '../../jobs/index.js';
import { startFakeTelegram, type FakeTelegram } from '../fakes/telegram-bot-api.js';
import { telegramUpdates } from '../fakes/telegram-updates.js';
import type { SentZaloMessage } from '../fakes/zalo-openapi.js';
import { acceptThroughChain, PDF } from '../helpers/bot.js';
import { addNomination, outboxDrained, TEST_ACTOR } from '../helpers/jobs.js';
import { buttonsOf, SECRET, textOf } from '../helpers/telegram.js';
import { buttonPayload, startZaloBot, type ZaloTestBot } from '../helpers/zalo.js';

/**
 * Issue 13, "done when", on the platforms: for every preset in campaigns/*.json, one app with
 * Telegram and Zalo pointed at their local fakes. An officer on Telegram and one on Zalo each
 * play the whole conversation through the real webhooks, pressing buttons as a person would:
 * register → report → nominate with parts missing → the dossier reminder (queued, sent by the
 * outbox worker to the fake) → its button pressed in the middle of another conversation →
 * complete the dossier → staff on Telegram hear it is complete, open it from the alert's button
 * and accept it → the officer hears it was accepted on their own channel. Then staff pause on
 * dossier 2 and act on dossier 3. Every text anybody received names dossiers by number, never
 * by internal id (n_12).
 */
const PRESETS = fs
  .readdirSync(new URL('../../campaigns/', import.meta.url))
  .filter((f) => f.endsWith('.json'))
  .map((f) => f.replace(/\.json$/, ''));

const INTERNAL_ID = /\bn_\d+\b/;
const TG_OFFICER = 7_301;
const TG_STAFF = 7_302;
const ZALO_OFFICER = '5512345678901234567';

/** One person's side of a chat, whatever the platform: send text, a file, or press a button among the messages last received. */
interface Side {
  say(text: string): Promise<string[]>;
  upload(bytes: Buffer, name: string): Promise<string[]>;
  press(label: string): Promise<string[]>;
  /** Button labels of the messages last received. */
  labels(): string[];
}

describe.each(PRESETS)('preset %s: the journey on Telegram and Zalo', (id) => {
  const campaign = loadCampaign(id);
  const year = Math.max(...campaign.reportingYears);
  const reminder = reminderSchedule(campaign, ['dossier']).filter((r) => r.year === year).at(-3)!;
  let z: ZaloTestBot;
  let tgFake: FakeTelegram;
  let workers: RunningWorkers;
  let tgUrl: string;
  let tg: ReturnType<typeof telegramUpdates>;
  /** Every text anybody received, for the invariant at the end. */
  const read: string[] = [];
  let counter = 0;
  const uniquePdf = () => Buffer.concat([PDF, Buffer.from(`${id}-${counter++}`)]);

  const tgPost = async (update: Update) => {
    const r = await fetch(tgUrl, { method: 'POST', headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': SECRET }, body: JSON.stringify(update) });
    await r.arrayBuffer();
    if (r.status !== 200) throw new Error(`telegram webhook answered ${r.status}`);
  };

  function telegramSide(userId: number): Side & { last: Message[] } {
    const side = {
      last: [] as Message[],
      async send(update: Update) {
        const before = tgFake.messagesTo(userId).length;
        await tgPost(update);
        side.last = tgFake.messagesTo(userId).slice(before);
        const texts = side.last.map(textOf);
        read.push(...texts);
        return texts;
      },
      say: (text: string) => side.send(text.startsWith('/') ? tg.command({ userId, command: text.slice(1).split(' ')[0]!, args: text.split(' ').slice(1).join(' ') || undefined }) : tg.text({ userId, text })),
      upload: (bytes: Buffer, name: string) => side.send(tg.document({ userId, data: bytes, fileName: name })),
      async press(label: string) {
        for (const m of [...side.last].reverse()) {
          const b = buttonsOf(m).find((x) => x.text.includes(label));
          if (b) return side.send(tg.callbackQuery({ userId, data: b.callback_data, message: m }));
        }
        throw new Error(`no button "${label}" among ${JSON.stringify(side.labels())}`);
      },
      labels: () => side.last.flatMap((m) => buttonsOf(m).map((b) => b.text)),
    };
    return side;
  }

  function zaloSide(userId: string): Side & { last: SentZaloMessage[] } {
    const side = {
      last: [] as SentZaloMessage[],
      record(sent: SentZaloMessage[]) {
        side.last = sent;
        const texts = sent.map((m) => m.text ?? '');
        read.push(...texts);
        return texts;
      },
      say: async (text: string) => side.record(await z.say(userId, text)),
      async upload(bytes: Buffer, name: string) {
        const url = z.fake.addAttachment(`${id}-${counter++}-${name}`, bytes, 'application/pdf');
        return side.record(await z.send(userId, z.ev.userSendFile({ userId, url, name, size: bytes.length })));
      },
      // An `oa.query.hide` button, pressed, arrives as its payload text.
      press: async (label: string) => side.record(await z.say(userId, buttonPayload(side.last, label))),
      labels: () => side.last.flatMap((m) => (m.buttons ?? []).map((b) => String(b.title))),
    };
    return side;
  }

  const officers = () => [
    { channel: 'telegram' as const, userId: String(TG_OFFICER), side: telegramSide(TG_OFFICER) },
    { channel: 'zalo' as const, userId: ZALO_OFFICER, side: zaloSide(ZALO_OFFICER) },
  ];
  let people: ReturnType<typeof officers>;
  let staff: ReturnType<typeof telegramSide>;
  const dossierOf: Record<string, Nomination> = {};

  beforeAll(async () => {
    tgFake = await startFakeTelegram();
    z = await startZaloBot(id, {
      // A day before the reminder: the Zalo officer's last message is inside Zalo's free 48 h window when it is sent.
      now: new Date(reminder.at.getTime() - 86_400_000),
      fake: { now: () => (z ? z.bot.clock.now.getTime() : Date.now()) },
      env: { TELEGRAM_BOT_TOKEN: tgFake.token, TELEGRAM_WEBHOOK_SECRET: SECRET, TELEGRAM_API_ROOT: tgFake.apiRoot },
      app: { telegramBotInfo: tgFake.botInfo },
    });
    tgUrl = z.webhook.replace(/\/webhooks\/zalo$/, '/webhooks/telegram');
    // Updates stamped by the app's clock, as Telegram's would be by real time.
    tg = telegramUpdates({ botInfo: tgFake.botInfo, files: tgFake, now: () => Math.floor(z.bot.clock.now.getTime() / 1000) });
    workers = await startWorkers(z.bot.app, { schedules: false });
    people = officers();
    staff = telegramSide(TG_STAFF);
  });
  afterAll(async () => {
    await workers?.close();
    await z?.close();
    await tgFake?.close();
  });

  const pickYear = async (side: Side, r: string[]) => (campaign.reportingYears.length > 1 ? side.say(String(year)) : r);
  const all = (r: string[]) => r.join('\n');

  it('staff join on Telegram with an invite, officers on Telegram and Zalo (by buttons)', async () => {
    const { store } = z.bot.app;
    // Staff of the office that receives the officers' dossiers (the chain's first step for the demo unit).
    const demoUnit = (await store.identities.get('sim', 'can-bo-don-vi'))!.unitId!;
    const { award, review } = reviewsOpenIn(campaign, year)[0]!;
    const staffUnit = (await store.units.officeUnit(demoUnit, reviewSteps(campaign, award.id, review.id)[0]!.office!.id))!.id;
    const staffCode = await store.invites.create({ role: 'staff', unitId: staffUnit, createdBy: 'test' }, TEST_ACTOR);
    await staff.say('/start');
    await staff.press('Cán bộ đơn vị');
    expect(all(await staff.say(staffCode))).toContain('Bạn đã tham gia');
    expect((await store.identities.get('telegram', String(TG_STAFF)))?.role).toBe('staff');

    // The Telegram officer takes the demo unit; the Zalo officer a unit of the same level beside it.
    const [tgOfficer, zaloOfficer] = people;
    await tgOfficer!.side.say('/start');
    await tgOfficer!.side.press('mã mời');
    expect(all(await tgOfficer!.side.say(await z.bot.inviteCode()))).toContain('Bạn đã tham gia với vai trò cán bộ phụ trách');
    const unit = (await store.units.get((await store.identities.get('telegram', String(TG_OFFICER)))!.unitId!))!;
    const sibling = (await store.units.children(unit.parentId!)).find((u) => u.id !== unit.id && u.level === unit.level)!;
    expect(sibling).toBeTruthy();
    const code = await store.invites.create({ role: 'officer', unitId: sibling.id, createdBy: 'test' }, TEST_ACTOR);
    await zaloOfficer!.side.say('xin chào');
    await zaloOfficer!.side.press('mã mời');
    expect(all(await zaloOfficer!.side.say(code))).toContain('Bạn đã tham gia với vai trò cán bộ phụ trách');
  });

  it.each([0, 1])('officer %i registers, reports, and sends a dossier with parts missing', async (i) => {
    const { channel, userId, side } = people[i]!;
    const { store } = z.bot.app;
    await side.say('menu');
    let r = await pickYear(side, await side.press('Đăng ký thi đua'));
    r = await side.say('1'); // ticks the first content area
    // Zalo shows long lists a page at a time: turn pages until «Xong» is on screen.
    while (!side.labels().some((l) => l.includes('Xong'))) r = await side.press('Trang sau');
    r = await side.press('Xong');
    r = await side.say('bỏ qua');
    r = await side.press('Xác nhận');
    expect(all(r)).toContain(`Đã ghi nhận đăng ký thi đua năm ${year}`);

    const unit = (await store.units.get((await store.identities.get(channel, userId))!.unitId!))!;
    await side.say('menu');
    r = await pickYear(side, await side.press('Báo cáo chỉ tiêu'));
    for (let k = 0; k < standardFor(campaign, unit.level)!.indicators.length; k++) r = await side.say('100');
    r = await side.say('Đã số hóa hồ sơ');
    r = await side.press('Xác nhận');
    expect(all(r)).toContain(`Đã nhận báo cáo chỉ tiêu năm ${year}`);

    await side.say('menu');
    r = await pickYear(side, await side.press('Đề nghị khen thưởng'));
    r = await side.press('Một cá nhân');
    r = await side.say('Nguyễn Văn An');
    r = await side.say('Trưởng xóm');
    r = await side.say('Xóm Đồng Tâm');
    r = await side.say('1');
    r = await side.say('Vận động 100% hộ dân cài ứng dụng VNeID');
    r = await side.upload(uniquePdf(), 'to-trinh.pdf');
    while (side.labels().some((l) => l.includes('Bổ sung sau'))) r = await side.press('Bổ sung sau');
    r = await side.press('Gửi hồ sơ');
    expect(all(r)).toContain('nhưng còn thiếu');
    const [n] = await store.nominations.listByUnit(campaign.id, year, unit.id);
    expect(n!.status).toBe('submitted');
    // The officer reads which dossier was sent by its number, award and nominee.
    expect(all(r)).toMatch(new RegExp(`Đã gửi hồ sơ số ${n!.id.slice(2)} — .+ — Nguyễn Văn An, nhưng còn thiếu`));
    dossierOf[channel] = n!;
  });

  it('the reminder reaches each officer through the outbox; its button, pressed mid-conversation, asks, then completes that dossier', async () => {
    z.bot.clock.now = reminder.at;
    const pass = await z.bot.app.jobs.runReminders(reminder.at);
    expect(pass.planned).toBeGreaterThanOrEqual(2);
    await outboxDrained(z.bot.app);
    for (const { channel, side } of people) {
      const n = dossierOf[channel]!;
      const number = n.id.slice(2);
      // The reminder as the fake received it: its text and its button.
      const received = channel === 'telegram' ? tgFake.messagesTo(TG_OFFICER).map((m) => ({ text: textOf(m), buttons: buttonsOf(m).map((b) => b.text), m })) : z.fake.sentTo(ZALO_OFFICER).map((m) => ({ text: m.text ?? '', buttons: (m.buttons ?? []).map((b) => String(b.title)), m }));
      const note = received.filter((x) => x.text.includes(`hồ sơ số ${number}`) && x.buttons.some((b) => b.endsWith(`Hoàn thiện hồ sơ số ${number}`))).at(-1);
      expect(note, `${channel}: ${JSON.stringify(received.slice(-3).map((x) => x.text))}`).toBeTruthy();
      read.push(note!.text);

      // In the middle of something else when the reminder comes.
      await side.say('menu');
      await side.press('Đăng ký thi đua');
      // Press the reminder's button, on the reminder message.
      if (channel === 'telegram') {
        const t = side as ReturnType<typeof telegramSide>;
        t.last = [note!.m as Message];
      } else {
        (side as ReturnType<typeof zaloSide>).last = [note!.m as SentZaloMessage];
      }
      let r = await side.press(`Hoàn thiện hồ sơ số ${number}`);
      expect(all(r)).toContain('Chuyển sang «Đề nghị khen thưởng»?');
      r = await side.press('Có, chuyển');
      expect(all(r)).toMatch(new RegExp(`Hồ sơ số ${number} — .+ — Nguyễn Văn An \\(đã gửi\\)`));
      expect(all(r)).toContain('Còn thiếu:');
      r = await side.press('Bổ sung phần còn thiếu');
      for (let k = 0; k < campaign.dossierParts.length && !all(r).includes('Hồ sơ đã đủ các thành phần bắt buộc'); k++) r = await side.upload(uniquePdf(), `phan-${k}.pdf`);
      expect(all(r)).toContain('Hồ sơ đã đủ các thành phần bắt buộc');
      r = await side.press('Lưu bổ sung');
      expect(all(r)).toContain(`Hồ sơ số ${number}`);
      expect(all(r)).toContain('nay đã đủ các thành phần bắt buộc');
      const saved = (await z.bot.app.store.nominations.get(n.id))!;
      const level = (await z.bot.app.store.units.get(saved.unitId))!.level;
      expect(Object.keys(saved.parts).sort()).toEqual(partsFor(campaign, { level, awardId: saved.awardId, reviewId: saved.reviewId }).map((p) => p.id).sort());
      expect(saved.status).toBe('submitted');
    }
  });

  it('staff on Telegram hear each dossier is complete, open it from the alert, accept it; the officer hears on their channel', async () => {
    for (const { channel } of people) {
      const n = dossierOf[channel]!;
      const number = n.id.slice(2);
      // Queued when the dossier became complete; a second pass sends nothing more.
      await z.bot.app.jobs.runCompletedAlert(n.id, z.bot.clock.now);
      await outboxDrained(z.bot.app);
      const alert = tgFake.messagesTo(TG_STAFF).filter((m) => textOf(m).includes(`đã bổ sung đủ hồ sơ số ${number}`));
      expect(alert).toHaveLength(1);
      read.push(textOf(alert[0]!));
      staff.last = alert;
      let r = await staff.press('Xem hồ sơ');
      expect(all(r)).toMatch(new RegExp(`Hồ sơ số ${number} — .+ — Nguyễn Văn An \\(đã gửi\\)`));
      expect(all(r)).not.toContain('còn thiếu');
      r = await staff.press('Chấp nhận');
      expect(all(r)).toContain(`Chấp nhận hồ sơ số ${number} (Nguyễn Văn An,`);
      r = await staff.press('Chấp nhận');
      expect(all(r)).toMatch(new RegExp(`Đã tiếp nhận hồ sơ số ${number} — .+ — Nguyễn Văn An; hồ sơ đang`));
      // The chain's next steps, each by its office, until it is proposed to the authority.
      await acceptThroughChain(z.bot, n.id);
      expect((await z.bot.app.store.nominations.get(n.id))!.status).toBe('accepted');

      await outboxDrained(z.bot.app);
      const told = channel === 'telegram' ? tgFake.messagesTo(TG_OFFICER).map(textOf) : z.fake.sentTo(ZALO_OFFICER).map((m) => m.text ?? '');
      const accepted = told.filter((x) => x.includes('đã được chấp nhận'));
      expect(accepted.at(-1)).toMatch(new RegExp(`^Hồ sơ số ${number} — .+ — Nguyễn Văn An đã được chấp nhận và trình .+ xem xét, khen thưởng\\.`));
      read.push(...accepted);
    }
  });

  it('staff on Telegram: Chấp nhận on dossier 2, then /hoso 3 and Chấp nhận, accepts 3 and leaves 2 waiting', async () => {
    const unitId = (await z.bot.app.store.identities.get('telegram', String(TG_OFFICER)))!.unitId!;
    const unit = (await z.bot.app.store.units.get(unitId))!;
    const parts = campaign.dossierParts.filter((p) => p.required).map((p) => p.id);
    const two = await addNomination(z.bot.app, z.bot.dataDir, unit.code, { year, nominee: 'Trần Thị Hai', parts, status: 'submitted' });
    const three = await addNomination(z.bot.app, z.bot.dataDir, unit.code, { year, nominee: 'Lê Văn Ba', parts, status: 'submitted' });
    const num = (n: Nomination) => n.id.slice(2);

    let r = await staff.say(`/hoso ${num(two)}`);
    r = await staff.press('Chấp nhận');
    expect(all(r)).toContain(`Chấp nhận hồ sơ số ${num(two)} (Trần Thị Hai,`);
    await staff.say('menu');
    r = await staff.say(`/hoso số ${num(three)}`);
    expect(all(r)).toMatch(new RegExp(`Hồ sơ số ${num(three)} — .+ — Lê Văn Ba`));
    r = await staff.press('Chấp nhận');
    expect(all(r)).toContain(`Chấp nhận hồ sơ số ${num(three)} (Lê Văn Ba,`);
    expect(all(r)).not.toContain('Trần Thị Hai');
    r = await staff.press('Chấp nhận');
    expect(all(r)).toMatch(new RegExp(`Đã tiếp nhận hồ sơ số ${num(three)} — .+ — Lê Văn Ba;`));
    expect((await z.bot.app.store.nominations.get(three.id))!.steps).toHaveLength(1);
    expect((await z.bot.app.store.nominations.get(two.id))!).toMatchObject({ status: 'submitted' });
    expect((await z.bot.app.store.nominations.get(two.id))!.steps).toBeUndefined();

    // The history of a dossier, asked by its number as staff read it.
    r = await staff.say(`/lichsu ${num(three)}`);
    expect(all(r)).toMatch(new RegExp(`^Lịch sử hồ sơ số ${num(three)} — .+ — Lê Văn Ba:`));
  });

  it('nobody read an internal dossier id (n_12) in any message, on either platform', async () => {
    await outboxDrained(z.bot.app);
    const everything = [
      ...read,
      ...[TG_OFFICER, TG_STAFF].flatMap((u) => tgFake.messagesTo(u).flatMap((m) => [textOf(m), ...buttonsOf(m).map((b) => b.text)])),
      ...z.fake.sentTo(ZALO_OFFICER).flatMap((m) => [m.text ?? '', ...(m.buttons ?? []).map((b) => String(b.title))]),
    ];
    expect(everything.length).toBeGreaterThan(50);
    expect(everything.filter((x) => INTERNAL_ID.test(x))).toEqual([]);
  });
});
