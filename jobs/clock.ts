import type { Campaign } from '../src/campaign/schema.js';
import type { DemoClock } from '../src/clock.js';
import {
  campaignDeadlines,
  DEADLINE_KINDS,
  formatCivilDate,
  formatVn,
  formatVnDateTime,
  isValidCivilDate,
  parseClock,
  reminderSchedule,
  staffAlertSchedule,
  vnInstant,
  type DeadlineKind,
  type Lang,
} from '../src/domain/index.js';
import { t } from '../src/i18n.js';
import { scheduleEntries, type ScheduleEntry } from './schedule.js';
import type { Jobs } from './types.js';

/**
 * Moving the demo's simulated clock (src/clock.ts, local demo store only). A move runs
 * what the schedulers would have run had the bot been running all along: going forward,
 * every reminder and staff-alert pass whose time falls between the old and the new
 * moment, each at its own time (so the D-7 reminder still says "còn 7 ngày"); then, in
 * either direction, the passes in effect at the new moment (the reminders and staff
 * alert a late pass would send). Every message keeps its normal idempotency key, so
 * jumping back and forth never sends one twice.
 */

/** A date the simulator offers: a reminder or staff-alert moment of the campaign. */
export interface ClockShortcut {
  /** `dossier-2025-d7`: kind, year, days before the due day. */
  id: string;
  label: string;
  /** ISO instant (the reminder time, 08:00 Vietnam time, of that day). */
  at: string;
}

/** What the simulator asks for: a shortcut, a day (and time), an ISO instant, or back to today. */
export type ClockTarget = { shortcut: string } | { date: string; time?: string } | { at: string } | { today: true };

/** One pass a move ran: a scheduled one names its deadline; the pass in effect at the new moment does not. */
export interface ClockPass {
  what: 'reminder' | 'staff-alert';
  at: string;
  queued: number;
  scheduled?: { kind: DeadlineKind; year: number; offsetDays: number };
}

export interface ClockMove {
  from: string;
  to: string;
  passes: ClockPass[];
  queued: number;
}

/** The campaign's reminder and staff-alert moments, earliest first, labelled for people. */
export function clockShortcuts(campaign: Campaign, lang: Lang): ClockShortcut[] {
  const found = new Map<string, { kind: DeadlineKind; year: number; offsetDays: number; at: Date; staffOnly: boolean }>();
  for (const r of reminderSchedule(campaign)) found.set(`${r.kind}-${r.year}-d${r.offsetDays}`, { ...r, staffOnly: false });
  for (const a of staffAlertSchedule(campaign)) {
    const id = `dossier-${a.year}-d${a.offsetDays}`;
    if (!found.has(id)) found.set(id, { kind: 'dossier', year: a.year, offsetDays: a.offsetDays, at: a.at, staffOnly: true });
  }
  return [...found.entries()]
    .sort(([, a], [, b]) => a.at.getTime() - b.at.getTime() || DEADLINE_KINDS.indexOf(a.kind) - DEADLINE_KINDS.indexOf(b.kind))
    .map(([id, s]) => {
      const params = {
        what: t(lang, `clock.what_${s.kind}`),
        year: s.year,
        date: formatVn(s.at, lang),
        staff: s.staffOnly ? t(lang, 'clock.staff_only') : '',
      };
      const label = s.offsetDays === 0 ? t(lang, 'clock.shortcut_due', params) : t(lang, 'clock.shortcut_before', { ...params, days: s.offsetDays });
      return { id, label, at: s.at.toISOString() };
    });
}

const DAY = /^(?:(\d{4})-(\d{1,2})-(\d{1,2})|(\d{1,2})\/(\d{1,2})\/(\d{4}))$/;

/**
 * The instant a target names: null for today (the real time), or an error (a message
 * key) for what cannot be a date. A day without a time is taken at the campaign's
 * reminder time, so that day's reminders are included.
 */
export function resolveClockTarget(campaign: Campaign, target: ClockTarget, lang: Lang): { at: Date | null } | { error: string } {
  if ('today' in target) return { at: null };
  if ('shortcut' in target) {
    const s = clockShortcuts(campaign, lang).find((x) => x.id === target.shortcut);
    return s ? { at: new Date(s.at) } : { error: t(lang, 'clock.unknown_shortcut') };
  }
  const bad = { error: t(lang, 'clock.bad_date') };
  if ('at' in target) {
    const at = /(Z|[+-]\d\d:?\d\d)$/i.test(target.at.trim()) ? new Date(target.at) : new Date(NaN);
    return Number.isNaN(at.getTime()) || !inRange(at.getUTCFullYear()) ? bad : { at };
  }
  const m = DAY.exec(target.date.trim());
  if (!m) return bad;
  const [year, month, day] = m[1] ? [m[1], m[2], m[3]].map(Number) : [m[6], m[5], m[4]].map(Number);
  if (!isValidCivilDate(year!, month!, day!) || !inRange(year!)) return bad;
  let clock: { hh: number; mm: number };
  try {
    clock = parseClock(target.time?.trim() || campaign.deadlines.reminderTime);
  } catch {
    return bad;
  }
  return { at: vnInstant(year!, month!, day!, clock.hh, clock.mm) };
}

const inRange = (year: number) => year >= 2000 && year <= 2100;

/** The passes a move from `from` to `to` runs before the one at `to`: forward only, in time order. */
export function passesBetween(campaign: Campaign, from: Date, to: Date): ScheduleEntry[] {
  if (to.getTime() <= from.getTime()) return [];
  return scheduleEntries(campaign, from)
    .filter((e) => e.at.getTime() <= to.getTime())
    .sort((a, b) => a.at.getTime() - b.at.getTime() || (a.job.name === 'reminder' ? 0 : 1) - (b.job.name === 'reminder' ? 0 : 1));
}

/** Moves the demo clock to `to` (null: today) and runs the passes of that move (see the top of this file). */
export async function moveClock(jobs: Jobs, clock: DemoClock, to: Date | null): Promise<ClockMove> {
  const { campaign } = jobs.deps;
  const from = clock.now();
  await clock.set(to);
  const target = clock.now();
  const passes: ClockPass[] = [];
  for (const e of passesBetween(campaign, from, target)) {
    if (e.job.name === 'reminder') {
      const d = e.job.data;
      const r = await jobs.runReminders(e.at, { only: { kind: d.kind, year: d.year } });
      passes.push({ what: 'reminder', at: e.at.toISOString(), queued: r.queued, scheduled: { kind: d.kind, year: d.year, offsetDays: d.offsetDays } });
    } else if (e.job.name === 'staff-alert') {
      const d = e.job.data;
      const r = await jobs.runAlerts(e.at, d.year);
      passes.push({ what: 'staff-alert', at: e.at.toISOString(), queued: r.queued, scheduled: { kind: 'dossier', year: d.year, offsetDays: d.offsetDays } });
    }
  }
  // The moment itself: what a pass running now would send (already-sent keys are skipped).
  const now = await jobs.runReminders(target);
  passes.push({ what: 'reminder', at: target.toISOString(), queued: now.queued });
  const alert = await jobs.runAlerts(target);
  if (alert.alert) passes.push({ what: 'staff-alert', at: target.toISOString(), queued: alert.queued });
  return { from: from.toISOString(), to: target.toISOString(), passes, queued: passes.reduce((n, p) => n + p.queued, 0) };
}

/**
 * The start-up line when every reminder and staff alert of the campaign is past (no
 * scheduler): what that means, and with the demo clock how to see them anyway.
 */
export function pastCampaignNote(campaign: Campaign, simulated: boolean): string {
  const last = campaignDeadlines(campaign).at(-1);
  const past = `every date of campaign ${campaign.id} is past${last ? ` (its last deadline was ${formatCivilDate(last.dueDay, 'vi')})` : ''}, so no reminder or staff alert will fire on its own`;
  if (!simulated) return `${past}; nothing is scheduled`;
  const dossiers = clockShortcuts(campaign, 'vi').filter((s) => s.id.startsWith('dossier-'));
  const lastYear = dossiers.at(-1)?.id.split('-')[1];
  const example = dossiers.find((s) => s.id.startsWith(`dossier-${lastYear}-`)); // its earliest: D-7
  return (
    `${past}. To see them, move the demo clock: in the simulator page pick a date under "Ngày giả lập"` +
    `${example ? ` (e.g. "${example.label}")` : ''}, or POST /sim/api/clock ${example ? `{"shortcut":"${example.id}"}` : '{"date":"28/11/2025"}'} (README, "Try it")`
  );
}

/** What the simulator page shows about the clock. */
export interface ClockView {
  now: string;
  /** True when the clock shows the real time. */
  real: boolean;
  /** "Ngày giả lập: 28/11/2025". */
  header: string;
  shortcuts: ClockShortcut[];
  texts: { pick: string; any: string; go: string; today: string };
}

export function clockView(campaign: Campaign, clock: DemoClock, lang: Lang): ClockView {
  const now = clock.now();
  return {
    now: now.toISOString(),
    real: clock.isReal,
    header: t(lang, clock.isReal ? 'clock.header_real' : 'clock.header', { date: formatVn(now, lang) }),
    shortcuts: clockShortcuts(campaign, lang),
    texts: { pick: t(lang, 'clock.pick'), any: t(lang, 'clock.any_date'), go: t(lang, 'clock.go'), today: t(lang, 'clock.today') },
  };
}

/** The sentence said after a move: where the clock is and how many messages left. */
export const clockMovedText = (lang: Lang, move: ClockMove) =>
  t(lang, 'clock.moved', { when: formatVnDateTime(new Date(move.to), lang), count: move.queued });

/**
 * The simulator's clock control: view and move, one move at a time in this process (a
 * move's passes finish before the next move starts, so messages keep their order).
 */
export function clockControl(jobs: Jobs, clock: DemoClock, lang: Lang = 'vi') {
  let last: Promise<unknown> = Promise.resolve();
  return {
    view: async () => {
      await clock.refresh();
      return clockView(jobs.deps.campaign, clock, lang);
    },
    move: (target: ClockTarget): Promise<{ error: string } | { view: ClockView; move: ClockMove; message: string }> => {
      const run = last.then(async () => {
        await clock.refresh();
        const resolved = resolveClockTarget(jobs.deps.campaign, target, lang);
        if ('error' in resolved) return resolved;
        const move = await moveClock(jobs, clock, resolved.at);
        return { view: clockView(jobs.deps.campaign, clock, lang), move, message: clockMovedText(lang, move) };
      });
      last = run.catch(() => {});
      return run;
    },
  };
}

export type ClockControl = ReturnType<typeof clockControl>;
