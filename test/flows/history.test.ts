import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { haiDuongStaffAndReturnedDossier, startBot, type TestBot } from '../helpers/bot.js';

describe('the audit trail of a dossier (/lichsu)', () => {
  let bot: TestBot;
  let dossier: string;
  const text = (r: { text: string }[]) => r.map((x) => x.text).join('\n');

  beforeAll(async () => {
    bot = await startBot('hai-duong-2021-2025', { now: new Date('2025-11-20T03:00:00Z') });
    dossier = await haiDuongStaffAndReturnedDossier(bot);
  });
  afterAll(() => bot.close());

  it('/lichsu shows every change of a dossier to staff in scope, with the return reason', async () => {
    const r = text(await bot.say('staff-tk', `/lichsu ${dossier}`));
    expect(r).toContain(`Lịch sử hồ sơ số ${dossier.slice(2)} — `);
    expect(r).toMatch(/• \d\d:\d\d \d\d\/\d\d\/2025: Tạo hồ sơ nháp \(cán bộ đơn vị, qua Trình mô phỏng\)/);
    expect(r).toContain('Gửi hồ sơ (cán bộ đơn vị, qua Trình mô phỏng)');
    expect(r).toContain('Trả lại để bổ sung — lý do: Thiếu biên bản họp (cán bộ theo dõi, qua Trình mô phỏng)');
    // Staff read Vietnamese, not the audit's codes.
    expect(r).not.toMatch(/nomination\.|\bofficer\b|\bstaff\b|\bsim\b/);
    expect(text(await bot.say('staff-gl', `/lichsu ${dossier}`))).not.toContain('Thiếu biên bản họp');
  });
});
