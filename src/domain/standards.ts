import type { Campaign, Localized, Standard } from '../campaign/schema.js';
import type { UnitLevel } from './levels.js';

/** The campaign's standard for a unit level, or undefined when the plan sets none for it. */
export function standardFor(campaign: Campaign, level: UnitLevel): Standard | undefined {
  return campaign.standards.find((s) => s.level === level);
}

export interface IndicatorJudgement {
  id: string;
  label: Localized;
  min: number;
  /** null when not reported (or not a finite number). */
  value: number | null;
  /** value ≥ min. */
  passed: boolean;
}

export interface ReportJudgement {
  /** false when the level has no standard: nothing to judge, `passed` is false. */
  hasStandard: boolean;
  indicators: IndicatorJudgement[];
  /** Every indicator present and ≥ its minimum. */
  passed: boolean;
  /** Ids of indicators without a value. */
  missing: string[];
  /** Ids in `values` the standard does not have (ignored). */
  unknown: string[];
}

/** Judges reported values (indicator id → percent) against the level's standard. */
export function judgeReport(
  campaign: Campaign,
  level: UnitLevel,
  values: Readonly<Record<string, number | null | undefined>>,
): ReportJudgement {
  const standard = standardFor(campaign, level);
  const known = new Set(standard?.indicators.map((i) => i.id) ?? []);
  const unknown = Object.keys(values).filter((k) => !known.has(k));
  if (!standard) return { hasStandard: false, indicators: [], passed: false, missing: [], unknown };
  const indicators = standard.indicators.map((ind): IndicatorJudgement => {
    const raw = Object.prototype.hasOwnProperty.call(values, ind.id) ? values[ind.id] : undefined;
    const value = typeof raw === 'number' && Number.isFinite(raw) ? raw : null;
    return { id: ind.id, label: ind.label, min: ind.min, value, passed: value !== null && value >= ind.min };
  });
  const missing = indicators.filter((i) => i.value === null).map((i) => i.id);
  return { hasStandard: true, indicators, passed: indicators.every((i) => i.passed), missing, unknown };
}

export type PercentError = 'not_a_number' | 'out_of_range';
export type PercentResult = { ok: true; value: number } | { ok: false; error: PercentError };

// Optional minus (only to say "out of range"), digits with one optional decimal
// separator ("," as written in Vietnamese, or "."), optional "%"; spaces around.
// The spaces before "%" belong to the "%": two free runs of spaces side by side
// (`\s*%?\s*`) would backtrack in quadratic time on "1" + many spaces + "x".
const PERCENT = /^\s*(-?)(\d+(?:[.,]\d*)?|[.,]\d+)(?:\s*%)?\s*$/;

/**
 * A percentage as people type it: "85", "85%", "85 %", "85,5", "85.5", " 100 ".
 * Anything else is 'not_a_number' ("", "abc", "1e3", "85,5,5", "NaN", "Infinity");
 * numbers outside 0–100 are 'out_of_range' ("-1", "101").
 */
export function parsePercent(text: string): PercentResult {
  const m = PERCENT.exec(text);
  if (!m) return { ok: false, error: 'not_a_number' };
  const value = Number(m[2]!.replace(',', '.'));
  if (!Number.isFinite(value)) return { ok: false, error: 'not_a_number' };
  if (m[1] === '-' && value !== 0) return { ok: false, error: 'out_of_range' };
  if (value > 100) return { ok: false, error: 'out_of_range' };
  return { ok: true, value: value === 0 ? 0 : value }; // no -0
}
