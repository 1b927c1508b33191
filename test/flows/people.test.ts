import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Actor } from '../../src/store/index.js';
import { joinWithInvite, startBot, type TestBot } from '../helpers/bot.js';
import { cli, PROCESS_TEST_TIMEOUT } from '../helpers/process.js';

const ADMIN: Actor = { id: 'test', role: 'admin', channel: 'cli' };

describe('staff manage the people of their units; the audit trail of a dossier', () => {
  let bot: TestBot;
  let dossier: string;
  const text = (r: { text: string }[]) => r.map((x) => x.text).join('\n');
  const join = (user: string, role: 'officer' | 'staff', unitCode: string) => joinWithInvite(bot, user, role, unitCode);

  beforeAll(async () => {
    bot = await startBot('hai-duong-2021-2025', { now: new Date('2025-11-20T03:00:00Z') });
    await join('officer-a', 'officer', 'HD-TK-HDA');
    await join('officer-b', 'officer', 'HD-TK-QP');
    await join('staff-tk', 'staff', 'HD-TK');
    await join('staff-gl', 'staff', 'HD-GL');
    const { store, campaign } = bot.app;
    const unit = (await store.units.getByCode('HD-TK-HDA'))!;
    const by: Actor = { id: 'sim:officer-a', role: 'officer', channel: 'sim' };
    const award = campaign.awards.find((a) => a.reviews.some((r) => r.year === null))!;
    const n = await store.nominations.createDraft(
      { campaignId: campaign.id, year: 2025, unitId: unit.id, awardId: award.id, reviewId: award.reviews.find((r) => r.year === null)!.id, nominee: { type: 'collective', unitId: unit.id, name: unit.name }, createdBy: by.id },
      by,
    );
    await store.nominations.setStatus(n.id, 'submitted', {}, by);
    await store.nominations.setStatus(n.id, 'returned', { reason: 'Thiếu biên bản họp' }, { id: 'sim:staff-tk', role: 'staff', channel: 'sim' });
    dossier = n.id;
  });
  afterAll(() => bot.close());

  it('/canbo lists only the people of units under the office, and revokes one', async () => {
    expect(text(await bot.say('staff-gl', '/canbo'))).toContain('Chưa có cán bộ nào');
    let r = await bot.say('staff-tk', '/canbo');
    const labels = r.at(-1)!.choices!.map((c) => c.label);
    expect(labels.some((l) => l.includes('UBND xã Hưng Đạo'))).toBe(true);
    expect(labels.some((l) => l.includes('UBND xã Quang Phục'))).toBe(true);
    expect(labels.some((l) => l.includes('Gia Lộc'))).toBe(false);
    r = await bot.say('staff-tk', r.at(-1)!.choices!.find((c) => c.label.includes('Hưng Đạo'))!.payload);
    expect(text(r)).toContain('Thu hồi quyền của người này?');
    r = await bot.say('staff-tk', 'Xác nhận');
    expect(text(r)).toContain('Đã thu hồi quyền');
    expect((await bot.app.store.identities.get('sim', 'officer-a'))?.role).toBeNull();
    expect(text(await bot.say('officer-a', 'menu'))).toContain('Bạn tham gia phong trào với tư cách nào?');
    expect((await bot.app.store.identities.get('sim', 'officer-b'))?.role).toBe('officer');
    expect(text(await bot.say('officer-b', '/canbo'))).toContain('Bạn không có quyền');
  });

  it('/lichsu shows every change of a dossier to staff in scope, with the return reason', async () => {
    const r = text(await bot.say('staff-tk', `/lichsu ${dossier}`));
    expect(r).toContain(`Lịch sử hồ sơ ${dossier}`);
    expect(r).toMatch(/nomination\.create/);
    expect(r).toContain('đã gửi');
    expect(r).toContain('bị trả lại');
    expect(r).toContain('Thiếu biên bản họp');
    expect(text(await bot.say('staff-gl', `/lichsu ${dossier}`))).not.toContain('Thiếu biên bản họp');
  });

  it('the CLI dumps the audit of a period as JSON lines', { timeout: PROCESS_TEST_TIMEOUT }, () => {
    const out = cli(['audit:dump', '--from', '2000-01-01', '--entity', dossier], {
      env: { ...process.env, REDIS_URL: inject('redisUrl'), STORE_PREFIX: bot.prefix, DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'audit-')) },
    });
    expect(out.status, out.stderr).toBe(0);
    const lines = out.stdout.trim().split('\n').map((l) => JSON.parse(l) as { action: string; entityId: string; role: string });
    expect(lines.length).toBeGreaterThanOrEqual(3);
    expect(lines.every((l) => l.entityId === dossier)).toBe(true);
    expect(lines.map((l) => l.role)).toContain('staff');
    expect(out.stderr).toMatch(/\d+ audit entries/);
  });
});
