import type { Campaign } from '../campaign/schema.js';
import { DomainError } from './errors.js';
import {
  addCivilDays,
  formatCivilDate,
  civilDaysBetween,
  daysInMonth,
  isValidCivilDate,
  parseClock,
  startOfVnDay,
  vnDate,
  vnInstant,
  type CivilDate,
  type DayOfYear,
} from './time.js';
import type { Lang, Nomination } from './entities.js';

/**
 * Deadlines. A thing due "on 05/12" is on time until the end of that day, Vietnam
 * time: its deadline instant is 00:00 VN of 06/12, exclusive. Each deadline carries
 * both the `dueDay` (show this to people) and that exclusive `instant` (compare with this).
 */

export const DEADLINE_KINDS = ['report', 'dossier', 'registration'] as const;
export type DeadlineKind = (typeof DEADLINE_KINDS)[number];

export interface Deadline {
  kind: DeadlineKind;
  /** The reporting year it belongs to (registration: the launch year). */
  year: number;
  /** The last day on which it is on time, Vietnam calendar. */
  dueDay: CivilDate;
  /** Exclusive end: 00:00 VN on the day after `dueDay`. At or after this instant is late. */
  instant: Date;
}

export interface UpcomingDeadline extends Deadline {
  /** Vietnam calendar days from today to `dueDay` (0 on the day itself). */
  daysLeft: number;
}

export interface ScheduledReminder {
  kind: DeadlineKind;
  year: number;
  dueDay: CivilDate;
  /** The deadline's exclusive end instant. */
  deadline: Date;
  /** Days before the due day (0 = the morning of the due day). */
  offsetDays: number;
  /** When to send it. */
  at: Date;
}

export interface ScheduledStaffAlert {
  year: number;
  dueDay: CivilDate;
  deadline: Date;
  offsetDays: number;
  at: Date;
}

/** The due day of a yearly deadline in `year`. Throws DomainError('invalid_date') for e.g. 29/02 in 2023. */
export function dueDayOf(year: number, due: DayOfYear): CivilDate {
  if (!isValidCivilDate(year, due.month, due.day))
    throw new DomainError('invalid_date', `${due.day}/${due.month}/${year} is not a date`, { year, ...due });
  return { year, month: due.month, day: due.day };
}

/** Exclusive end of a Vietnam calendar day: 00:00 VN on the next day. */
export function endOfVnDay(day: CivilDate): Date {
  return startOfVnDay(addCivilDays(day, 1));
}

/** The exclusive end of the due day: 00:00 VN of the following day. */
export function dueInstant(year: number, due: DayOfYear): Date {
  return endOfVnDay(dueDayOf(year, due));
}

/** The due day of an exclusive deadline instant (the Vietnam day of the instant's last millisecond before it). */
export function deadlineDueDay(deadline: Date): CivilDate {
  return vnDate(new Date(deadline.getTime() - 1));
}

/** A deadline instant for people, as its due day: dossierDeadline(c, 2024) → vi "05/12/2024", en "5 Dec 2024". */
export function formatDeadline(deadline: Date, lang: Lang): string {
  return formatCivilDate(deadlineDueDay(deadline), lang);
}

/** Late iff submitted at or after the exclusive deadline instant. */
export function isLate(submittedAt: Date, due: Date): boolean {
  return submittedAt.getTime() >= due.getTime();
}

export function reportDueDay(campaign: Campaign, year: number): CivilDate {
  return dueDayOf(year, campaign.deadlines.report.due);
}
export function reportDeadline(campaign: Campaign, year: number): Date {
  return endOfVnDay(reportDueDay(campaign, year));
}

export function dossierDueDay(campaign: Campaign, year: number): CivilDate {
  return dueDayOf(year, campaign.deadlines.dossier.due);
}
export function dossierDeadline(campaign: Campaign, year: number): Date {
  return endOfVnDay(dossierDueDay(campaign, year));
}

/**
 * The last day of registration in the launch year: its `due` day when the preset sets
 * one (30/11/2024), else the last day of the registration quarter (Q4 2021 → 31/12/2021).
 */
export function registrationDueDay(campaign: Campaign): CivilDate {
  const year = campaign.launchYear;
  const { due, quarter } = campaign.deadlines.registration;
  if (due) return dueDayOf(year, due);
  const month = quarter * 3;
  return { year, month, day: daysInMonth(year, month) };
}
/** 00:00 VN on the day after the registration due day (Q4 2021 without a day → 2022-01-01T00:00+07:00). */
export function registrationDeadline(campaign: Campaign): Date {
  return endOfVnDay(registrationDueDay(campaign));
}

/**
 * Reminder instants for a due day: for each offset n, `time` (HH:mm, Vietnam) on the
 * day n days before. Duplicates dropped; sorted earliest first.
 */
export function reminderInstants(dueDay: CivilDate, offsetsDays: readonly number[], time: string): Date[] {
  const { hh, mm } = parseClock(time);
  return [...new Set(offsetsDays)]
    .sort((a, b) => b - a)
    .map((n) => {
      const d = addCivilDays(dueDay, -n);
      return vnInstant(d.year, d.month, d.day, hh, mm);
    });
}

/** Whole Vietnam calendar days from today (VN) to `dueDay`: 0 on the day, negative after it. */
export function daysLeft(now: Date, dueDay: CivilDate): number {
  return civilDaysBetween(vnDate(now), dueDay);
}

/**
 * The years in which dossiers are due: the year of every non-ad-hoc review that
 * names one, and every reporting year if some non-ad-hoc review has no year
 * (a yearly review). Ad-hoc awards have no deadline.
 */
export function dossierYears(campaign: Campaign): number[] {
  const years = new Set<number>();
  for (const award of campaign.awards)
    for (const review of award.reviews) {
      if (review.kind === 'ad_hoc') continue;
      if (review.year === null) campaign.reportingYears.forEach((y) => years.add(y));
      else years.add(review.year);
    }
  return [...years].sort((a, b) => a - b);
}

/**
 * The deadline of a dossier: the end of the dossier due day of its year, or null for
 * an ad-hoc award (khen thưởng đột xuất: any time) or a year without a dossier deadline.
 */
export function nominationDeadline(campaign: Campaign, n: Pick<Nomination, 'year' | 'awardId' | 'reviewId'>): Date | null {
  const review = campaign.awards.find((a) => a.id === n.awardId)?.reviews.find((r) => r.id === n.reviewId);
  if (review?.kind === 'ad_hoc' || !dossierYears(campaign).includes(n.year)) return null;
  return dossierDeadline(campaign, n.year);
}

/** The years in which a kind of deadline falls. */
export function deadlineYears(campaign: Campaign, kind: DeadlineKind): number[] {
  switch (kind) {
    case 'report':
      return [...new Set(campaign.reportingYears)].sort((a, b) => a - b);
    case 'dossier':
      return dossierYears(campaign);
    case 'registration':
      return [campaign.launchYear];
  }
}

function dueDayFor(campaign: Campaign, kind: DeadlineKind, year: number): CivilDate {
  switch (kind) {
    case 'report':
      return reportDueDay(campaign, year);
    case 'dossier':
      return dossierDueDay(campaign, year);
    case 'registration':
      return registrationDueDay(campaign);
  }
}

const byInstant = <T extends { instant: Date; kind: DeadlineKind }>(a: T, b: T) =>
  a.instant.getTime() - b.instant.getTime() || DEADLINE_KINDS.indexOf(a.kind) - DEADLINE_KINDS.indexOf(b.kind);

/** Every deadline of the campaign (of the given kinds), earliest first; ties in the order of DEADLINE_KINDS. */
export function campaignDeadlines(campaign: Campaign, kinds: readonly DeadlineKind[] = DEADLINE_KINDS): Deadline[] {
  const out: Deadline[] = [];
  for (const kind of new Set(kinds))
    for (const year of deadlineYears(campaign, kind)) {
      const dueDay = dueDayFor(campaign, kind, year);
      out.push({ kind, year, dueDay, instant: endOfVnDay(dueDay) });
    }
  return out.sort(byInstant);
}

/** Deadlines not yet passed at `now` (instant > now), earliest first, with days left. */
export function upcomingDeadlines(
  campaign: Campaign,
  now: Date,
  kinds: readonly DeadlineKind[] = DEADLINE_KINDS,
): UpcomingDeadline[] {
  return campaignDeadlines(campaign, kinds)
    .filter((d) => d.instant.getTime() > now.getTime())
    .map((d) => ({ ...d, daysLeft: daysLeft(now, d.dueDay) }));
}

/** The next deadline not yet passed at `now`, or undefined when all are over. */
export function nextDeadline(
  campaign: Campaign,
  now: Date,
  kinds: readonly DeadlineKind[] = DEADLINE_KINDS,
): UpcomingDeadline | undefined {
  return upcomingDeadlines(campaign, now, kinds)[0];
}

/** Every participant reminder of the campaign (report, dossier, registration), earliest first. */
export function reminderSchedule(
  campaign: Campaign,
  kinds: readonly DeadlineKind[] = DEADLINE_KINDS,
): ScheduledReminder[] {
  const { deadlines } = campaign;
  const out: ScheduledReminder[] = [];
  for (const d of campaignDeadlines(campaign, kinds)) {
    const offsets = [...new Set(deadlines[d.kind].reminderOffsetsDays)].sort((a, b) => b - a);
    const instants = reminderInstants(d.dueDay, offsets, deadlines.reminderTime);
    offsets.forEach((offsetDays, i) =>
      out.push({ kind: d.kind, year: d.year, dueDay: d.dueDay, deadline: d.instant, offsetDays, at: instants[i]! }),
    );
  }
  return out.sort((a, b) => a.at.getTime() - b.at.getTime() || DEADLINE_KINDS.indexOf(a.kind) - DEADLINE_KINDS.indexOf(b.kind));
}

/** Reminders with `after < at <= upTo` — what a scheduler tick that last ran at `after` must send now. */
export function remindersDue(
  campaign: Campaign,
  after: Date,
  upTo: Date,
  kinds: readonly DeadlineKind[] = DEADLINE_KINDS,
): ScheduledReminder[] {
  return reminderSchedule(campaign, kinds).filter(
    (r) => r.at.getTime() > after.getTime() && r.at.getTime() <= upTo.getTime(),
  );
}

/** Incomplete-dossier digests for staff: `staffAlertOffsetsDays` before each dossier due day, at `reminderTime`. */
export function staffAlertSchedule(campaign: Campaign): ScheduledStaffAlert[] {
  const { deadlines } = campaign;
  const offsets = [...new Set(deadlines.staffAlertOffsetsDays)].sort((a, b) => b - a);
  const out: ScheduledStaffAlert[] = [];
  for (const d of campaignDeadlines(campaign, ['dossier'])) {
    const instants = reminderInstants(d.dueDay, offsets, deadlines.reminderTime);
    offsets.forEach((offsetDays, i) =>
      out.push({ year: d.year, dueDay: d.dueDay, deadline: d.instant, offsetDays, at: instants[i]! }),
    );
  }
  return out.sort((a, b) => a.at.getTime() - b.at.getTime());
}
