import { describe, expect, it, vi } from 'vitest';
import { startWorkers, type RunningWorkers } from '../../jobs/index.js';
import { loadCampaign } from '../../src/campaign/load.js';
import { partsFor } from '../../src/domain/index.js';
import { acceptThroughChain, nominatePerson, PDF, startBot } from '../helpers/bot.js';
import { stopAfterEach, unitByCode, vn } from '../helpers/jobs.js';
import { buttonsOf, joinOnTelegram, startTelegramBot, submittedDossier, textOf, type TelegramTestBot } from '../helpers/telegram.js';

const STAFF = 6001;

describe('staff review dossiers on Telegram (review, review_accept, review_return)', () => {
  let t: TelegramTestBot;
  let workers: RunningWorkers | undefined;
  const track = stopAfterEach();

  it('/hoso lists, shows a dossier with its files, returns it with a reason; the officer hears it on their own channel', async () => {
    t = track(await startTelegramBot());
    const { store } = t.bot.app;
    // Staff of the office that receives the hamlets' dossiers in Bình Thành's plan.
    expect(await joinOnTelegram(t, STAFF, 'staff', (await unitByCode(t.bot.app, 'TN-DH-BT-VPTK')).id)).toContain('vai trò cán bộ theo dõi của Công chức Văn phòng – Thống kê xã Bình Thành');
    const n = await submittedDossier(t, { id: 'sim:can-bo-don-vi', role: 'officer', channel: 'sim' });

    let m = await t.send(t.tg.command({ userId: STAFF, command: 'hoso' }), STAFF);
    expect(t.text(m)).toContain('Có 1 hồ sơ chờ duyệt');
    m = await t.press(STAFF, `Số ${n.id.slice(2)} · Xóm Đồng Tâm · Nguyễn Thị Hoa`);
    const details = t.text(m);
    expect(details).toMatch(new RegExp(`Hồ sơ số ${n.id.slice(2)} — .+ — Nguyễn Thị Hoa \\(đã gửi\\)`));
    expect(details).toContain('Đơn vị trình: Xóm Đồng Tâm');
    expect(details).toContain('Đề nghị khen: Nguyễn Thị Hoa — Trưởng xóm');
    expect(details).toContain('to-trinh.pdf');
    expect(details).toContain('Lưu ý: hồ sơ còn thiếu');
    // Each missing part is named once, on its own ✗ line.
    for (const line of details.split('\n').filter((l) => l.startsWith('✗ ')))
      expect(details.split(line.slice(2, line.indexOf(':'))).length - 1, line).toBe(1);
    const doc = t.fake.callsOf('sendDocument').at(-1)!;
    expect(doc.status).toBe(200);
    expect(doc.files[0]).toMatchObject({ filename: `to-trinh-de-nghi-khen-thuong-cua-co-quan-bo-phan-ho-so-${n.id.slice(2)}.pdf`, size: PDF.length });
    expect(buttonsOf(m.find((x) => buttonsOf(x).some((b) => b.text.includes('Chấp nhận')))!).map((b) => b.callback_data)).toEqual([
      `go|review_accept|${n.id}`,
      `go|review_return|${n.id}`,
    ]);

    m = await t.press(STAFF, 'Trả lại để bổ sung');
    expect(t.text(m)).toContain(`Lý do trả lại hồ sơ số ${n.id.slice(2)}?`);
    m = await t.send(t.tg.text({ userId: STAFF, text: 'Thiếu báo cáo thành tích có xác nhận của UBND xã' }), STAFF);
    expect(t.text(m)).toContain('1. Lý do: Thiếu báo cáo thành tích có xác nhận của UBND xã');
    m = await t.press(STAFF, 'Trả lại');
    expect(t.text(m)).toContain(`Đã trả lại hồ sơ số ${n.id.slice(2)} — `);
    expect(t.text(m)).toContain('Đã báo cho 1 cán bộ của Xóm Đồng Tâm.');

    const after = (await store.nominations.get(n.id))!;
    expect(after.status).toBe('returned');
    expect(after.returnReason).toBe('Thiếu báo cáo thành tích có xác nhận của UBND xã');
    // notify() hands the message to the outbox; its worker delivers it on the officer's channel.
    workers = track(await startWorkers(t.bot.app, { schedules: false }));
    const officerSaw = await vi.waitFor(
      async () => {
        const last = (await t.bot.app.simulator.transcript('can-bo-don-vi')).at(-1);
        if (!last?.text.includes('trả lại')) throw new Error('not yet');
        return last;
      },
      { timeout: 10_000, interval: 50 },
    );
    expect(officerSaw.text).toContain('đã được trả lại để bổ sung');
    expect(officerSaw.text).toContain('Lý do: Thiếu báo cáo thành tích có xác nhận của UBND xã');
    // The officer's button opens that very dossier (issue 13), not a new nomination.
    expect(officerSaw.choices?.[0]?.payload).toBe(`go|nominate|${n.id}`);
    const r = await t.bot.say('can-bo-don-vi', `go|nominate|${n.id}`);
    expect(t.bot.text(r)).toContain(`Hồ sơ số ${n.id.slice(2)}`);
  });

  it('accepting tells a Telegram officer in their chat; an old button cannot decide twice', async () => {
    t = track(await startTelegramBot());
    const hamlet = await unitByCode(t.bot.app, 'TN-DH-BT-X01');
    await joinOnTelegram(t, STAFF, 'staff', (await unitByCode(t.bot.app, 'TN-DH-BT-VPTK')).id);
    const OFFICER = 6002;
    expect(await joinOnTelegram(t, OFFICER, 'officer', hamlet.id)).toContain('cán bộ phụ trách của Xóm Đồng Tâm');
    const n = await submittedDossier(t, { id: `telegram:${OFFICER}`, role: 'officer', channel: 'telegram' });

    let m = await t.send(t.tg.command({ userId: STAFF, command: 'hoso', args: n.id.replace('n_', '') }), STAFF);
    expect(t.text(m)).toContain(`Hồ sơ số ${n.id.slice(2)} — `);
    m = await t.press(STAFF, 'Chấp nhận');
    expect(t.text(m)).toContain(`Chấp nhận hồ sơ số ${n.id.slice(2)} (Nguyễn Thị Hoa, Xóm Đồng Tâm)?`);
    const before = t.fake.messagesTo(OFFICER).length;
    m = await t.press(STAFF, 'Chấp nhận');
    expect(t.text(m)).toContain(`Đã tiếp nhận hồ sơ số ${n.id.slice(2)} — `);
    expect(t.text(m)).toContain('hồ sơ đang thẩm định tại Hội đồng Thi đua - Khen thưởng xã Bình Thành.');
    // The council appraises, the Văn phòng – Thống kê proposes it to the commune chairman: then the officer hears.
    await acceptThroughChain(t.bot, n.id);
    expect((await t.bot.app.store.nominations.get(n.id))!.status).toBe('accepted');
    workers = track(await startWorkers(t.bot.app, { schedules: false }));
    // A line each time it moves on to the next office, then the proposal.
    await t.fake.waitFor(() => t.fake.messagesTo(OFFICER).length >= before + 3, 10_000);
    const told = t.fake.messagesTo(OFFICER).slice(before).map(textOf);
    expect(told).toHaveLength(3);
    expect(told[0]).toMatch(new RegExp(`^Hồ sơ số ${n.id.slice(2)} — .+ — Nguyễn Thị Hoa đã được tiếp nhận; hồ sơ đang thẩm định tại Hội đồng Thi đua - Khen thưởng xã Bình Thành\\.$`));
    expect(told[1]).toMatch(new RegExp(`^Hồ sơ số ${n.id.slice(2)} — .+ — Nguyễn Thị Hoa đã được thẩm định; hồ sơ đang chờ Công chức Văn phòng – Thống kê xã Bình Thành trình Chủ tịch UBND xã Bình Thành\\.$`));
    expect(told[2]).toMatch(new RegExp(`^Hồ sơ số ${n.id.slice(2)} — .+ — Nguyễn Thị Hoa đã được chấp nhận và trình Chủ tịch UBND xã Bình Thành xem xét, khen thưởng\\.$`));

    const again = await t.send(t.tg.callbackQuery({ userId: STAFF, data: `go|review_return|${n.id}` }), STAFF);
    expect(t.text(again)).toContain(`Hồ sơ số ${n.id.slice(2)} (Nguyễn Thị Hoa) đang ở trạng thái "đã được chấp nhận", không chờ duyệt.`);
    // The district above the hamlet is in none of its chains: it may look, never decide.
    const DISTRICT = 6003;
    await joinOnTelegram(t, DISTRICT, 'staff', (await unitByCode(t.bot.app, 'TN-DH')).id);
    const other = await submittedDossier(t, { id: `telegram:${OFFICER}`, role: 'officer', channel: 'telegram' });
    const refused = await t.send(t.tg.callbackQuery({ userId: DISTRICT, data: `go|review_accept|${other.id}` }), DISTRICT);
    expect(t.text(refused)).toContain(`Hồ sơ số ${other.id.slice(2)} đang ở bước tiếp nhận tại Công chức Văn phòng – Thống kê xã Bình Thành; chỉ cán bộ của Công chức Văn phòng – Thống kê xã Bình Thành quyết định ở bước này.`);
  });
});

describe('the review screen says what is true of a dossier (issue #13 item 6)', () => {
  const track = stopAfterEach();
  const OFFICER = 'can-bo-don-vi';
  const ADMIN = 'quan-tri';

  it('a dossier sent after its deadline shows "Gửi sau hạn (dd/mm/yyyy)"; once accepted without a part, it no longer says that part is missing', async () => {
    const campaign = loadCampaign('binh-thanh-2024');
    const bot = track(await startBot(campaign.id, { now: vn('2024-12-06T09:00') }));
    let r = await nominatePerson(bot, OFFICER, await bot.say(OFFICER, '/dexuat'), { name: 'Lê Văn Tám', position: 'Trưởng xóm', unit: 'Xóm Đồng Tâm', summary: 'Số hóa hồ sơ của xóm' });
    r = await bot.upload(OFFICER, PDF, 'to-trinh.pdf');
    // The rest of the parts that apply to this dossier, later: up to the confirm step.
    while (r.at(-1)?.expectsFile) r = await bot.say(OFFICER, bot.button(r, 'Bổ sung sau'));
    r = await bot.say(OFFICER, bot.button(r, 'Gửi hồ sơ'));
    const number = /hồ sơ số (\d+)/.exec(bot.text(r))![1]!;
    const n = (await bot.app.store.nominations.get(`n_${number}`))!;
    const level = (await bot.app.store.units.get(n.unitId))!.level;
    const asked = partsFor(campaign, { level, awardId: n.awardId, reviewId: n.reviewId });
    expect(Object.keys(n.parts)).toEqual([asked[0]!.id]);

    let screen = bot.text(await bot.say(ADMIN, `/hoso ${number}`));
    expect(screen).toContain('(đã gửi)');
    expect(screen).toContain('Gửi sau hạn (06/12/2024)');
    expect(screen).toContain('Lưu ý: hồ sơ còn thiếu');

    // Each office of the plan's chain accepts it in turn (only the office at the dossier's step decides).
    r = await acceptThroughChain(bot, n.id);
    expect(bot.text(r)).toContain(`Đã chấp nhận hồ sơ số ${number}`);
    screen = bot.text(await bot.say(ADMIN, `/hoso ${number}`));
    expect(screen).toContain('(đã được chấp nhận)');
    expect(screen).toContain('Gửi sau hạn (06/12/2024)');
    expect(screen).not.toMatch(/còn thiếu/i);
    expect(screen).toContain(`Hồ sơ được chấp nhận khi không có: ${asked.slice(1).filter((p) => p.required).map((p) => p.label.vi).join('; ')}.`);
  });

  it('a dossier sent on time has no late line', async () => {
    const campaign = loadCampaign('binh-thanh-2024');
    const bot = track(await startBot(campaign.id, { now: vn('2024-12-05T23:59') }));
    let r = await nominatePerson(bot, OFFICER, await bot.say(OFFICER, '/dexuat'), { name: 'Lê Văn Tám', position: 'Trưởng xóm', unit: 'Xóm Đồng Tâm', summary: 'Số hóa hồ sơ của xóm' });
    for (let i = 0; i < campaign.dossierParts.length; i++) r = await bot.upload(OFFICER, PDF, `phan-${i}.pdf`);
    r = await bot.say(OFFICER, bot.button(r, 'Gửi hồ sơ'));
    const number = /hồ sơ số (\d+)/.exec(bot.text(r))![1]!;
    expect(bot.text(await bot.say(ADMIN, `/hoso ${number}`))).not.toContain('Gửi sau hạn');
  });
});
