import { INDIVIDUAL_KINDS, levelsOf, TODAY_HIERARCHY, type IndividualKind, type UnitLevel } from '../../domain/levels.js';
import { REVIEW_KINDS, type ReviewKind } from '../../campaign/schema.js';
import { isValidCivilDate } from '../../domain/time.js';
import type { MsgKey } from '../../i18n.js';

/**
 * Readers of what an operator types in campaign:new: each takes the raw text and gives
 * the value or the message key (with parameters) of a plain Vietnamese answer.
 */
export type Parsed<T> = { ok: true; value: T } | { ok: false; error: MsgKey; params?: Record<string, string | number> };

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const bad = (error: MsgKey, params?: Record<string, string | number>): Parsed<never> => ({ ok: false, error, params });

/** Lower case, without Vietnamese marks (đ → d), for matching typed words. */
export const plain = (s: string) =>
  s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/đ/g, 'd').replace(/Đ/g, 'D').toLowerCase().trim();

/** "a; b; c" or one item per line; empty items dropped. */
export const items = (raw: string) => raw.split(/[;\n]/).map((s) => s.trim()).filter(Boolean);

/** An id from words: "Giấy khen của Chủ tịch UBND xã" → "giay-khen-cua-chu-tich-ubnd-xa" (≤ 40). */
export function slug(s: string, max = 40): string {
  const words = plain(s).split(/[^a-z0-9]/).filter(Boolean);
  let out = '';
  for (const w of words) if (out.length + w.length + (out ? 1 : 0) <= max) out += (out ? '-' : '') + w;
  return out || words.join('').slice(0, max) || 'x';
}

export function text(raw: string, max = 300): Parsed<string> {
  const v = raw.trim().replace(/\s+/g, ' ');
  if (!v) return bad('wizard.err_empty');
  if (v.length > max) return bad('wizard.err_too_long', { max });
  return ok(v);
}

export const optionalText = (raw: string, max = 120): Parsed<string | null> => (raw.trim() ? text(raw, max) : ok(null));

export function year(raw: string, min = 2000, max = 2100): Parsed<number> {
  const m = /^\s*(\d{4})\s*$/.exec(raw);
  if (!m) return bad('wizard.err_year');
  const y = Number(m[1]);
  return y < min || y > max ? bad('wizard.err_year_range', { min, max }) : ok(y);
}

export function years(raw: string, min: number, max: number): Parsed<number[]> {
  const parts = raw.split(/[,;\s]+/).filter(Boolean);
  if (!parts.length) return bad('wizard.err_empty');
  const out: number[] = [];
  for (const p of parts) {
    const y = year(p, min, max);
    if (!y.ok) return y;
    if (!out.includes(y.value)) out.push(y.value);
  }
  return ok(out.sort((a, b) => a - b));
}

/** Whole numbers of days before a deadline: "7, 3, 1, 0". */
export function offsets(raw: string, max: number): Parsed<number[]> {
  const parts = raw.split(/[,;\s]+/).filter(Boolean);
  const out: number[] = [];
  for (const p of parts) {
    if (!/^\d{1,2}$/.test(p) || Number(p) > max) return bad('wizard.err_offsets', { max });
    if (!out.includes(Number(p))) out.push(Number(p));
  }
  return ok(out.sort((a, b) => b - a));
}

/** "05/12" → { month: 12, day: 5 } (a day that exists in every year: no 29/02). */
export function dayMonth(raw: string): Parsed<{ month: number; day: number }> {
  const m = /^\s*(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*$/.exec(raw);
  if (!m || !isValidCivilDate(2023, Number(m[2]), Number(m[1]))) return bad('wizard.err_day_month');
  return ok({ month: Number(m[2]), day: Number(m[1]) });
}

/** "07/06/2025" → "2025-06-07"; empty → null. */
export function date(raw: string): Parsed<string | null> {
  if (!raw.trim()) return ok(null);
  const m = /^\s*(\d{1,2})\s*\/\s*(\d{1,2})\s*\/\s*(\d{4})\s*$/.exec(raw);
  if (!m || !isValidCivilDate(Number(m[3]), Number(m[2]), Number(m[1]))) return bad('wizard.err_date');
  return ok(`${m[3]}-${m[2]!.padStart(2, '0')}-${m[1]!.padStart(2, '0')}`);
}

export function clock(raw: string): Parsed<string> {
  const m = /^\s*(\d{1,2})[:h](\d{2})\s*$/.exec(raw);
  if (!m || Number(m[1]) > 23 || Number(m[2]) > 59) return bad('wizard.err_clock');
  return ok(`${m[1]!.padStart(2, '0')}:${m[2]}`);
}

export function id(raw: string): Parsed<string> {
  const v = raw.trim();
  return /^[a-z0-9][a-z0-9_-]{0,39}$/.test(v) ? ok(v) : bad('wizard.err_id');
}

/**
 * Choices from a fixed list, typed as their numbers in `options`, their ids, or their
 * names (`names`, without marks): "1, 3", "hamlet", "xóm". `all` ("tất cả") takes every option.
 */
export function pick<T extends string>(raw: string, options: readonly T[], names: (o: T) => string[], opts: { many: boolean; all?: boolean }): Parsed<T[]> {
  const words = plain(raw);
  if (opts.all && (words === 'tat ca' || words === 'all' || words === '*')) return ok([...options]);
  const parts = opts.many ? words.split(/[,;]+/).map((s) => s.trim()).filter(Boolean) : [words];
  const out: T[] = [];
  for (const p of parts) {
    const n = /^\d+$/.test(p) ? options[Number(p) - 1] : options.find((o) => o === p || names(o).some((x) => plain(x) === p));
    if (!n) return bad('wizard.err_pick', { input: p.slice(0, 40) });
    if (!out.includes(n)) out.push(n);
  }
  if (!out.length) return bad('wizard.err_empty');
  return ok(out);
}

export const LEVELS: readonly UnitLevel[] = levelsOf(TODAY_HIERARCHY);
export const KINDS: readonly IndividualKind[] = INDIVIDUAL_KINDS;
export const REVIEWS: readonly ReviewKind[] = REVIEW_KINDS;

/** Quotas as typed: "2/3" (collectives/individuals), "-/3", "" or "không" (no number in the plan). */
export function quota(raw: string): Parsed<{ collective: number | null; individual: number | null }> {
  const v = plain(raw);
  if (!v || v === 'khong' || v === 'none' || v === '-') return ok({ collective: null, individual: null });
  const m = /^(\d{1,4}|-)\s*\/\s*(\d{1,4}|-)$/.exec(v);
  if (!m) return bad('wizard.err_quota');
  const n = (s: string) => (s === '-' ? null : Number(s));
  return ok({ collective: n(m[1]!), individual: n(m[2]!) });
}

/** Indicators as typed: "Hồ sơ xử lý trên môi trường mạng = 70; Văn bản điện tử = 100"; empty: the level has no standard. */
export function indicators(raw: string): Parsed<{ label: string; min: number }[]> {
  const out: { label: string; min: number }[] = [];
  for (const item of items(raw)) {
    // The rate follows the last "=" or ":" (a name may hold either).
    const cut = Math.max(item.lastIndexOf('='), item.lastIndexOf(':'));
    const label = cut > 0 ? item.slice(0, cut).trim() : '';
    const rate = cut > 0 ? item.slice(cut + 1).trim() : '';
    const min = /^\d{1,3}(?:[.,]\d{1,2})?%?$/.test(rate) ? Number(rate.replace('%', '').replace(',', '.')) : NaN;
    if (!label || !(min >= 0 && min <= 100)) return bad('wizard.err_indicator', { item: item.slice(0, 60) });
    out.push({ label, min });
  }
  return ok(out);
}
