import type { Data, FlowContext, Option, Step } from '../src/engine/flow.js';
import { vnDate } from '../src/domain/index.js';
import type { Localized } from '../src/campaign/schema.js';

export const label = (ctx: FlowContext, l: Localized) => l[ctx.lang];

/** Reporting years offered, most relevant first: this year, then the latest past one. */
export function campaignYears(ctx: FlowContext): number[] {
  const thisYear = vnDate(ctx.now).year;
  const years = [...ctx.campaign.reportingYears].sort((a, b) => b - a);
  const current = years.filter((y) => y <= thisYear);
  return current.length ? [...current, ...years.filter((y) => y > thisYear)] : years;
}

/** Pre-fills the year when the campaign has only one, so the step is skipped. */
export function defaultYear(ctx: FlowContext): Data {
  const years = campaignYears(ctx);
  return years.length === 1 ? { year: String(years[0]) } : {};
}

export const yearOf = (data: Data) => Number(data.year);

export function yearStep(): Step {
  return {
    kind: 'choice',
    id: 'year',
    prompt: (ctx) => ctx.t('common.year_prompt'),
    when: (ctx) => campaignYears(ctx).length > 1,
    options: (ctx) => campaignYears(ctx).map<Option>((y) => ({ id: String(y), label: String(y) })),
    summary: (ctx, data) => ctx.t('common.year_line', { year: String(data.year) }),
  };
}

export const confirmActions = (ctx: FlowContext): Option[] => [
  { id: 'confirm', label: ctx.t('confirm.ok') },
  { id: 'cancel', label: ctx.t('confirm.cancel') },
];

export const isOfficer = (ctx: FlowContext) => ctx.identity.role === 'officer' && ctx.identity.unitId !== null;
