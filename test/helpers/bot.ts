import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import { createApp, type App, type AppOptions } from '../../src/app.js';
import { parseConfig } from '../../src/config/index.js';
import { createLogger } from '../../src/logger.js';
import { seedDemo } from '../../src/demo/seed.js';
import type { Reply } from '../../src/engine/types.js';
import { currentStep } from '../../src/domain/index.js';

/** A minimal valid PDF: file-type recognises it from its header. */
export const PDF = Buffer.from('%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n');

export interface TestBot {
  app: App;
  prefix: string;
  dataDir: string;
  clock: { now: Date };
  /** Sends a text (or a button payload when it starts with s|, go|, cmd| or pg|) and returns the replies. */
  say(user: string, input: string, opts?: { messageId?: string }): Promise<Reply[]>;
  upload(user: string, bytes: Buffer, name: string): Promise<Reply[]>;
  /** The text of all replies joined, for assertions. */
  text(replies: Reply[]): string;
  /** The payload of the button whose label contains `label` in the last reply that has one. */
  button(replies: Reply[], label: string): string;
  inviteCode(): Promise<string>;
  restart(): Promise<void>;
  close(): Promise<void>;
}

export async function startBot(
  campaign: string,
  opts: {
    now?: Date;
    prefix?: string;
    dataDir?: string;
    env?: Record<string, string>;
    app?: Partial<Pick<AppOptions, 'telegramBotInfo' | 'inviteLimits' | 'log'>>;
    redisUrl?: string;
    /**
     * Seed the demo people (simulator accounts) even with platform tokens, as the other side
     * of a Telegram/Zalo conversation. Test fixture only: a real deployment with tokens never
     * seeds them and refuses to start when its store holds them.
     */
    demoPeople?: boolean;
    /**
     * Run on the app's own clock instead of `clock.now`: the demo clock of the local demo
     * (moved through /sim/api/clock), the real one with a platform token.
     */
    appClock?: boolean;
  } = {},
): Promise<TestBot> {
  const prefix = opts.prefix ?? `t${randomUUID().slice(0, 8)}`;
  const dataDir = opts.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'thidua-bot-'));
  const clock = { now: opts.now ?? new Date('2024-11-20T03:00:00Z') };
  // Scripted tests type faster than any person: the flood guard is tested on its own.
  const config = parseConfig({ CAMPAIGN: campaign, DATA_DIR: dataDir, LOG_LEVEL: 'silent', PORT: '0', USER_MESSAGES_PER_MINUTE: '1000000', ...opts.env });
  const make = () => createApp(config, { redisUrl: opts.redisUrl ?? inject('redisUrl'), log: createLogger(process.env.TEST_LOG_LEVEL ?? 'silent'), prefix, ...(!opts.appClock && { now: () => clock.now }), ...opts.app });
  const bot: TestBot = {
    app: await make(),
    prefix,
    dataDir,
    clock,
    async say(user, input, o = {}) {
      const isPayload = /^(s|go|cmd|pg)\|/.test(input);
      const r = await bot.app.engine.handle({
        channel: 'sim',
        userId: user,
        messageId: o.messageId ?? randomUUID(),
        text: isPayload ? undefined : input,
        payload: isPayload ? input : undefined,
        at: opts.appClock ? bot.app.clock.now() : clock.now,
      });
      return r.replies;
    },
    async upload(user, bytes, name) {
      const id = await bot.app.simulator.upload(bytes);
      const r = await bot.app.engine.handle({
        channel: 'sim',
        userId: user,
        messageId: randomUUID(),
        attachments: [{ kind: 'file', name, size: bytes.length, ref: id }],
        at: opts.appClock ? bot.app.clock.now() : clock.now,
      });
      return r.replies;
    },
    text: (replies) => replies.map((r) => r.text).join('\n'),
    button(replies, label) {
      for (const r of [...replies].reverse()) {
        const c = r.choices?.find((x) => x.label.includes(label));
        if (c) return c.payload;
      }
      throw new Error(`no button "${label}" in: ${JSON.stringify(replies.map((r) => r.choices?.map((c) => c.label)))}`);
    },
    async inviteCode() {
      const code = await bot.app.redis.get(`${prefix}:demo:invite`);
      if (!code) throw new Error('no demo invite');
      return code;
    },
    async restart() {
      await bot.app.close();
      bot.app = await make();
    },
    async close() {
      await bot.app.close();
    },
  };
  if (opts.demoPeople) await seedDemo(bot.app.store, bot.app.campaign, bot.app.redis, prefix);
  return bot;
}

/** A new chat user joins `unitCode` as officer or staff with a fresh invite code. */
export async function joinWithInvite(bot: TestBot, user: string, role: 'officer' | 'staff', unitCode: string): Promise<void> {
  const unit = await bot.app.store.units.getByCode(unitCode);
  if (!unit) throw new Error(`no unit ${unitCode}`);
  const code = await bot.app.store.invites.create({ role, unitId: unit.id, ttlDays: 1, createdBy: 'test' }, { id: 'test', role: 'admin', channel: 'cli' });
  await bot.say(user, 'hi');
  await bot.say(user, '1');
  await bot.say(user, code);
  const identity = await bot.app.store.identities.get('sim', user);
  if (identity?.role !== role) throw new Error(`${user} did not join as ${role}`);
}

/** A new chat user joins as officer of the demo unit with the demo invite code, which is then renewed for the next newcomer. */
export async function joinAsDemoOfficer(bot: TestBot, user: string): Promise<void> {
  await bot.say(user, 'chào');
  await bot.say(user, '1');
  await bot.say(user, await bot.inviteCode());
  const identity = await bot.app.store.identities.get('sim', user);
  if (identity?.role !== 'officer') throw new Error(`${user} did not join as officer`);
  const code = await bot.app.store.invites.create({ role: 'officer', unitId: identity.unitId, ttlDays: 7, createdBy: 'test' }, { id: 'test', role: 'admin', channel: 'cli' });
  await bot.app.redis.set(`${bot.prefix}:demo:invite`, code);
}

/**
 * Hải Dương: officers of Hưng Đạo (officer-a) and Quang Phục (officer-b), staff of Tứ Kỳ
 * (staff-tk) and of Gia Lộc (staff-gl), and a dossier of Hưng Đạo submitted then returned by
 * staff-tk with a reason. Returns the dossier's id.
 */
export async function haiDuongStaffAndReturnedDossier(bot: TestBot): Promise<string> {
  await joinWithInvite(bot, 'officer-a', 'officer', 'HD-TK-HDA');
  await joinWithInvite(bot, 'officer-b', 'officer', 'HD-TK-QP');
  await joinWithInvite(bot, 'staff-tk', 'staff', 'HD-TK');
  await joinWithInvite(bot, 'staff-gl', 'staff', 'HD-GL');
  const { store, campaign } = bot.app;
  const unit = (await store.units.getByCode('HD-TK-HDA'))!;
  const by = { id: 'sim:officer-a', role: 'officer', channel: 'sim' } as const;
  const award = campaign.awards.find((a) => a.reviews.some((r) => r.year === null))!;
  const n = await store.nominations.createDraft(
    { campaignId: campaign.id, year: 2025, unitId: unit.id, awardId: award.id, reviewId: award.reviews.find((r) => r.year === null)!.id, nominee: { type: 'collective', unitId: unit.id, name: unit.name }, createdBy: by.id },
    by,
  );
  await store.nominations.setStatus(n.id, 'submitted', {}, by);
  await store.nominations.setStatus(n.id, 'returned', { reason: 'Thiếu biên bản họp' }, { id: 'sim:staff-tk', role: 'staff', channel: 'sim' });
  return n.id;
}

/**
 * The nomination of one person up to its first dossier part, from replies that offer
 * "Một cá nhân" (the nominee-kind question): name, position, unit, the first award offered,
 * the achievement summary. Returns the replies that ask for the first part.
 */
export async function nominatePerson(
  bot: TestBot,
  user: string,
  from: Reply[],
  p: { name: string; position: string; unit: string; summary: string },
): Promise<Reply[]> {
  let r = await bot.say(user, bot.button(from, 'Một cá nhân'));
  r = await bot.say(user, p.name);
  r = await bot.say(user, p.position);
  r = await bot.say(user, p.unit);
  r = await bot.say(user, '1');
  return bot.say(user, p.summary);
}

/**
 * The simulator staff member who decides dossier `id` at its current review step: a staff
 * member of the unit holding the step's office (the demo seed makes one per office).
 */
export async function deciderOf(bot: TestBot, id: string): Promise<string> {
  const { store, campaign } = bot.app;
  const n = (await store.nominations.get(id))!;
  const step = currentStep(campaign, n);
  if (!step?.office) throw new Error(`dossier ${id} waits at no office's step`);
  const unit = await store.units.officeUnit(n.unitId, step.office.id);
  const staff = unit ? (await store.identities.listByUnit(unit.id)).find((i) => i.role === 'staff' && i.channel === 'sim') : undefined;
  if (!staff) throw new Error(`no simulator staff for ${step.office.id} (dossier ${id})`);
  return staff.userId;
}

/** Each office of the chain accepts dossier `id` in turn, through the chat, until it is proposed; returns the last office's replies. */
export async function acceptThroughChain(bot: TestBot, id: string): Promise<Reply[]> {
  let r: Reply[] = [];
  for (let i = 0; i < 3 && (await bot.app.store.nominations.get(id))!.status === 'submitted'; i++) {
    const user = await deciderOf(bot, id);
    r = await bot.say(user, `go|review_accept|${id}`);
    r = await bot.say(user, bot.button(r, 'Chấp nhận'));
  }
  return r;
}
