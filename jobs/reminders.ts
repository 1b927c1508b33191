import type { Campaign } from '../src/campaign/schema.js';
import {
  daysLeft,
  dossierCompleteness,
  formatCivilDate,
  reminderSchedule,
  standardFor,
  type UnitLevel,
  type DeadlineKind,
  type Identity,
  type Nomination,
  type ScheduledReminder,
  type Unit,
} from '../src/domain/index.js';
import { flowLink } from '../flows/links.js';
import type { Choice } from '../src/engine/types.js';
import { t, type MsgKey } from '../src/i18n.js';
import type { Store } from '../src/store/index.js';
import { DONE_TTL_SECONDS, PRIORITY } from './keys.js';
import type { OutboxMessage } from './outbox.js';
import { deadlineSourceNote, deadlineWhen } from '../src/services/deadlines.js';
import { dossierNumber } from '../flows/lib/dossier.js';

/**
 * Participant reminders. A pass at time `at` takes, for every deadline still open at
 * `at`, the latest reminder whose time has come (the one "in effect"), finds who has
 * not yet done the thing, and makes one message per recipient whose key names the
 * campaign, deadline, offset, unit and recipient. The scheduled pass at D-7 08:00 is
 * such a pass; so is the catch-up sweep (a unit that joined at D-5 gets the D-7
 * reminder, with the days actually left), and so is `reminders:run --at`.
 */

export interface ReminderContext {
  store: Store;
  campaign: Campaign;
}

export interface PlannedReminder extends OutboxMessage {
  reminder: ScheduledReminder;
  /** The unit (officers) or person (individuals) that has not done the thing. */
  subject: { type: 'unit'; id: string; name: string } | { type: 'person'; id: string; name: string | null };
}

export interface PlanOptions {
  /** Only this deadline (a scheduled pass). */
  only?: { kind: DeadlineKind; year: number };
  /** Only this chat account (catch-up when someone joins). */
  recipient?: Identity;
}

/** For each deadline open at `at` (deadline instant > at), the latest reminder with time ≤ at. */
export function activeReminders(campaign: Campaign, at: Date, only?: PlanOptions['only']): ScheduledReminder[] {
  const latest = new Map<string, ScheduledReminder>();
  const now = at.getTime();
  for (const r of reminderSchedule(campaign)) {
    if (only && (r.kind !== only.kind || r.year !== only.year)) continue;
    if (r.at.getTime() > now || now >= r.deadline.getTime()) continue;
    latest.set(`${r.kind}|${r.year}`, r); // the schedule is sorted by time: the last one wins
  }
  return [...latest.values()];
}

export const reminderRef = (campaign: Campaign, r: Pick<ScheduledReminder, 'kind' | 'year' | 'offsetDays'>) =>
  `rem-${campaign.id}-${r.kind}-${r.year}-d${r.offsetDays}`;

const ACTION: Record<DeadlineKind, { payload: string; label: MsgKey }> = {
  registration: { payload: flowLink('register'), label: 'reminder.action_register' },
  report: { payload: flowLink('report'), label: 'reminder.action_report' },
  dossier: { payload: flowLink('nominate'), label: 'reminder.action_dossier' },
};

/** Dossiers with a button of their own in a reminder (each opens that dossier); more get one button that lists them. */
const MAX_DOSSIER_BUTTONS = 3;

/** One button per dossier to act on (`go|nominate|n_12`), so the reminder leads straight into it. */
function dossierChoices(ns: Nomination[], lang: Identity['lang']): Choice[] {
  const own = ns.slice(0, MAX_DOSSIER_BUTTONS).map((n) => ({ payload: flowLink('nominate', n.id), label: t(lang, 'reminder.action_dossier_one', { number: dossierNumber(n) }) }));
  return ns.length > MAX_DOSSIER_BUTTONS ? [...own, { payload: flowLink('nominate'), label: t(lang, 'reminder.action_dossier') }] : own;
}

/** Dossier lines a unit's officer must act on; at most this many are listed. */
const MAX_DOSSIER_LINES = 15;

/** A dossier the unit still has to act on, and what is wrong with it; null when nothing is. */
function dossierIssue(campaign: Campaign, n: Nomination, level: UnitLevel, lang: Identity['lang']): string | null {
  if (n.status === 'accepted') return null;
  const missing = dossierCompleteness(campaign, n, level).missingRequired;
  const what: string[] = [];
  if (n.status === 'returned') what.push(t(lang, 'reminder.what_returned'));
  if (missing.length) what.push(t(lang, 'reminder.what_missing', { parts: missing.map((p) => p.label[lang]).join('; ') }));
  else if (n.status === 'draft') what.push(t(lang, 'reminder.what_draft'));
  if (what.length === 0) return null;
  return t(lang, 'reminder.dossier_line', { nominee: n.nominee.name, number: dossierNumber(n), what: what.join('; ') });
}

function memoByLang<T>(make: (lang: Identity['lang']) => T): (lang: Identity['lang']) => T {
  const made = new Map<Identity['lang'], T>();
  return (lang) => {
    let v = made.get(lang);
    if (v === undefined) made.set(lang, (v = make(lang)));
    return v;
  };
}

/** Who should be reminded of what at `at` (nothing is sent). */
export async function planReminders(
  ctx: ReminderContext,
  at: Date,
  opts: PlanOptions = {},
): Promise<{ reminders: ScheduledReminder[]; messages: PlannedReminder[] }> {
  const { store, campaign } = ctx;
  const reminders = activeReminders(campaign, at, opts.only);
  if (reminders.length === 0) return { reminders, messages: [] };

  const pick = async (role: 'officer' | 'individual') =>
    opts.recipient ? (opts.recipient.role === role ? [opts.recipient] : []) : store.identities.listByRole(role);
  const officers = (await pick('officer')).filter((i) => i.unitId !== null && !i.unreachable);
  const unitIds = [...new Set(officers.map((i) => i.unitId!))];
  const units = new Map<string, Unit>();
  for (const u of await store.units.getMany(unitIds)) if (campaign.unitLevels.includes(u.level)) units.set(u.id, u);
  const individuals = reminders.some((r) => r.kind === 'registration')
    ? (await pick('individual')).filter((i) => i.personId !== null && !i.unreachable)
    : [];

  const messages: PlannedReminder[] = [];
  for (const r of reminders) {
    const left = daysLeft(at, r.dueDay);
    const ttlSeconds = Math.max(DONE_TTL_SECONDS, Math.ceil((r.deadline.getTime() - at.getTime()) / 1000) + 7 * 86_400);
    const base = { kind: 'reminder' as const, ref: reminderRef(campaign, r), ttlSeconds, priority: PRIORITY.reminder, reminder: r };
    // What depends only on the language is made once per pass, not once per recipient.
    const perLang = memoByLang((lang) => ({
      common: { when: deadlineWhen(lang, at, r.dueDay) + deadlineSourceNote(lang, campaign, r.kind), campaign: campaign.name[lang], year: r.year },
      what: `${t(lang, `deadline.${r.kind}`)} ${r.year}`,
      date: formatCivilDate(r.dueDay, lang),
      label: t(lang, ACTION[r.kind].label),
    }));
    const common = (i: Identity) => perLang(i.lang).common;
    const choices = (i: Identity): Choice[] => [{ payload: ACTION[r.kind].payload, label: perLang(i.lang).label }];
    const key = (subjectId: string, i: Identity) => `rem|${campaign.id}|${r.kind}|${r.year}|d${r.offsetDays}|${subjectId}|${i.channel}|${i.userId}`;
    // Outside Zalo's 7-day window only a pre-approved template may be sent (docs/jobs.md lists its parameters).
    const template = (i: Identity, who: string) => ({
      kind: 'reminder' as const,
      params: { what: perLang(i.lang).what, unit: who, date: perLang(i.lang).date, days: String(Math.max(0, left)) },
    });
    const toOfficer = (i: Identity, unit: Unit, text: string, buttons = choices(i)) =>
      messages.push({
        ...base,
        channel: i.channel,
        userId: i.userId,
        key: key(unit.id, i),
        subject: { type: 'unit', id: unit.id, name: unit.name },
        reply: { text, choices: buttons, template: template(i, unit.name) },
      });

    switch (r.kind) {
      case 'registration': {
        const regs = await store.registrations.list(campaign.id, r.year);
        const unitsDone = new Set(regs.flatMap((x) => (x.subject.type === 'unit' ? [x.subject.unitId] : [])));
        const peopleDone = new Set(regs.flatMap((x) => (x.subject.type === 'person' ? [x.subject.personId] : [])));
        for (const i of officers) {
          const unit = units.get(i.unitId!);
          if (unit && !unitsDone.has(unit.id)) toOfficer(i, unit, t(i.lang, 'reminder.registration', { ...common(i), unit: unit.name }));
        }
        for (const i of individuals) {
          if (peopleDone.has(i.personId!)) continue;
          messages.push({
            ...base,
            channel: i.channel,
            userId: i.userId,
            key: key(i.personId!, i),
            subject: { type: 'person', id: i.personId!, name: null },
            reply: { text: t(i.lang, 'reminder.registration_person', common(i)), choices: choices(i), template: template(i, '') },
          });
        }
        break;
      }
      case 'report': {
        const done = new Set((await store.reports.list(campaign.id, r.year)).map((x) => x.unitId));
        const standard = new Map<UnitLevel, boolean>();
        const hasStandard = (level: UnitLevel) => standard.get(level) ?? standard.set(level, Boolean(standardFor(campaign, level))).get(level)!;
        for (const i of officers) {
          const unit = units.get(i.unitId!);
          // Only units whose level has a standard report indicators (flows/report.ts refuses the others).
          if (unit && !done.has(unit.id) && hasStandard(unit.level))
            toOfficer(i, unit, t(i.lang, 'reminder.report', { ...common(i), unit: unit.name }));
        }
        break;
      }
      case 'dossier': {
        const byUnit = new Map<string, Nomination[]>();
        for (const n of await store.nominations.list(campaign.id, r.year)) {
          const list = byUnit.get(n.unitId);
          if (list) list.push(n);
          else byUnit.set(n.unitId, [n]);
        }
        for (const i of officers) {
          const unit = units.get(i.unitId!);
          if (!unit) continue;
          const issues = (byUnit.get(unit.id) ?? []).flatMap((n) => {
            const line = dossierIssue(campaign, n, unit.level, i.lang);
            return line === null ? [] : [{ n, line }];
          });
          const lines = issues.map((x) => x.line);
          if (lines.length === 0) continue;
          const shown = lines.length > MAX_DOSSIER_LINES ? [...lines.slice(0, MAX_DOSSIER_LINES), t(i.lang, 'staff.more', { count: lines.length - MAX_DOSSIER_LINES })] : lines;
          toOfficer(
            i,
            unit,
            [t(i.lang, 'reminder.dossier', { ...common(i), unit: unit.name, count: lines.length }), ...shown].join('\n'),
            dossierChoices(issues.map((x) => x.n), i.lang),
          );
        }
        break;
      }
    }
  }
  return { reminders, messages };
}
