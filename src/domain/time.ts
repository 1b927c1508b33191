import { fromZonedTime, formatInTimeZone } from 'date-fns-tz';
import type { Lang } from './entities.js';
import { DomainError } from './errors.js';

/**
 * Vietnam time. Every wall-clock rule in the campaign plans is Vietnam time
 * (UTC+7, no DST). Nothing here reads the host's time zone: wall-clock values go
 * through date-fns-tz with this zone, and calendar arithmetic is done on plain
 * (year, month, day) numbers.
 */
export const VN_TZ = 'Asia/Ho_Chi_Minh';

/** A calendar day (month 1–12). */
export interface CivilDate {
  year: number;
  month: number;
  day: number;
}
/** A day in every year (as in the campaign's deadlines). */
export interface DayOfYear {
  month: number;
  day: number;
}

const MS_PER_DAY = 86_400_000;
const pad = (n: number, w = 2) => String(n).padStart(w, '0');

export function isValidCivilDate(year: number, month: number, day: number): boolean {
  if (![year, month, day].every(Number.isInteger)) return false;
  if (year < 1 || year > 9999 || month < 1 || month > 12 || day < 1) return false;
  return day <= daysInMonth(year, month);
}

export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function assertCivil(year: number, month: number, day: number): void {
  if (!isValidCivilDate(year, month, day))
    throw new DomainError('invalid_date', `${pad(day)}/${pad(month)}/${year} is not a date`, { year, month, day });
}

/** The last day vnDate found, with the instants it spans: most calls fall on the same day. */
let lastDay: { from: number; to: number; date: CivilDate } | undefined;

/** The Vietnam calendar day of an instant. */
export function vnDate(instant: Date): CivilDate {
  const t = instant.getTime();
  if (lastDay && t >= lastDay.from && t < lastDay.to) return { ...lastDay.date };
  const s = formatInTimeZone(instant, VN_TZ, 'yyyy-MM-dd');
  const [y, m, d] = s.split('-').map(Number) as [number, number, number];
  const date = { year: y, month: m, day: d };
  // Intl's time-zone formatting is costly and a step asks for today many times over.
  if (Number.isFinite(t)) lastDay = { from: startOfVnDay(date).getTime(), to: startOfVnDay(addCivilDays(date, 1)).getTime(), date };
  return { ...date };
}

/** The instant of a Vietnam wall-clock time. Throws DomainError('invalid_date') for days/times that do not exist. */
export function vnInstant(year: number, month: number, day: number, hh = 0, mm = 0): Date {
  assertCivil(year, month, day);
  if (!Number.isInteger(hh) || !Number.isInteger(mm) || hh < 0 || hh > 23 || mm < 0 || mm > 59)
    throw new DomainError('invalid_date', `${pad(hh)}:${pad(mm)} is not a time of day`, { hh, mm });
  // A string without an offset is read as wall-clock time in VN_TZ, independent of the host zone.
  return fromZonedTime(`${pad(year, 4)}-${pad(month)}-${pad(day)}T${pad(hh)}:${pad(mm)}:00.000`, VN_TZ);
}

/** 00:00 Vietnam time at the start of a calendar day. */
export function startOfVnDay(d: CivilDate): Date {
  return vnInstant(d.year, d.month, d.day);
}

/** Calendar arithmetic: the day `n` days after `d` (n may be negative). */
export function addCivilDays(d: CivilDate, n: number): CivilDate {
  assertCivil(d.year, d.month, d.day);
  const t = new Date(Date.UTC(d.year, d.month - 1, d.day + n));
  return { year: t.getUTCFullYear(), month: t.getUTCMonth() + 1, day: t.getUTCDate() };
}

/** Whole calendar days from `a` to `b` (negative when b is before a). */
export function civilDaysBetween(a: CivilDate, b: CivilDate): number {
  return Math.round((Date.UTC(b.year, b.month - 1, b.day) - Date.UTC(a.year, a.month - 1, a.day)) / MS_PER_DAY);
}

/** -1, 0 or 1. */
export function compareCivil(a: CivilDate, b: CivilDate): number {
  return Math.sign(civilDaysBetween(b, a));
}

/** Parses 'HH:mm' (00:00–23:59). Throws DomainError('invalid_clock'). */
export function parseClock(clock: string): { hh: number; mm: number } {
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(clock);
  if (!m) throw new DomainError('invalid_clock', `"${clock}" is not a time like 08:00`, { clock });
  return { hh: Number(m[1]), mm: Number(m[2]) };
}

const EN_MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;

/** A calendar day for people: vi "05/12/2024", en "5 Dec 2024" (dd/MM is ambiguous to English readers). */
export function formatCivilDate(d: CivilDate, lang: Lang): string {
  return lang === 'vi' ? `${pad(d.day)}/${pad(d.month)}/${d.year}` : `${d.day} ${EN_MONTHS[d.month - 1]} ${d.year}`;
}

/**
 * An instant in Vietnam time. Without `withTime`: the day, vi "05/12/2024", en "5 Dec 2024".
 * With it: vi "08:00 05/12/2024", en "08:00 5 Dec 2024".
 * Careful: a deadline's `instant` is the exclusive end (00:00 of the next day); show its `dueDay` instead.
 */
export function formatVn(instant: Date, lang: Lang, withTime = false): string {
  const day = formatCivilDate(vnDate(instant), lang);
  return withTime ? `${formatInTimeZone(instant, VN_TZ, 'HH:mm')} ${day}` : day;
}

/** "08:00 05/12/2024" — shorthand for formatVn(instant, lang, true). */
export function formatVnDateTime(instant: Date, lang: Lang): string {
  return formatVn(instant, lang, true);
}
