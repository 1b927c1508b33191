import { planSays, type Campaign } from '../campaign/schema.js';
import {
  campaignDeadlines,
  daysLeft,
  deadlineYears,
  dossierDueDay,
  reportDueDay,
  formatCivilDate,
  nextDeadline,
  vnDate,
  type CivilDate,
  type DeadlineKind,
  type Lang,
} from '../domain/index.js';
import { t } from '../i18n.js';

/**
 * A deadline as a clerk says it at `now`, Vietnam calendar: "hết ngày 05/12/2024 (còn 3
 * ngày)", on the day "hết ngày 05/12/2024 (hôm nay là hạn cuối)", after it "đã hết hạn
 * ngày 05/12/2024". Never a negative count. Flows, reminders and alerts all say it so.
 */
export function deadlineWhen(lang: Lang, now: Date, dueDay: CivilDate): string {
  const date = formatCivilDate(dueDay, lang);
  const days = daysLeft(now, dueDay);
  if (days < 0) return t(lang, 'deadline.passed', { date });
  return t(lang, 'deadline.until', { date, left: days === 0 ? t(lang, 'deadline.last_day') : t(lang, 'deadline.days_left', { days }) });
}

/**
 * After a deadline a plan is silent on (no quote: the campaign's own choice), what says so
 * where it is stated: "; theo hướng dẫn của cơ quan thường trực"; '' when the plan sets it.
 */
export function deadlineSourceNote(lang: Lang, campaign: Campaign, kind: DeadlineKind): string {
  return planSays(campaign.deadlines[kind].source) ? '' : t(lang, 'campaign.own_choice_note');
}

/**
 * The year's deadlines for staff ("Hạn báo cáo năm 2024: hết ngày 10/12/2024 (còn 5 ngày).",
 * "Hạn nộp hồ sơ năm 2023: đã hết hạn ngày 05/12/2023."); none when every deadline of
 * the campaign has passed (the staff views say that once instead). /thongke's text and its chart say the same.
 */
export function staffDeadlineLines(campaign: Campaign, lang: Lang, now: Date, year: number, kinds: readonly ('report' | 'dossier')[] = ['report', 'dossier']): string[] {
  if (allDeadlinesPassed(campaign, now)) return [];
  const out: string[] = [];
  if (kinds.includes('report') && deadlineYears(campaign, 'report').includes(year))
    out.push(t(lang, 'staff.report_deadline', { year, when: deadlineWhen(lang, now, reportDueDay(campaign, year)) }));
  if (kinds.includes('dossier') && deadlineYears(campaign, 'dossier').includes(year))
    out.push(t(lang, 'staff.dossier_deadline', { year, when: deadlineWhen(lang, now, dossierDueDay(campaign, year)) }));
  return out;
}

/** True when every deadline of the campaign has passed at `now`. */
export const allDeadlinesPassed = (campaign: Campaign, now: Date) => nextDeadline(campaign, now) === undefined;

/**
 * The reporting years a status or staff view shows at `now`, newest first: every year
 * in which something was registered, reported or nominated (`active`), the current
 * Vietnam year, and the years whose deadlines are still open up to the next deadline's
 * year. When none of them is a campaign year, the latest one that has begun (or the first).
 */
export function shownYears(campaign: Campaign, now: Date, active: ReadonlySet<number>): number[] {
  const years = campaignYearsAll(campaign);
  const thisYear = vnDate(now).year;
  const focus = Math.max(thisYear, nextDeadline(campaign, now)?.year ?? thisYear);
  const open = new Set(campaignDeadlines(campaign).filter((d) => d.instant.getTime() > now.getTime() && d.year <= focus).map((d) => d.year));
  const shown = years.filter((y) => active.has(y) || y === thisYear || open.has(y));
  if (shown.length) return shown.sort((a, b) => b - a);
  const begun = years.filter((y) => y <= thisYear);
  return [begun.length ? begun[begun.length - 1]! : years[0]!];
}

/** Every year of the campaign anything can be filed for (reporting years and dossier years), ascending. */
export function campaignYearsAll(campaign: Campaign): number[] {
  return [...new Set([...campaign.reportingYears, ...campaignDeadlines(campaign).map((d) => d.year)])].sort((a, b) => a - b);
}

/**
 * The year a command names ("/thongke 2023" → 2023): `{ year }` when it is a campaign
 * year, `{ bad }` with what was typed otherwise, `{}` without one.
 */
export function yearArg(campaign: Campaign, args: string | undefined): { year?: number; bad?: string } {
  const text = (args ?? '').trim();
  if (!text) return {};
  const year = /^(?:năm\s+|nam\s+)?(\d{4})$/i.exec(text)?.[1];
  if (year && campaignYearsAll(campaign).includes(Number(year))) return { year: Number(year) };
  return { bad: text.slice(0, 40) };
}
