import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Inbox, TelegramChat, telegramReceived, ZaloChat } from '../../bench/lib/chats.js';
import { adminAnnouncement, officerJourney, type Chat, type OfficerPlan } from '../../bench/lib/officer.js';
import { PDF } from '../helpers/bot.js';
import { unitByCode } from '../helpers/jobs.js';
import { SECRET, startTelegramBot, type TelegramTestBot } from '../helpers/telegram.js';
import { startZaloBot, ZALO_OA_SECRET, type ZaloTestBot } from '../helpers/zalo.js';

/**
 * bench:journeys' simulated officer (bench/lib/officer.ts) keeps in step with the flows: on
 * the default preset it joins with an invite code, registers, reports, nominates with a
 * file and reads its /tinhtrang, on Telegram and on Zalo, answering what each reply asks;
 * the store then holds what it was told. And the admin's announcement starts.
 */
const ACTOR = { id: 'test', role: 'admin' as const, channel: 'cli' as const };

async function planFor(app: TelegramTestBot['bot']['app'], code: string, nominee: string): Promise<OfficerPlan & { unitId: string }> {
  const unit = await unitByCode(app, code);
  const invite = await app.store.invites.create({ role: 'officer', unitId: unit.id, createdBy: 'test' }, ACTOR);
  return { code: invite, unitId: unit.id, unitName: unit.name, nominee, file: Buffer.concat([PDF, Buffer.from(nominee)]), think: async () => {} };
}

async function expectStored(app: TelegramTestBot['bot']['app'], unitId: string, dossier: number) {
  const year = Math.max(...app.campaign.reportingYears);
  expect(await app.store.registrations.get(app.campaign.id, year, { type: 'unit', unitId })).toBeTruthy();
  expect(await app.store.reports.get(app.campaign.id, year, unitId)).toBeTruthy();
  const n = await app.store.nominations.get(`n_${dossier}`);
  expect(n).toMatchObject({ unitId, status: 'submitted' });
  expect(Object.keys(n!.parts)).toHaveLength(1);
}

describe('bench:journeys officer on Telegram', () => {
  let t: TelegramTestBot;
  const inbox = new Inbox(() => false);
  const agent = new http.Agent({ keepAlive: true });
  beforeAll(async () => {
    t = await startTelegramBot();
    t.fake.onMessage((chatId, m) => inbox.push(chatId, telegramReceived(m)));
  });
  afterAll(async () => {
    agent.destroy();
    await t?.close();
  });
  const line = () => ({ url: new URL(t.url), secret: SECRET, agent, updates: t.tg });

  it('does the whole journey from the replies, and the store holds it', async () => {
    const plan = await planFor(t.bot.app, 'TN-DH-BT-X02', 'Lê Thị Bench');
    const chat: Chat = new TelegramChat(inbox, line(), 4_100_001);
    const r = await officerJourney(chat, plan, '/start');
    expect(r.turns.length).toBeGreaterThan(15);
    expect(r.turns.every((x) => x.ms >= 0 && x.texts.length > 0)).toBe(true);
    await expectStored(t.bot.app, plan.unitId, r.dossier);
  });

  it("an admin's /thongbao to everyone starts, counting its recipients", async () => {
    await t.bot.app.store.identities.upsert({ channel: 'telegram', userId: '4100002', personId: null, role: 'admin', unitId: null, lang: 'vi', lastInboundAt: null, unreachable: false, createdAt: new Date().toISOString() }, ACTOR);
    expect(await adminAnnouncement(new TelegramChat(inbox, line(), 4_100_002), 'Họp sơ kết lúc 8 giờ.')).toBeGreaterThan(1);
  });
});

describe('bench:journeys officer on Zalo', () => {
  let z: ZaloTestBot;
  const inbox = new Inbox(() => false);
  beforeAll(async () => {
    z = await startZaloBot('binh-thanh-2024');
    z.fake.onSent((m) => inbox.push(m.user_id, { text: m.text ?? '', buttons: (m.buttons ?? []).map((b) => ({ label: String(b.title), data: String(b.payload) })), at: Date.now() }));
  });
  afterAll(async () => {
    await z?.close();
  });

  it('does the whole journey from the replies, with a file attachment, and the store holds it', async () => {
    const plan = await planFor(z.bot.app, 'TN-DH-BT-X03', 'Trần Văn Bench');
    const processed = (key: string) =>
      new Promise<void>((resolve) => {
        const on = (p: { key: string }) => p.key === key && (z.bot.app.zalo!.inbound.events.off('processed', on), resolve());
        z.bot.app.zalo!.inbound.events.on('processed', on);
      });
    const chat = new ZaloChat(inbox, { webhook: z.webhook, oaSecret: ZALO_OA_SECRET, events: z.ev, fake: z.fake, processed }, '5512000000000000042');
    const r = await officerJourney(chat, plan, 'xin chào');
    expect(r.turns.length).toBeGreaterThan(15);
    await expectStored(z.bot.app, plan.unitId, r.dossier);
  });
});
