import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { allFlows } from '../../flows/index.js';
import { fromRoot } from '../../src/paths.js';
import { startBot, type TestBot } from '../helpers/bot.js';

const RESTARTED = 'Nội dung này vừa được cập nhật';
const INTERNAL = 'hệ thống gặp sự cố';
const AREAS = 'Chọn các nội dung thi đua';

/** Onboards `user` as the demo officer of the Bình Thành campaign. */
async function officer(bot: TestBot, user: string) {
  await bot.say(user, 'chào');
  await bot.say(user, '1');
  await bot.say(user, await bot.inviteCode());
  expect((await bot.app.store.identities.get('sim', user))?.role).toBe('officer');
}

describe('answers are checked against the flow before use', () => {
  let bot: TestBot;
  afterEach(() => bot?.close());

  it('a stored session whose answers no longer fit the flow starts it again politely, and what is saved is valid', async () => {
    bot = await startBot('binh-thanh-2024');
    await officer(bot, 'a1');
    await bot.say('a1', 'go|register');
    await bot.say('a1', '1,2');
    // As an older version might have left it: the areas as the typed text, not a list of ids.
    const stored = (await bot.app.engine.sessions.load('sim', 'a1'))!;
    expect(stored.step).toBe('commitments');
    await bot.app.engine.sessions.save('sim', 'a1', { ...stored, data: { ...stored.data, areas: '1,2' } });

    let r = await bot.say('a1', 'Giữ vững danh hiệu');
    expect(bot.text(r)).toContain(RESTARTED);
    expect(bot.text(r)).toContain(AREAS);
    expect(bot.text(r)).not.toContain(INTERNAL);
    // The flow runs again from its first question and saves a valid registration.
    await bot.say('a1', '2');
    await bot.say('a1', 'xong');
    await bot.say('a1', 'bỏ qua');
    r = await bot.say('a1', 'Xác nhận');
    expect(bot.text(r)).not.toContain(INTERNAL);
    const unitId = (await bot.app.store.identities.get('sim', 'a1'))!.unitId!;
    const reg = await bot.app.store.registrations.get('binh-thanh-2024', 2024, { type: 'unit', unitId });
    expect(reg?.contentAreas).toHaveLength(1);
  });

  it('confirming answers that lack a question added since they were given begins the flow again, and saves nothing', async () => {
    bot = await startBot('binh-thanh-2024');
    await officer(bot, 'a3');
    await bot.say('a3', 'go|register');
    await bot.say('a3', '1,2');
    let r = await bot.say('a3', 'bỏ qua');
    expect(bot.text(r)).toContain('Kiểm tra lại đăng ký');
    // As if the areas question had been added after this user passed it.
    const stored = (await bot.app.engine.sessions.load('sim', 'a3'))!;
    const { areas: _areas, ...rest } = stored.data;
    await bot.app.engine.sessions.save('sim', 'a3', { ...stored, data: rest });

    r = await bot.say('a3', 'Xác nhận');
    expect(bot.text(r)).toContain(RESTARTED);
    expect(bot.text(r)).toContain(AREAS);
    expect(bot.text(r)).not.toContain(INTERNAL);
    const unitId = (await bot.app.store.identities.get('sim', 'a3'))!.unitId!;
    expect(await bot.app.store.registrations.get('binh-thanh-2024', 2024, { type: 'unit', unitId })).toBeNull();
  });

  it('a paused flow whose answers no longer fit is begun again instead of resumed', async () => {
    bot = await startBot('binh-thanh-2024');
    await officer(bot, 'a2');
    await bot.say('a2', 'go|register');
    await bot.say('a2', '1,2');
    await bot.say('a2', 'menu');
    const stored = (await bot.app.engine.sessions.load('sim', 'a2'))!;
    const paused = stored.paused.register!;
    expect(paused.step).toBe('commitments');
    // An answer the flow never declared (a field of an older version) makes the answers not fit.
    await bot.app.engine.sessions.save('sim', 'a2', { ...stored, paused: { register: { ...paused, data: { ...paused.data, areaIds: 'old' } } } });

    const r = await bot.say('a2', 'go|register');
    expect(bot.text(r)).toContain(RESTARTED);
    expect(bot.text(r)).not.toContain('Tiếp tục phần bạn đang làm dở');
    expect(bot.text(r)).toContain(AREAS);
    expect((await bot.app.engine.sessions.load('sim', 'a2'))!.data).not.toHaveProperty('areaIds');
  });
});

describe('flow files', () => {
  it('each file in flows/ holds exactly one flow, named as its id', async () => {
    const dir = fromRoot('flows');
    // index.ts lists the flows and links.ts their ids; every other file is one flow.
    const files = fs.readdirSync(dir).filter((f) => f.endsWith('.ts') && f !== 'index.ts' && f !== 'links.ts');
    const byFile = new Map<string, string[]>();
    for (const f of files) {
      const mod = (await import(path.join(dir, f))) as Record<string, unknown>;
      const ids = Object.values(mod).flatMap((v) => (allFlows as readonly unknown[]).includes(v) ? [(v as { id: string }).id] : []);
      byFile.set(f.replace(/\.ts$/, ''), ids);
    }
    for (const [file, ids] of byFile) expect(ids, `flows/${file}.ts`).toEqual([file]);
    expect([...byFile.keys()].sort()).toEqual(allFlows.map((f) => f.id).sort());
  });
});
