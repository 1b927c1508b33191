import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { allFlows } from '../../flows/index.js';
import type { Nomination } from '../../src/domain/entities.js';
import { fromRoot } from '../../src/paths.js';
import { PDF, startBot, type TestBot } from '../helpers/bot.js';
import { addIdentity, addNomination } from '../helpers/jobs.js';

/**
 * Issue 13 item 1: a command or button acts on what it names. For every flow with steps that
 * is started on a target (a dossier, a broadcast), pausing it on target A and then starting it
 * on target B shows and acts on B; A stays as it was and stays paused, offered back by name.
 */

const CAMPAIGN = 'binh-thanh-2024';
/** The office that receives the hamlets' dossiers in Bình Thành's plan (Công chức Văn phòng – Thống kê xã): it decides their first step. */
const RECEIVING = 'TN-DH-BT-VPTK';
const HAMLET = 'TN-DH-BT-X01';

interface Case {
  /** Who runs it, with which role and unit. */
  who: { role: 'staff' | 'admin' | 'officer'; unitCode: string | null };
  /** Two targets, as the flow's argument (`n_12`, a broadcast id). */
  targets(bot: TestBot): Promise<[string, string]>;
  /** The payload or command that starts the flow on a target. */
  start(target: string): string;
  /** Steps taken on A before pausing (so the paused flow has answers of A). */
  before?: string[];
  /** What the first question on a target shows of it. */
  names(target: string): string;
  /** Inputs that finish the flow from its first question. */
  finish: (bot: TestBot, user: string, first: Awaited<ReturnType<TestBot['say']>>) => Promise<void>;
  /** The target's state after the flow acted on it, and before. */
  state(bot: TestBot, target: string): Promise<string>;
  /** Only shows the target (changes nothing). */
  readOnly?: boolean;
}

const num = (id: string) => id.replace(/^n_/, '');
const dossierState = async (bot: TestBot, id: string) => {
  const n = (await bot.app.store.nominations.get(id))!;
  return `${n.status}:${n.step ?? ''}:${Object.keys(n.parts).sort().join(',')}`;
};
const twoDossiers = async (bot: TestBot, opts: Parameters<typeof addNomination>[3]): Promise<[string, string]> => {
  const a = await addNomination(bot.app, bot.dataDir, HAMLET, { nominee: 'Nguyễn Văn An', ...opts });
  const b = await addNomination(bot.app, bot.dataDir, HAMLET, { nominee: 'Trần Thị Bình', ...opts });
  return [a.id, b.id];
};

const CASES: Record<string, Case> = {
  review: {
    who: { role: 'staff', unitCode: RECEIVING },
    targets: (bot) => twoDossiers(bot, { status: 'submitted', parts: ['to_trinh'] }),
    start: (t) => `/hoso ${num(t)}`,
    names: (t) => `Hồ sơ số ${num(t)} `,
    // `/hoso` waits at the pick (paused by "menu"); `/hoso 12` shows that dossier at once.
    before: [],
    readOnly: true,
    finish: async () => {},
    state: dossierState,
  },
  review_accept: {
    who: { role: 'staff', unitCode: RECEIVING },
    targets: (bot) => twoDossiers(bot, { status: 'submitted', parts: ['to_trinh'] }),
    start: (t) => `go|review_accept|${t}`,
    names: (t) => `Chấp nhận hồ sơ số ${num(t)} `,
    finish: async (bot, user, r) => void (await bot.say(user, bot.button(r, 'Chấp nhận'))),
    state: dossierState,
  },
  review_return: {
    who: { role: 'staff', unitCode: RECEIVING },
    targets: (bot) => twoDossiers(bot, { status: 'submitted', parts: ['to_trinh'] }),
    start: (t) => `go|review_return|${t}`,
    before: ['Thiếu biên bản họp hội đồng'],
    names: (t) => `hồ sơ số ${num(t)}?`,
    finish: async (bot, user) => {
      const r = await bot.say(user, 'Thiếu báo cáo thành tích');
      await bot.say(user, bot.button(r, 'Trả lại'));
    },
    state: dossierState,
  },
  nominate: {
    who: { role: 'officer', unitCode: HAMLET },
    targets: (bot) => twoDossiers(bot, { status: 'submitted', parts: ['to_trinh'] }),
    start: (t) => `go|nominate|${t}`,
    before: ['Bổ sung phần còn thiếu'],
    names: (t) => `Hồ sơ số ${num(t)}`,
    finish: async (bot, user, r) => {
      r = await bot.say(user, bot.button(r, 'Bổ sung phần còn thiếu'));
      while (r.at(-1)?.expectsFile) r = await bot.upload(user, Buffer.concat([PDF, Buffer.from(String(Math.random()))]), 'phan.pdf');
      await bot.say(user, bot.button(r, 'Lưu bổ sung'));
    },
    state: dossierState,
  },
  draft: {
    who: { role: 'officer', unitCode: HAMLET },
    targets: (bot) => twoDossiers(bot, { status: 'submitted', parts: ['to_trinh'] }),
    start: (t) => `go|draft|${t}`,
    before: ['Biên bản họp Hội đồng Thi đua - Khen thưởng'],
    names: (t) => `Hồ sơ số ${num(t)} —`,
    finish: async (bot, user, r) => {
      const sent = await bot.say(user, bot.button(r, 'Tờ trình'));
      expect(sent.some((x) => x.file?.name.startsWith('du-thao-to-trinh-ho-so-'))).toBe(true);
    },
    state: dossierState,
    readOnly: true,
  },
  bccancel: {
    who: { role: 'admin', unitCode: null },
    async targets(bot) {
      const by = { channel: 'sim' as const, userId: 'quan-tri', lang: 'vi' as const };
      const a = await bot.app.jobs.broadcasts.start({ by, text: 'Lịch họp tháng 12', audience: { kind: 'all' } });
      const b = await bot.app.jobs.broadcasts.start({ by, text: 'Lịch trực Tết', audience: { kind: 'all' } });
      return [a.id, b.id];
    },
    start: (t) => `/huythongbao ${t}`,
    names: (t) => `#${t}`,
    finish: async (bot, user, r) => void (await bot.say(user, bot.button(r, 'Dừng'))),
    state: async (bot, id) => (await bot.app.jobs.broadcasts.status(id))!.status,
  },
};

/** Flows with steps whose start reads a target (their file, or the decision helper they share). */
function flowsTakingATarget(): string[] {
  return allFlows
    .filter((f) => !f.render)
    .filter((f) => /ctx\.args|beginDecision/.test(fs.readFileSync(fromRoot('flows', `${f.id}.ts`), 'utf8')))
    .map((f) => f.id);
}

describe('a flow started on a target acts on that target, never on one paused earlier', () => {
  let bot: TestBot | undefined;
  afterEach(async () => {
    await bot?.close();
    bot = undefined;
  });

  it('every flow that takes a target has a case here', () => {
    expect(flowsTakingATarget().sort()).toEqual(Object.keys(CASES).sort());
  });

  it.each(Object.keys(CASES))('%s: paused on A, started on B → shows and acts on B; A untouched and still offered', async (id) => {
    const c = CASES[id]!;
    bot = await startBot(CAMPAIGN);
    const user = `u-${id}`;
    await addIdentity(bot.app, 'sim', user, { role: c.who.role, unitCode: c.who.unitCode });
    const [a, b] = await c.targets(bot);
    const aBefore = await c.state(bot, a);
    const bBefore = await c.state(bot, b);

    let r = await bot.say(user, c.start(a));
    expect(bot.text(r)).toContain(c.names(a));
    for (const input of c.before ?? []) r = await bot.say(user, input.startsWith('go|') ? input : (r.at(-1)?.choices?.find((x) => x.label === input)?.payload ?? input));
    await bot.say(user, 'menu');

    r = await bot.say(user, c.start(b));
    const shown = bot.text(r);
    expect(shown).toContain(c.names(b));
    expect(shown).not.toContain(c.names(a));
    expect(shown).not.toContain('Tiếp tục phần bạn đang làm dở');
    await c.finish(bot, user, r);

    if (!c.readOnly) expect(await c.state(bot, b)).not.toBe(bBefore);
    expect(await c.state(bot, a)).toBe(aBefore);
    // A is still paused: started on A again, it continues where it stopped (flows with steps before pausing).
    if (c.before?.length) {
      r = await bot.say(user, c.start(a));
      expect(bot.text(r)).toContain('Tiếp tục phần bạn đang làm dở');
    }
  });

  it('the reported case: /hoso 2 → Chấp nhận → menu → /hoso 3 → Chấp nhận accepts 3 (on to its next step), and 2 stays waiting', async () => {
    bot = await startBot(CAMPAIGN);
    await addIdentity(bot.app, 'sim', 'staff', { role: 'staff', unitCode: RECEIVING });
    const [two, three] = await twoDossiers(bot, { status: 'submitted', parts: ['to_trinh'] });
    let r = await bot.say('staff', `/hoso ${num(two)}`);
    r = await bot.say('staff', bot.button(r, 'Chấp nhận'));
    expect(bot.text(r)).toContain(`Chấp nhận hồ sơ số ${num(two)} `);
    await bot.say('staff', 'menu');
    r = await bot.say('staff', `/hoso ${num(three)}`);
    r = await bot.say('staff', bot.button(r, 'Chấp nhận'));
    expect(bot.text(r)).toContain(`Chấp nhận hồ sơ số ${num(three)} `);
    expect(bot.text(r)).not.toContain(`số ${num(two)} `);
    r = await bot.say('staff', bot.button(r, 'Chấp nhận'));
    expect(bot.text(r)).toContain(`Đã tiếp nhận hồ sơ số ${num(three)} — `);
    const state = async (id: string) => (await bot!.app.store.nominations.get(id)) as Nomination;
    expect(await state(three)).toMatchObject({ status: 'submitted', step: 'appraise' });
    expect((await state(two)).step).toBeUndefined();
  });

  it('a notice button pressed in the middle of another flow asks first; yes switches and keeps the other, no stays', async () => {
    bot = await startBot(CAMPAIGN);
    await addIdentity(bot.app, 'sim', 'o', { role: 'officer', unitCode: HAMLET });
    const [a] = await twoDossiers(bot, { status: 'submitted', parts: ['to_trinh'] });
    let r = await bot.say('o', 'go|register');
    const question = bot.text(r);
    r = await bot.say('o', `go|nominate|${a}`);
    expect(bot.text(r)).toContain('Bạn đang làm dở việc «Đăng ký thi đua». Chuyển sang «Đề nghị khen thưởng»?');
    expect(bot.text(r)).not.toContain('câu hỏi cũ');
    r = await bot.say('o', bot.button(r, 'Không'));
    expect(bot.text(r)).toContain(question);
    r = await bot.say('o', `go|nominate|${a}`);
    r = await bot.say('o', bot.button(r, 'Có, chuyển'));
    expect(bot.text(r)).toContain(`Hồ sơ số ${num(a)}`);
    // The registration was paused, not lost.
    await bot.say('o', 'menu');
    r = await bot.say('o', 'go|register');
    expect(bot.text(r)).toContain('Tiếp tục phần bạn đang làm dở');
  });
});
