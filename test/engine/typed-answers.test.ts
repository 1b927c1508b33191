import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderReply as telegramRender } from '../../src/channels/telegram/render.js';
import { renderReply as zaloRender } from '../../src/channels/zalo/render.js';
import { reviewsOpenIn } from '../../src/domain/index.js';
import { fold } from '../../src/domain/text.js';
import { pageCount, pagePayload } from '../../src/engine/pages.js';
import type { Reply } from '../../src/engine/types.js';
import type { Actor } from '../../src/store/index.js';
import { deciderOf, joinWithInvite, PDF, startBot, type TestBot } from '../helpers/bot.js';

/**
 * Issue #13 item 3: whatever the screen shows can be typed. For every preset, every flow each
 * role runs is walked through every step; at each question, each channel's rendering
 * (the simulator's reply, Telegram's keyboard, Zalo's text and buttons on every page) is
 * read as a person reads it, and every label and number shown is typed back (as shown,
 * lower-case, without diacritics) in a copy of the session. Typed must do exactly what
 * pressing that button does (same session after it), and never answer "Lựa chọn chưa đúng".
 */
const PRESETS = [
  { id: 'binh-thanh-2024', now: '2024-11-20T03:00:00Z', year: 2024 },
  { id: 'dong-thap-2021-2025', now: '2025-11-20T03:00:00Z', year: 2025 },
  { id: 'hai-duong-2021-2025', now: '2025-11-20T03:00:00Z', year: 2025 },
  { id: 'tu-ky-2021-2025', now: '2025-11-20T03:00:00Z', year: 2025 },
];
const DEMO = { officer: 'can-bo-don-vi', staff: 'can-bo-theo-doi', admin: 'quan-tri' };
/** What a choice answered wrongly looks like (error.choice, error.multi, error.file_expected, error.stale_button). */
const REFUSED = /Lựa chọn chưa đúng|Bước này cần một tệp|Nút này thuộc một câu hỏi cũ/;

/** One thing on the screen the user can press or type: its number if shown, its label, and what pressing it sends. */
interface Shown {
  where: string;
  number?: number;
  label?: string;
  payload?: string;
  /** When pressing is not the equivalent (a summary line's number): what the typed number must equal. */
  same?: string;
  /** The page of Zalo's buttons it is on (pressed to get there first). */
  page?: number;
}

const NUMBERED = /^(\d{1,3})\. (.+)$/s;

/** The simulator page and the terminal chat show the reply's choices as they are ("1. …" when numbered). */
function simulatorView(r: Reply): Shown[] {
  const numbered = r.numbered ?? (r.choices?.length ?? 0) > 1;
  return (r.choices ?? []).map((c, i) => ({ where: 'simulator', label: c.label, payload: c.payload, ...(numbered && { number: i + 1 }) }));
}

function telegramView(r: Reply): Shown[] {
  const out: Shown[] = [];
  for (const op of telegramRender(r, (p) => p)) {
    for (const b of op.keyboard?.flat() ?? []) {
      const m = NUMBERED.exec(b.text);
      out.push({ where: 'telegram', payload: b.callback_data, ...(m ? { number: Number(m[1]), label: m[2] } : { label: b.text }) });
    }
  }
  return out;
}

/** Zalo: the buttons of this page, and every numbered line of the text. */
function zaloView(r: Reply, page: number): Shown[] {
  const parts = zaloRender(r, 'vi');
  const out: Shown[] = [];
  const byNumber = new Map<number, string>(r.choices?.map((c, i) => [i + 1, c.payload]) ?? []);
  for (const p of parts) {
    if (p.kind !== 'text') continue;
    for (const b of p.buttons ?? []) {
      expect(p.buttons!.length, 'Zalo shows at most 5 buttons per message').toBeLessThanOrEqual(5);
      const m = NUMBERED.exec(b.title);
      out.push({ where: `zalo page ${page + 1}`, page, payload: b.payload, ...(m ? { number: Number(m[1]), label: m[2] } : { label: b.title }) });
    }
    for (const line of p.text.split('\n')) {
      const m = NUMBERED.exec(line.trim());
      if (!m) continue;
      const n = Number(m[1]);
      const numberedChoices = r.numbered ?? (r.choices?.length ?? 0) > 1;
      // A numbered line is a choice when the choices are numbered; otherwise it is a summary line ("sửa N").
      if (numberedChoices) out.push({ where: `zalo text`, number: n, label: m[2], payload: byNumber.get(n) });
      else out.push({ where: `zalo text`, number: n, same: `sửa ${n}` });
    }
  }
  return out;
}

/** The forms a person types what they see in. */
function typings(s: Shown): string[] {
  const out = new Set<string>();
  if (s.number !== undefined) out.add(String(s.number));
  if (s.label) {
    out.add(s.label);
    out.add(s.label.toLowerCase());
    out.add(fold(s.label));
  }
  return [...out];
}

describe.each(PRESETS)('preset $id: every choice shown can be typed, on every channel', ({ id, now, year }) => {
  let bot: TestBot;
  beforeAll(async () => {
    bot = await startBot(id, { now: new Date(now) });
  });
  afterAll(() => bot.close());

  const sessionKey = (user: string) => `${bot.prefix}:session:sim:${user}`;
  const state = async (user: string) => {
    const s = await bot.app.engine.sessions.load('sim', user);
    return s && { flow: s.flow, step: s.step, data: s.data, history: s.history, returnTo: s.returnTo, page: s.page };
  };
  const failures: string[] = [];

  /** Every label and number on the screen for this batch of replies, typed, against pressing it. */
  async function probe(user: string, replies: Reply[], at: string): Promise<void> {
    const asked = [...replies].reverse().find((r) => r.choices?.length);
    if (!asked) return;
    const saved = await bot.app.redis.get(sessionKey(user));
    const restore = async () => (saved ? bot.app.redis.set(sessionKey(user), saved) : bot.app.redis.del(sessionKey(user)));
    const shown: Shown[] = [...simulatorView(asked), ...telegramView(asked), ...zaloView(asked, 0)];
    // Zalo's other pages: what the engine sends after "Trang sau".
    for (let p = 1; p < pageCount(asked.choices!.length); p++) {
      await restore();
      const paged = [...(await bot.say(user, pagePayload(p)))].reverse().find((r) => r.choices?.length)!;
      expect(paged.page, `${at}: page ${p + 1} asked`).toBe(p);
      shown.push(...zaloView(paged, p));
    }
    const multi = asked.choices!.at(-1)!.payload.endsWith('|__done');
    if (asked.expectsFile) shown.push({ where: 'file step', number: 1, label: 'Bổ sung sau', payload: asked.choices![0]!.payload });
    const after = async (input: string, page?: number) => {
      await restore();
      if (page) await bot.say(user, pagePayload(page));
      const replies = await bot.say(user, input);
      return { state: JSON.stringify(await state(user)), text: bot.text(replies) };
    };
    // What a word the screen does not show gets: a typed choice must not be answered like it.
    const garbage = await after('qqxz');
    const pressed = new Map<string, string>();
    for (const s of shown) {
      const target = s.same ?? s.payload;
      if (!target) {
        failures.push(`${at} [${s.where}] "${s.number}. ${s.label}" has no button behind it`);
        continue;
      }
      const key = `${s.page ?? 0}|${target}`;
      if (!pressed.has(key)) pressed.set(key, (await after(target, s.page)).state);
      for (const typed of typings(s)) {
        const got = await after(typed, s.page);
        if (got.state !== pressed.get(key) || REFUSED.test(got.text)) {
          failures.push(`${at} [${s.where}] typed "${typed}" ≠ pressing "${s.label ?? s.number}": ${got.text.split('\n')[0]}`);
        } else if (got.state === garbage.state && got.text === garbage.text) {
          failures.push(`${at} [${s.where}] typed "${typed}" is answered like a word not on the screen: ${got.text.split('\n')[0]}`);
        }
      }
    }
    if (multi) {
      // Several at once, "tất cả", "xong".
      const options = asked.choices!.slice(0, -1);
      const ids = (n: number[]) => n.map((i) => options[i]!.payload.split('|')[2]);
      const field = (s: string) => JSON.parse(s) as { data: Record<string, unknown>; step: string };
      const stepId = asked.choices![0]!.payload.split('|')[1]!;
      if (options.length >= 3) {
        for (const typed of ['1,3', '1 3', '1, 3', '1;3']) {
          const got = field((await after(typed)).state);
          if (JSON.stringify(got.data[stepId]) !== JSON.stringify(ids([0, 2])) || got.step === stepId) failures.push(`${at} typed "${typed}" did not answer items 1 and 3`);
        }
      }
      for (const typed of ['tất cả', 'Tất cả', 'tat ca']) {
        const got = field((await after(typed)).state);
        if (JSON.stringify(got.data[stepId]) !== JSON.stringify(ids(options.map((_, i) => i)))) failures.push(`${at} typed "${typed}" did not pick all`);
      }
      const done = asked.choices!.at(-1)!.payload;
      const pressDone = (await after(done)).state;
      for (const typed of ['xong', 'Xong', 'XONG', String(asked.choices!.length)]) {
        const got = await after(typed);
        if (got.state !== pressDone) failures.push(`${at} typed "${typed}" ≠ pressing Xong: ${got.text.split('\n')[0]}`);
      }
    }
    await restore();
  }

  /** Walks a flow from `start` to its summary (or end), probing every question on the way. */
  async function walk(user: string, start: string, label: string, texts: Record<string, string>, picks: Record<string, number> = {}): Promise<string[]> {
    const seen: string[] = [];
    let replies = await bot.say(user, start);
    for (let i = 0; i < 60; i++) {
      const s = await state(user);
      const at = `${label} › ${s?.flow ?? 'menu'}/${s?.step ?? ''}`;
      await probe(user, replies, at);
      if (!s?.flow) break;
      seen.push(s.step!);
      const asked = [...replies].reverse().find((r) => r.choices?.length);
      const choices = asked?.choices ?? [];
      const step = s.step!;
      let input: string | Buffer;
      if (texts[step] !== undefined) input = texts[step]!;
      else if (step.startsWith('v_')) input = '95';
      else if (asked?.numbered === false && choices.length > 1) break; // the summary: probed, not sent
      else if (choices.at(-1)?.payload.endsWith('|__done')) input = choices.some((c) => c.label.startsWith('✓')) ? choices.at(-1)!.payload : choices[0]!.payload;
      else if (choices.length) input = choices[picks[step] ?? 0]!.payload;
      // A file step that must have its file (an announcement's attachment): the file is the answer.
      else if (replies.at(-1)?.expectsFile) input = PDF;
      else throw new Error(`${at}: no input for this step: ${bot.text(replies)}`);
      replies = typeof input === 'string' ? await bot.say(user, input) : await bot.upload(user, input, 'dinh-kem.pdf');
      const next = await state(user);
      expect(JSON.stringify(next), `${at}: "${input}" moved on (${bot.text(replies).split('\n')[0]})`).not.toBe(JSON.stringify(s));
    }
    return seen;
  }

  // Walks that probe every label on three channels: minutes of work on a shared 2-core machine (the draft button adds a DOCX per probe).
  it('officer: onboarding (both ways), the menu, register, report, nominate', { timeout: 120_000 }, async () => {
    failures.length = 0;
    const officer = (await bot.app.store.identities.get('sim', DEMO.officer))!;
    const unit = (await bot.app.store.units.get(officer.unitId!))!;
    const code = await bot.inviteCode();
    await walk('newcomer-code', 'xin chào', 'onboarding by code', { code });
    await walk('newcomer-self', 'xin chào', 'onboarding as an individual', { name: 'Nguyễn Văn Thử', unitQuery: unit.name }, { who: 1 });
    await walk(DEMO.officer, 'menu', 'officer menu', {});
    expect(await walk(DEMO.officer, 'go|register', 'register', {})).toContain('areas');
    await walk(DEMO.officer, 'hủy', 'menu', {});
    expect((await walk(DEMO.officer, 'go|report', 'report', {})).some((s) => s.startsWith('v_'))).toBe(true);
    await walk(DEMO.officer, 'hủy', 'menu', {});
    const texts = { nomineeName: 'Nguyễn Văn Thử', nomineePosition: 'Văn thư', nomineeUnit: unit.name, summaryText: 'Số hóa hồ sơ công việc' };
    expect((await walk(DEMO.officer, 'go|nominate', 'nominate (the unit)', texts)).some((s) => s.startsWith('p_'))).toBe(true);
    // The drafts saved by the probes above: same nominee, same year. Each is offered, typed, and continued apart.
    const drafts = (await bot.app.store.nominations.listByUnit(bot.app.campaign.id, year, unit.id)).filter((n) => n.status === 'draft');
    expect(drafts.length, 'two drafts of the same nominee and year').toBeGreaterThan(1);
    await walk(DEMO.officer, 'hủy', 'menu', {});
    expect(await walk(DEMO.officer, 'go|nominate', 'nominate (continue a draft)', texts, { pick: 2 })).toContain('pick');
    await walk(DEMO.officer, 'hủy', 'menu', {});
    // Another unit's officer: the summaries probed above saved drafts of the same name for this unit.
    const sibling = (await bot.app.store.units.children(unit.parentId!)).find((u) => u.id !== unit.id)!;
    await joinWithInvite(bot, 'officer-2', 'officer', sibling.code);
    await walk('officer-2', 'go|nominate', 'nominate (individual)', texts, { nomineeType: 2 });
    expect(failures).toEqual([]);
  });

  it('staff: the menu, review, accept, return, invite; admin: the menu, announce', { timeout: 120_000 }, async () => {
    failures.length = 0;
    const { store, campaign } = bot.app;
    const officer = (await store.identities.get('sim', DEMO.officer))!;
    const unit = (await store.units.get(officer.unitId!))!;
    const open = reviewsOpenIn(campaign, year);
    expect(open.length, 'an award open for nominations').toBeGreaterThan(0);
    const by: Actor = { id: `sim:${DEMO.officer}`, role: 'officer', channel: 'sim' };
    const dossier = async () => {
      const { award, review } = open[0]!;
      const n = await store.nominations.createDraft(
        { campaignId: campaign.id, year, unitId: unit.id, awardId: award.id, reviewId: review.id, nominee: { type: 'collective', unitId: unit.id, name: unit.name }, createdBy: by.id },
        by,
      );
      return (await store.nominations.setStatus(n.id, 'submitted', {}, by)).id;
    };
    await walk(DEMO.staff, 'menu', 'staff menu', {});
    // A dossier is decided by the staff of the office at its step (the demo seed makes one per office).
    const toAccept = await dossier();
    const reviewer = await deciderOf(bot, toAccept);
    await walk(reviewer, `go|review_accept|${toAccept}`, 'review_accept', {});
    await walk(reviewer, 'hủy', 'menu', {});
    await walk(reviewer, `go|review_return|${await dossier()}`, 'review_return', { reason: 'Thiếu biên bản họp' });
    await walk(reviewer, 'hủy', 'menu', {});
    await walk(DEMO.staff, 'go|invite', 'invite', { unitQuery: unit.name });
    await walk(DEMO.staff, 'hủy', 'menu', {});
    await walk(DEMO.staff, 'go|overview', 'overview', {});
    await walk(DEMO.admin, 'menu', 'admin menu', {});
    const announcement = { text: 'Họp giao ban sáng thứ Hai', officeQuery: unit.name };
    await walk(DEMO.admin, 'go|announce', 'announce to all', announcement);
    await walk(DEMO.admin, 'hủy', 'menu', {});
    expect(await walk(DEMO.admin, 'go|announce', 'announce with a file to an office', announcement, { attach: 1, audience: 2 })).toContain('file');
    await walk(DEMO.admin, 'hủy', 'menu', {});
    await walk(DEMO.admin, 'go|announce', 'announce to a level', announcement, { audience: 1 });
    expect(failures).toEqual([]);
  });
});
