import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BroadcastState, BroadcastStatus } from '../../src/engine/ports.js';
import { progressReply } from '../../jobs/broadcast-texts.js';
import { t } from '../../src/i18n.js';
import { PDF, startBot, type TestBot } from '../helpers/bot.js';
import { PRESETS, presetOfficer, playRegistration } from '../helpers/presets.js';

/** Issue #13 item 6: words a commune officer reads on a phone say what is true, and nothing more. */

const OFFICER = 'can-bo-don-vi';
const ADMIN = 'quan-tri';

describe('greetings', () => {
  let bot: TestBot;
  beforeAll(async () => {
    bot = await startBot('binh-thanh-2024');
  });
  afterAll(() => bot.close());

  it.each(['xin chào', 'Xin chào!', 'Chào bạn', 'chao ban', 'Hello', 'hi', 'alo', 'Chào bot ạ'])('"%s" at the menu gets the welcome and the menu, not "chưa hiểu"', async (greeting) => {
    const text = bot.text(await bot.say(OFFICER, greeting));
    expect(text).toContain(t('vi', 'welcome'));
    expect(text).toContain(t('vi', 'menu.title'));
    expect(text).not.toContain('chưa hiểu');
  });

  it('a greeting before joining gets the welcome and the first onboarding question', async () => {
    const text = bot.text(await bot.say('nguoi-moi', 'Xin chào'));
    expect(text).toContain(t('vi', 'welcome'));
    expect(text).toContain(t('vi', 'onboarding.who'));
    expect(text).not.toContain('chưa hiểu');
  });

  it('other words at the menu still get "chưa hiểu" (a greeting is not any word)', async () => {
    expect(bot.text(await bot.say(OFFICER, 'chào mừng năm mới'))).toContain('chưa hiểu');
  });
});

describe.each(PRESETS)('preset $id: a greeting typed in the middle of a flow', (preset) => {
  const officer = presetOfficer(preset);

  it('at a free-text step it is not the answer: a short reminder, the same question; a longer text that starts with a greeting is the answer', async () => {
    const { bot, user, campaign } = officer;
    let r = await bot.say(user, '/dangky');
    if (campaign.reportingYears.length > 1) r = await bot.say(user, String(preset.year));
    r = await bot.say(user, '1, 2');
    expect(bot.text(r)).toContain(t('vi', 'register.commitments_prompt'));
    for (const greeting of ['Xin chào', 'chào bạn!', 'alo']) {
      r = await bot.say(user, greeting);
      expect(bot.text(r)).toContain(t('vi', 'flow.greeting', { current: t('vi', 'register.title') }));
      expect(bot.text(r)).toContain(t('vi', 'register.commitments_prompt'));
      expect(bot.text(r)).not.toContain('Cam kết:');
    }
    r = await bot.say(user, 'Xin chào, xóm cam kết 100% hộ dân cài VNeID');
    expect(bot.text(r)).toContain('Cam kết: Xin chào, xóm cam kết 100% hộ dân cài VNeID');
    await bot.say(user, 'hủy');
  });

  it('at the achievement summary of a nomination, too', async () => {
    const { bot, user, campaign } = officer;
    let r = await bot.say(user, '/dexuat');
    if (campaign.reportingYears.length > 1) r = await bot.say(user, String(preset.year));
    r = await bot.say(user, bot.button(r, 'Một cá nhân'));
    for (const answer of ['Nguyễn Văn An', 'Trưởng xóm', 'Xóm Đồng Tâm', '1']) r = await bot.say(user, answer);
    expect(bot.text(r)).toContain(t('vi', 'nominate.summary_prompt'));
    r = await bot.say(user, 'Hello');
    expect(bot.text(r)).toContain(t('vi', 'nominate.summary_prompt'));
    expect(bot.text(r)).not.toContain('Hồ sơ 1/');
    r = await bot.say(user, 'Vận động 100% hộ dân cài ứng dụng VNeID');
    expect(bot.text(r)).toContain('Hồ sơ 1/');
    await bot.say(user, 'hủy');
  });
});

describe.each(PRESETS)('preset $id: a "ví dụ" in a prompt names a unit of this deployment, and typing it finds it', (preset) => {
  let bot: TestBot;
  beforeAll(async () => {
    bot = await startBot(preset.id, { now: new Date(preset.now) });
  });
  afterAll(() => bot.close());
  const example = (text: string) => /\(ví dụ: ([^)]+)\)/.exec(text)?.[1];

  it('staff inviting an officer (/moi)', async () => {
    let r = await bot.say('can-bo-theo-doi', '/moi');
    r = await bot.say('can-bo-theo-doi', bot.button(r, 'Cán bộ đơn vị'));
    const name = example(bot.text(r))!;
    expect(name, bot.text(r)).toBeTruthy();
    expect((await bot.app.store.units.findByName(name, { limit: 1 })).length).toBe(1);
    expect(bot.text(await bot.say('can-bo-theo-doi', name))).toContain(t('vi', 'invite.unit_pick'));
  });

  it('an admin announcing to an office', async () => {
    let r = await bot.say(ADMIN, '/thongbao');
    r = await bot.say(ADMIN, 'Họp giao ban.');
    r = await bot.say(ADMIN, bot.button(r, 'Không đính kèm'));
    r = await bot.say(ADMIN, bot.button(r, 'Các đơn vị thuộc một cơ quan'));
    const name = example(bot.text(r))!;
    expect(name, bot.text(r)).toBeTruthy();
    expect(bot.text(await bot.say(ADMIN, name))).not.toContain('Không tìm thấy');
  });

  it('an individual joining', async () => {
    let r = await bot.say('ca-nhan', 'xin chào');
    r = await bot.say('ca-nhan', bot.button(r, 'Cá nhân'));
    r = await bot.say('ca-nhan', 'Trần Thị Bình');
    for (let i = 0; i < 3 && !example(bot.text(r)); i++) r = await bot.say('ca-nhan', r.at(-1)?.choices?.length ? r.at(-1)!.choices![0]!.payload : 'bỏ qua');
    const name = example(bot.text(r))!;
    expect(name, bot.text(r)).toBeTruthy();
    r = await bot.say('ca-nhan', name);
    expect(bot.text(r)).toContain(t('vi', 'onboarding.unit_pick'));
    expect(r.flatMap((x) => x.choices ?? []).map((c) => c.label)).toContain(name);
  });
});

describe('announcements', () => {
  let bot: TestBot;
  beforeAll(async () => {
    bot = await startBot('binh-thanh-2024');
  });
  afterAll(() => bot.close());

  it('the attachment, asked because the admin chose to attach one, offers no "Bổ sung sau"; "later" typed keeps asking for the file', async () => {
    let r = await bot.say(ADMIN, '/thongbao');
    r = await bot.say(ADMIN, 'Họp sơ kết phong trào lúc 8 giờ sáng thứ Hai.');
    r = await bot.say(ADMIN, bot.button(r, 'Đính kèm tệp'));
    expect(bot.text(r)).toContain(t('vi', 'announce.file_prompt'));
    expect(bot.text(r)).not.toContain('Bổ sung sau');
    expect(r.flatMap((x) => x.choices ?? []).map((c) => c.label)).not.toContain('Bổ sung sau');
    r = await bot.say(ADMIN, 'bổ sung sau');
    expect(bot.text(r)).toContain(t('vi', 'error.file_required'));
    expect(bot.text(r)).not.toContain('Bổ sung sau');
    r = await bot.upload(ADMIN, PDF, 'giay-moi.pdf');
    expect(bot.text(r)).toContain('Đã nhận tệp "giay-moi.pdf"');
    r = await bot.say(ADMIN, bot.button(r, 'Tất cả người tham gia'));
    expect(bot.text(r)).toContain('2. Tệp đính kèm: giay-moi.pdf');
    // A summary with numbered lines still says how to change one.
    expect(bot.text(r)).toContain(t('vi', 'confirm.edit_hint'));
  });

  it('stopping an announcement asks to confirm without "Gõ số của mục cần sửa" (it has no numbered items)', async () => {
    await bot.say(ADMIN, 'hủy'); // the draft of the test above
    let r = await bot.say(ADMIN, '/thongbao');
    r = await bot.say(ADMIN, 'Nhắc các đơn vị nộp báo cáo.');
    r = await bot.say(ADMIN, bot.button(r, 'Không đính kèm'));
    r = await bot.say(ADMIN, bot.button(r, 'Tất cả người tham gia'));
    r = await bot.say(ADMIN, bot.button(r, 'Gửi thông báo'));
    const id = /thông báo #(\d+)/.exec(bot.text(r))![1]!;
    // No workers here: it stays queued, so it can be stopped.
    r = await bot.say(ADMIN, `/huythongbao ${id}`);
    expect(bot.text(r)).toContain(`Dừng gửi thông báo #${id}?`);
    expect(bot.text(r)).not.toContain(t('vi', 'confirm.edit_hint'));
    expect(bot.text(r)).not.toMatch(/sửa 2|edit 2/);
  });
});

describe('the live progress line of an announcement', () => {
  const states: BroadcastState[] = ['queued', 'running', 'done', 'cancelled'];
  const status = (s: BroadcastState): BroadcastStatus =>
    ({ id: '7', status: s, total: 10, sent: s === 'done' ? 10 : 4, failed: 0, unreachable: 0, cancelled: s === 'cancelled' ? 6 : 0, pending: 0, resent: 0, perChannel: {}, startedAt: null, finishedAt: null }) as unknown as BroadcastStatus;
  for (const lang of ['vi', 'en'] as const)
    it.each(states)(`${lang}, %s: the "Dừng gửi" button only while it can still be stopped`, (state) => {
      const reply = progressReply(lang, status(state));
      const labels = (reply.choices ?? []).map((c) => c.label);
      if (state === 'queued' || state === 'running') expect(labels).toEqual([t(lang, 'bccancel.button')]);
      else expect(labels).toEqual([]);
    });
  for (const lang of ['vi', 'en'] as const)
    it.each(states)(`${lang}, %s: a later progress message (no edits: Zalo, the simulator) does not repeat the button`, (state) => {
      const reply = progressReply(lang, status(state), { update: true });
      expect(reply.choices ?? []).toEqual([]);
      if (state === 'queued' || state === 'running') expect(reply.text).toContain('/huythongbao 7');
      else expect(reply.text).not.toContain('/huythongbao');
    });
});

describe.each(PRESETS)('preset $id: /dangky a second time', (preset) => {
  const officer = presetOfficer(preset, playRegistration);

  it('starts from the saved choices: the areas registered show ticked, and Xong keeps them', async () => {
    const { bot, user, campaign } = officer;
    let r = await bot.say(user, '/dangky');
    if (campaign.reportingYears.length > 1) r = await bot.say(user, String(preset.year));
    const labels = r.flatMap((x) => x.choices ?? []).map((c) => c.label);
    const [a1, a2, a3] = campaign.contentAreas;
    expect(labels.some((l) => l.startsWith('✓') && l.includes(a1!.label.vi.slice(0, 20)))).toBe(true);
    expect(labels.some((l) => l.startsWith('✓') && l.includes(a2!.label.vi.slice(0, 20)))).toBe(true);
    if (a3) expect(labels.some((l) => l.startsWith('✓') && l.includes(a3.label.vi.slice(0, 20)))).toBe(false);
    r = await bot.say(user, 'Xong');
    expect(bot.text(r)).toContain(t('vi', 'register.commitments_prompt'));
  });
});

describe('the flood pause', () => {
  let bot: TestBot;
  beforeAll(async () => {
    bot = await startBot('binh-thanh-2024', { env: { USER_MESSAGES_PER_MINUTE: '4' } });
  });
  afterAll(() => bot.close());

  it('USER_MESSAGES_PER_MINUTE messages are answered; the next one is told how long the pause lasts', async () => {
    for (let i = 0; i < 4; i++) expect(bot.text(await bot.say(OFFICER, 'menu'))).not.toContain('quá nhiều');
    const text = bot.text(await bot.say(OFFICER, 'menu'));
    expect(text).toContain('gửi quá nhiều tin nhắn');
    expect(text).toMatch(/tạm dừng nhận tin của bạn 5 phút/);
  });
});
