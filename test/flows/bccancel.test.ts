import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { t } from '../../src/i18n.js';
import { startBot, type TestBot } from '../helpers/bot.js';

/**
 * Dừng gửi thông báo (flows/bccancel.ts): `/huythongbao 12`, the button under the progress line
 * (`go|bccancel|12`), or `/huythongbao` to pick. No workers run here, so announcements stay
 * queued: they can be stopped, and nothing else moves them meanwhile.
 */
describe('stopping an announcement', () => {
  const ADMIN = 'quan-tri';
  let bot: TestBot;
  beforeAll(async () => {
    bot = await startBot('binh-thanh-2024');
  });
  afterAll(() => bot.close());

  async function announce(text: string): Promise<string> {
    let r = await bot.say(ADMIN, '/thongbao');
    r = await bot.say(ADMIN, text);
    r = await bot.say(ADMIN, bot.button(r, 'Không đính kèm'));
    r = await bot.say(ADMIN, bot.button(r, 'Tất cả người tham gia'));
    r = await bot.say(ADMIN, bot.button(r, 'Gửi thông báo'));
    return /thông báo #(\d+)/.exec(bot.text(r))![1]!;
  }
  const state = async (id: string) => (await bot.app.jobs.broadcasts.status(id))?.status;

  it('with nothing being sent, says so', async () => {
    expect(bot.text(await bot.say(ADMIN, '/huythongbao'))).toContain(t('vi', 'bccancel.none_running'));
  });

  it('officers and staff cannot stop announcements', async () => {
    for (const user of ['can-bo-don-vi', 'can-bo-theo-doi']) expect(bot.text(await bot.say(user, '/huythongbao 1'))).toContain(t('vi', 'error.not_allowed'));
  });

  it('/huythongbao lists what is being sent; picked by its number, "Tiếp tục gửi" keeps it going', async () => {
    const a = await announce('Họp giao ban sáng thứ Hai.');
    const b = await announce('Nhắc nộp báo cáo trước ngày 10/12.');
    let r = await bot.say(ADMIN, '/huythongbao');
    expect(bot.text(r)).toContain(t('vi', 'bccancel.pick'));
    const labels = r.flatMap((x) => x.choices ?? []).map((c) => c.label);
    expect(labels.some((l) => l.startsWith(`#${a} «Họp giao ban`))).toBe(true);
    expect(labels.some((l) => l.startsWith(`#${b} «Nhắc nộp báo cáo`))).toBe(true);
    r = await bot.say(ADMIN, String(labels.findIndex((l) => l.startsWith(`#${b} `)) + 1));
    expect(bot.text(r)).toContain(`Dừng gửi thông báo #${b}?`);
    r = await bot.say(ADMIN, bot.button(r, 'Tiếp tục gửi'));
    expect(bot.text(r)).toContain(`Thông báo #${b} vẫn tiếp tục được gửi.`);
    expect(await state(b)).toBe('queued');
  });

  it('the button under the progress line asks first, then stops it; pressed again, it says it was already stopped', async () => {
    const id = await announce('Thông báo lịch tiếp dân.');
    let r = await bot.say(ADMIN, `go|bccancel|${id}`);
    expect(bot.text(r)).toContain(`Dừng gửi thông báo #${id}? Những người chưa nhận sẽ không nhận được nữa.`);
    expect(bot.text(r)).not.toContain(t('vi', 'confirm.edit_hint'));
    r = await bot.say(ADMIN, bot.button(r, 'Dừng gửi'));
    expect(bot.text(r)).toContain(`Đã dừng thông báo #${id}.`);
    expect(await state(id)).toBe('cancelled');
    expect(bot.text(await bot.say(ADMIN, `go|bccancel|${id}`))).toContain(`Thông báo #${id} đã được dừng trước đó.`);
    expect(bot.text(await bot.say(ADMIN, `/huythongbao #${id}`))).toContain(`Thông báo #${id} đã được dừng trước đó.`);
  });

  it('a number that names no announcement', async () => {
    expect(bot.text(await bot.say(ADMIN, '/huythongbao 999'))).toContain('Không tìm thấy thông báo #999.');
  });

  // A finished broadcast's old button (workers needed): test/jobs/broadcast.test.ts, through the Zalo fake.
});
