import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allFlows } from '../../flows/index.js';
import { reviewsOpenIn } from '../../src/domain/index.js';
import { fromRoot } from '../../src/paths.js';
import type { Actor } from '../../src/store/index.js';
import { startTelegramBot, textOf, type TelegramTestBot } from '../helpers/telegram.js';

/** Commands meant for officers (and individuals); every other flow command is for staff or admins. */
const OFFICER_COMMANDS = ['/dangky', '/baocao', '/dexuat', '/tinhtrang', '/duthao'];
const ANNOUNCE_FILE = fromRoot('flows', 'announce.ts');
const ADMIN: Actor = { id: 'test', role: 'admin', channel: 'cli' };
const REFUSED = 'Bạn không có quyền';
const ONBOARDING = 'Bạn tham gia phong trào với tư cách nào?';

const staffCommands = allFlows.flatMap((f) => (f.command && !OFFICER_COMMANDS.includes(f.command) ? [f.command] : []));

describe('authorization: staff and admin commands', () => {
  let t: TelegramTestBot;
  let nominationId: string;
  /** Everything a non-staff user might try: each command bare and with an argument, and the deep-link buttons. */
  let attempts: { text?: string; data?: string }[];

  beforeAll(async () => {
    t = await startTelegramBot();
    const { store, campaign } = t.bot.app;
    const hamlet = (await store.units.getByCode('TN-DH-BT-X01'))!;
    const { award, review } = reviewsOpenIn(campaign, 2024)[0]!;
    const by: Actor = { id: 'sim:can-bo-don-vi', role: 'officer', channel: 'sim' };
    const n = await store.nominations.createDraft(
      { campaignId: campaign.id, year: 2024, unitId: hamlet.id, awardId: award.id, reviewId: review.id, nominee: { type: 'collective', unitId: hamlet.id, name: hamlet.name }, createdBy: by.id },
      by,
    );
    nominationId = (await store.nominations.setStatus(n.id, 'submitted', {}, by)).id;
    attempts = [
      ...staffCommands.flatMap((c) => [{ text: c }, { text: `${c} ${nominationId}` }, { text: `${c}@${t.fake.botInfo.username}` }]),
      ...allFlows.filter((f) => !OFFICER_COMMANDS.includes(f.command ?? '') && f.id !== 'onboarding' && !['help', 'lang', 'status'].includes(f.id)).flatMap((f) => [
        { data: `go|${f.id}` },
        { data: `go|${f.id}|${nominationId}` },
      ]),
    ];
  });
  afterAll(() => t?.close());

  it('covers every staff and admin command there is', () => {
    expect(staffCommands).toEqual(expect.arrayContaining(['/thongke', '/thieu', '/hoso', '/moi']));
    if (fs.existsSync(ANNOUNCE_FILE)) expect(staffCommands).toContain('/thongbao');
    else console.warn('flows/announce.ts does not exist yet: /thongbao is not covered by this test until it does');
  });

  it('an officer is refused every one, and nothing changes', async () => {
    const OFFICER = 7001;
    const code = await t.bot.app.store.invites.create({ role: 'officer', unitId: (await t.bot.app.store.units.getByCode('TN-DH-BT-X01'))!.id, createdBy: 'test' }, ADMIN);
    await t.send(t.tg.command({ userId: OFFICER, command: 'start' }), OFFICER);
    await t.press(OFFICER, 'Cán bộ đơn vị');
    await t.send(t.tg.text({ userId: OFFICER, text: code }), OFFICER);
    const invites = (await t.bot.app.store.invites.listActive()).length;
    for (const a of attempts) {
      const update = a.text ? t.tg.text({ userId: OFFICER, text: a.text }) : t.tg.callbackQuery({ userId: OFFICER, data: a.data! });
      const replies = (await t.send(update, OFFICER)).map(textOf).join('\n');
      expect(replies, JSON.stringify(a)).toContain(REFUSED);
    }
    expect((await t.bot.app.store.nominations.get(nominationId))!.status).toBe('submitted');
    expect((await t.bot.app.store.invites.listActive()).length).toBe(invites);
    expect(t.fake.callsOf('sendDocument')).toEqual([]);
  });

  it('a stranger is sent to onboarding instead, every time', async () => {
    let user = 7100;
    for (const a of attempts) {
      user++;
      const update = a.text ? t.tg.text({ userId: user, text: a.text }) : t.tg.callbackQuery({ userId: user, data: a.data! });
      const replies = (await t.send(update, user)).map(textOf).join('\n');
      expect(replies, JSON.stringify(a)).toContain(ONBOARDING);
      expect((await t.bot.app.store.identities.get('telegram', String(user)))?.role ?? null).toBeNull();
    }
    expect((await t.bot.app.store.nominations.get(nominationId))!.status).toBe('submitted');
    expect(t.fake.callsOf('sendDocument')).toEqual([]);
  });

  it('an individual is refused too; staff are refused admin-only commands', async () => {
    for (const a of attempts.filter((x) => x.text)) {
      const r = await t.bot.say('individual-1', a.text!);
      if (r.length === 0) continue;
      expect(t.bot.text(r), a.text).toMatch(new RegExp(`${ONBOARDING}|${REFUSED}`));
    }
    await t.bot.app.store.identities.upsert(
      { channel: 'sim', userId: 'individual-2', personId: null, role: 'individual', unitId: null, lang: 'vi', lastInboundAt: null, unreachable: false, createdAt: new Date().toISOString() },
      ADMIN,
    );
    for (const a of attempts.filter((x) => x.text)) expect(t.bot.text(await t.bot.say('individual-2', a.text!)), a.text).toContain(REFUSED);
    if (fs.existsSync(ANNOUNCE_FILE)) {
      // Announcements are for admins only (issue 4); the demo staff member is district staff.
      expect(t.bot.text(await t.bot.say('can-bo-theo-doi', '/thongbao'))).toContain(REFUSED);
    }
  });

  it('group linking is refused to officers and strangers', async () => {
    const GROUP = { chatId: -1007770001, title: 'Nhóm thử' };
    await t.post(t.tg.command({ userId: 7001, command: 'lienket', group: GROUP }));
    await t.post(t.tg.command({ userId: 7999, command: 'lienket', group: GROUP }));
    await t.post(t.tg.command({ userId: 7001, command: 'huylienket', group: GROUP }));
    expect(t.fake.messagesTo(GROUP.chatId).map(textOf)).toEqual([
      expect.stringContaining('Chỉ cán bộ theo dõi hoặc quản trị'),
      expect.stringContaining('Chỉ cán bộ theo dõi hoặc quản trị'),
      expect.stringContaining('Chỉ cán bộ theo dõi hoặc quản trị'),
    ]);
    expect(await t.bot.app.telegram!.groups.all()).toEqual([]);
  });
});
