import { afterEach, describe, expect, it, vi } from 'vitest';
import { startWorkers, type RunningWorkers } from '../../jobs/index.js';
import { activeStaffAlert } from '../../jobs/alerts.js';
import { loadCampaign } from '../../src/campaign/load.js';
import { partsFor, reviewsOpenIn } from '../../src/domain/index.js';
import { startBot, type TestBot } from '../helpers/bot.js';
import { addIdentity, addNomination, outboxDrained, unitByCode, vn, TEST_ACTOR, stopAfterEach } from '../helpers/jobs.js';
import { startTelegramBot, textOf, type TelegramTestBot } from '../helpers/telegram.js';

const campaign = loadCampaign('binh-thanh-2024');
const parts = campaign.dossierParts.map((p) => p.id);
const label = (id: string) => campaign.dossierParts.find((p) => p.id === id)!.label.vi;
/** What a xóm's dossier under the first award is asked: no council minutes (partsFor). */
const first = reviewsOpenIn(campaign, 2024)[0]!;
const hamletParts = partsFor(campaign, { level: 'hamlet', awardId: first.award.id, reviewId: first.review.id }).map((p) => p.id);

describe('staff alert windows (dossiers due 05/12/2024: D-5, D-2 and D-day at 08:00 Vietnam time)', () => {
  it('opens at 08:00 of D-5 and closes at the end of the due day', () => {
    const at = (local: string) => activeStaffAlert(campaign, vn(local))?.offsetDays ?? null;
    expect(at('2024-11-30T07:59:59')).toBeNull();
    expect(at('2024-11-30T08:00')).toBe(5);
    expect(at('2024-12-03T07:59')).toBe(5);
    expect(at('2024-12-03T08:00')).toBe(2);
    expect(at('2024-12-05T08:00')).toBe(0);
    expect(at('2024-12-05T23:59:59')).toBe(0);
    expect(at('2024-12-06T00:00')).toBeNull();
  });
});

describe('incomplete-dossier digests to staff', () => {
  let bot: TestBot;
  let workers: RunningWorkers | undefined;
  const track = stopAfterEach();

  it('one digest per staff member of the office that receives the dossiers (not the offices above the units), grouped by unit and counted by missing part', async () => {
    bot = track(await startBot('binh-thanh-2024', { now: vn('2024-11-30T08:00') }));
    const { app } = bot;
    // The plan sends the commune's dossiers to its Công chức Văn phòng – Thống kê (demo: can-bo-van-phong-thong-ke);
    // add two more of its staff (one English), staff of the commune itself, and of another district.
    // can-bo-theo-doi (demo) is staff of the district: above the units, but not in the chain.
    await addIdentity(app, 'sim', 'xa', { role: 'staff', unitCode: 'TN-DH-BT-VPTK' });
    await addIdentity(app, 'sim', 'xa-en', { role: 'staff', unitCode: 'TN-DH-BT-VPTK', lang: 'en' });
    await addIdentity(app, 'sim', 'ubnd-xa', { role: 'staff', unitCode: 'TN-DH-BT' });
    const province = await unitByCode(app, 'TN');
    const other = await app.store.units.create({ code: 'TN-PL', name: 'Huyện Phú Lương', level: 'district', parentId: province.id }, TEST_ACTOR);
    await addIdentity(app, 'sim', 'pl', { role: 'staff', unitId: other.id });

    // Nothing missing yet: complete and accepted dossiers only.
    await addNomination(app, bot.dataDir, 'TN-DH-BT-X02', { parts, status: 'submitted' });
    await addNomination(app, bot.dataDir, 'TN-DH-BT-X03', { parts: ['to_trinh'], status: 'accepted' });
    expect((await app.jobs.previewAlerts(vn('2024-11-30T08:00'))).messages).toEqual([]);

    const a = await addNomination(app, bot.dataDir, 'TN-DH-BT-X01', { nominee: 'Nguyễn Thị Hoa', parts: ['to_trinh', 'bien_ban'], status: 'submitted' });
    const b = await addNomination(app, bot.dataDir, 'TN-DH-BT-X01', { nominee: 'Lò Văn Minh', parts: parts.slice(0, 4), status: 'returned' });
    const c = await addNomination(app, bot.dataDir, 'TN-DH-BT-X04', { nominee: 'Xóm Nà Mòn', parts: [] });

    const { alert, messages } = await app.jobs.previewAlerts(vn('2024-11-30T08:00'));
    expect(alert).toEqual({ year: 2024, offsetDays: 5 });
    const texts = messages.filter((m) => !m.reply.file);
    expect(texts.map((m) => m.userId).sort()).toEqual(['can-bo-van-phong-thong-ke', 'xa', 'xa-en']);
    // Each digest ends with the office's chart: a picture after the text, in the listener's language.
    const charts = messages.filter((m) => m.reply.file);
    expect(charts.map((m) => [m.userId, m.key, m.delayMs]).sort()).toEqual(
      ['can-bo-van-phong-thong-ke', 'xa', 'xa-en'].map((u) => [u, `alert|${campaign.id}|2024|d5|sim|${u}|chart`, 1100]),
    );
    for (const m of charts) expect(m.reply.file).toMatchObject({ mime: 'image/png', inline: true, name: 'bieu-do-thong-ke-2024.png' });
    // A preview for a page (who gets what) draws nothing: the same texts, no chart.
    const textsOnly = await app.jobs.previewAlerts(vn('2024-11-30T08:00'), undefined, { charts: false });
    expect(textsOnly.messages).toEqual(texts);
    expect(charts.find((m) => m.userId === 'xa')!.reply.text).toContain('Biểu đồ thống kê năm 2024');
    expect(charts.find((m) => m.userId === 'xa-en')!.reply.text).toContain('Progress chart 2024');
    const digest = messages.find((m) => m.userId === 'xa')!.reply.text.split('\n');
    expect(digest).toEqual([
      '📋 Hồ sơ khen thưởng năm 2024 còn thiếu thành phần — hạn nộp hết ngày 05/12/2024 (còn 5 ngày).',
      '2 đơn vị, 3 hồ sơ chưa đủ thành phần bắt buộc.',
      `Thiếu theo thành phần: ${label('to_trinh')}: 1 · ${label('bao_cao_thanh_tich')}: 2 · ${label('bao_cao_so_tong_ket')}: 2 · ${label('ke_hoach_phat_dong')}: 3`,
      '▸ Xóm Đồng Tâm (2 hồ sơ)',
      `   – Hồ sơ số ${a.id.slice(2)}, Nguyễn Thị Hoa (đã gửi): thiếu ${[label('bao_cao_thanh_tich'), label('bao_cao_so_tong_ket'), label('ke_hoach_phat_dong')].join('; ')}`,
      `   – Hồ sơ số ${b.id.slice(2)}, Lò Văn Minh (bị trả lại): thiếu ${label('ke_hoach_phat_dong')}`,
      '▸ Xóm Nà Mòn (1 hồ sơ)',
      `   – Hồ sơ số ${c.id.slice(2)}, Xóm Nà Mòn (nháp): thiếu ${hamletParts.map(label).join('; ')}`,
      'Gõ /thieu để xem danh sách này bất cứ lúc nào.',
    ]);
    expect(messages.find((m) => m.userId === 'xa-en')!.reply.text).toContain('2 units, 3 dossiers without every required part.');
    // The office's demo staff get the same digest; the district, the commune and the other district hear nothing.
    expect(messages.find((m) => m.userId === 'can-bo-van-phong-thong-ke')!.reply.text).toContain('▸ Xóm Nà Mòn (1 hồ sơ)');

    // Sent once each, even when the pass runs again.
    workers = track(await startWorkers(app, { schedules: false }));
    const first = await app.jobs.runAlerts(vn('2024-11-30T08:00'));
    expect(first.queued).toBe(6);
    await outboxDrained(app);
    expect((await app.jobs.runAlerts(vn('2024-11-30T09:00'))).queued).toBe(0);
    const seen = (await app.simulator.transcript('xa')).filter((e) => e.text.startsWith('📋'));
    expect(seen).toHaveLength(1);
    expect((await app.simulator.transcript('xa')).filter((e) => e.image)).toHaveLength(1);
  });

  it('a long digest is split into numbered parts that fit the channel (Zalo: 2,000 characters)', async () => {
    bot = track(await startBot('binh-thanh-2024', { now: vn('2024-12-03T08:00') }));
    const { app } = bot;
    await addIdentity(app, 'zalo', '8000000000000000001', { role: 'staff', unitCode: 'TN-DH-BT-VPTK' });
    for (let i = 1; i <= 14; i++)
      for (let k = 0; k < 3; k++)
        await addNomination(app, bot.dataDir, `TN-DH-BT-X${String(i).padStart(2, '0')}`, { nominee: `Người được đề nghị số ${i}-${k} có tên khá dài`, parts: ['to_trinh'] });
    const { messages } = await app.jobs.previewAlerts(vn('2024-12-03T08:00'));
    const zalo = messages.filter((m) => m.channel === 'zalo' && !m.reply.file);
    expect(zalo.length).toBeGreaterThan(2);
    zalo.forEach((m, i) => {
      expect(m.reply.text.length).toBeLessThanOrEqual(2000);
      expect(m.reply.text.endsWith(`(${i + 1}/${zalo.length})`)).toBe(true);
      expect(m.key).toBe(`alert|${campaign.id}|2024|d2|zalo|8000000000000000001|${i}`);
      expect(m.delayMs).toBe(i * 1100);
    });
    const all = zalo.map((m) => m.reply.text).join('\n');
    expect(all.match(/– Hồ sơ số \d+, /g)).toHaveLength(42);
    expect(zalo[0]!.reply.text).toContain('14 đơn vị, 42 hồ sơ');
    // Then the chart, after the last part.
    const chart = messages.filter((m) => m.channel === 'zalo' && m.reply.file);
    expect(chart.map((m) => [m.key, m.delayMs])).toEqual([[`alert|${campaign.id}|2024|d2|zalo|8000000000000000001|chart`, zalo.length * 1100]]);
  });
});

describe('alerts on Telegram', () => {
  let t: TelegramTestBot;
  let workers: RunningWorkers | undefined;
  const track = stopAfterEach();

  it('a unit submits a dossier with missing parts: the receiving office\'s staff and group hear at once, the district above does not; the digest reaches the group too', async () => {
    t = track(await startTelegramBot('binh-thanh-2024', { now: vn('2024-12-02T10:00') }));
    const { app } = t.bot;
    const STAFF = 6201;
    const GROUP = -1005550002;
    const office = await unitByCode(app, 'TN-DH-BT-VPTK');
    const DISTRICT = 6202;
    await addIdentity(app, 'telegram', String(STAFF), { role: 'staff', unitId: office.id });
    await addIdentity(app, 'telegram', String(DISTRICT), { role: 'staff', unitCode: 'TN-DH' });
    await app.store.groupLinks.link(
      { chatId: String(GROUP), title: 'Văn phòng – Thống kê xã', officeUnitId: office.id, linkedBy: `telegram:${STAFF}`, linkedAt: new Date().toISOString() },
      TEST_ACTOR,
    );
    workers = track(await startWorkers(app, { schedules: false }));

    // The demo officer of Xóm Đồng Tâm submits a dossier through the conversation with every part left for later.
    const user = 'can-bo-don-vi';
    let r = await t.bot.say(user, 'go|nominate');
    r = await t.bot.say(user, t.bot.button(r, 'Một cá nhân'));
    r = await t.bot.say(user, 'Nguyễn Văn An');
    r = await t.bot.say(user, 'Trưởng xóm');
    r = await t.bot.say(user, 'Xóm Đồng Tâm');
    r = await t.bot.say(user, '1');
    r = await t.bot.say(user, 'Vận động 100% hộ dân cài ứng dụng VNeID');
    for (let i = 0; i < hamletParts.length; i++) r = await t.bot.say(user, t.bot.button(r, 'Bổ sung sau'));
    r = await t.bot.say(user, t.bot.button(r, 'Gửi hồ sơ'));
    expect(t.bot.text(r)).toMatch(/Đã gửi hồ sơ/);
    const [n] = await app.store.nominations.listByUnit(campaign.id, 2024, (await unitByCode(app, 'TN-DH-BT-X01')).id);

    await t.fake.waitFor(() => t.fake.messagesTo(STAFF).length >= 1 && t.fake.messagesTo(GROUP).length >= 1, 10_000);
    const told = t.fake.messagesTo(STAFF).map(textOf);
    expect(told).toEqual([
      `📥 Xóm Đồng Tâm vừa gửi hồ sơ số ${n!.id.slice(2)} (Nguyễn Văn An, năm 2024) nhưng còn thiếu: ${hamletParts.map(label).join('; ')}. Hạn nộp: hết ngày 05/12/2024 (còn 3 ngày).`,
    ]);
    expect(t.fake.messagesTo(GROUP).map(textOf)).toEqual(told);

    // The scheduled D-2 digest (03/12 08:00) goes to both as well.
    t.bot.clock.now = vn('2024-12-03T08:00');
    await app.jobs.schedule.add('staff-alert', { year: 2024, offsetDays: 2, at: vn('2024-12-03T08:00').toISOString() });
    await t.fake.waitFor(() => t.fake.messagesTo(STAFF).length >= 3 && t.fake.messagesTo(GROUP).length >= 3, 15_000);
    expect(textOf(t.fake.messagesTo(STAFF)[1]!)).toContain('(còn 2 ngày)');
    expect(textOf(t.fake.messagesTo(GROUP)[1]!)).toContain(`– Hồ sơ số ${n!.id.slice(2)}, Nguyễn Văn An (đã gửi)`);
    // The digest's chart: a photo with its caption, to the staff member and the group.
    for (const chat of [STAFF, GROUP]) {
      const photo = t.fake.messagesTo(chat)[2]! as { photo?: { width: number }[] };
      expect(photo.photo?.length, String(chat)).toBeGreaterThan(0);
      expect(textOf(photo as Parameters<typeof textOf>[0])).toContain('Biểu đồ thống kê năm 2024');
    }
    await outboxDrained(app);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(t.fake.messagesTo(STAFF)).toHaveLength(3);
    // Staff and officers the alerts never went to: nothing.
    await vi.waitFor(() => expect(t.fake.callsOf('sendMessage').every((c) => [String(STAFF), String(GROUP)].includes(String(c.params.chat_id)))).toBe(true));
  });
});
