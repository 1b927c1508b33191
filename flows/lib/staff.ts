import type { FlowContext } from '../../src/engine/flow.js';
import { reviewOffice } from '../../src/domain/roles.js';
import { allDeadlinesPassed, campaignYearsAll, shownYears, staffDeadlineLines, yearArg } from '../../src/services/deadlines.js';
import { officeOverview, type UnitProgress } from '../../src/services/overview.js';

/** How many units one message lists before summarising the rest. */
const MAX_LINES = 40;

/** The year's deadlines for staff (services/deadlines.ts staffDeadlineLines), in the user's language at the flow's time. */
export function deadlineLines(ctx: FlowContext, year: number, kinds: readonly ('report' | 'dossier')[] = ['report', 'dossier']): string[] {
  return staffDeadlineLines(ctx.campaign, ctx.lang, ctx.now, year, kinds);
}

/** "Kế hoạch không có năm “2019”. Các năm: 2021, 2022 … Ví dụ: /thongke 2024." */
export function badYearText(ctx: FlowContext, command: string, text: string): string {
  const years = campaignYearsAll(ctx.campaign);
  return ctx.t('staff.bad_year', { text, years: years.join(', '), command, example: years[years.length - 1]! });
}

export type StaffYears = { bad: string } | { years: { year: number; rows: UnitProgress[] }[]; allPassed: boolean };

/**
 * The years a staff view shows, each with its units: the year typed after the command,
 * or every reporting year in which a unit under the office did something or something is due.
 */
export async function staffYears(ctx: FlowContext): Promise<StaffYears> {
  const pick = yearArg(ctx.campaign, ctx.args);
  if (pick.bad !== undefined) return { bad: pick.bad };
  const candidates = pick.year !== undefined ? [pick.year] : campaignYearsAll(ctx.campaign);
  const rows = new Map<number, UnitProgress[]>();
  for (const year of candidates) rows.set(year, await officeOverview(ctx.store, ctx.campaign, reviewOffice(ctx.identity), year, ctx.lang));
  const active = new Set([...rows].filter(([, r]) => r.some((x) => x.registered || x.reported || x.nominations > 0)).map(([y]) => y));
  const years = pick.year !== undefined ? [pick.year] : shownYears(ctx.campaign, ctx.now, active);
  return { years: years.map((year) => ({ year, rows: rows.get(year)! })), allPassed: allDeadlinesPassed(ctx.campaign, ctx.now) };
}

export function capped(ctx: FlowContext, lines: string[]): string[] {
  return cappedRows(ctx, lines, (l) => l);
}

/** capped() of one line per row, formatting only the rows shown (a province has 100,000). */
export function cappedRows<T>(ctx: FlowContext, rows: readonly T[], line: (row: T) => string): string[] {
  return rows.length <= MAX_LINES ? rows.map(line) : [...rows.slice(0, MAX_LINES).map(line), ctx.t('staff.more', { count: rows.length - MAX_LINES })];
}
