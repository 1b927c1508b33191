import type { Flow, FlowContext, Step } from '../src/engine/flow.js';
import type { Data } from '../src/engine/flow.js';
import { formatDeadline, isLate, judgeReport, reportDeadline, standardFor } from '../src/domain/index.js';
import { confirmActions, defaultYear, isOfficer, label, yearOf, yearStep } from './common.js';

const field = (indicatorId: string) => `v_${indicatorId}`;

const valuesOf = (ctx: FlowContext, d: Data): Record<string, number> => {
  const std = standardFor(ctx.campaign, d.level as never);
  const out: Record<string, number> = {};
  for (const i of std?.indicators ?? []) if (typeof d[field(i.id)] === 'number') out[i.id] = d[field(i.id)] as number;
  return out;
};

const mark = (ctx: FlowContext, passed: boolean, min: number) => ctx.t(passed ? 'indicators.met' : 'indicators.not_met', { min });

/** Báo cáo chỉ tiêu: each indicator of the standard for the unit's level, judged as it is entered. */
export const indicators: Flow = {
  id: 'report',
  title: 'indicators.title',
  command: '/baocao',
  available: isOfficer,
  async begin(ctx) {
    const unit = await ctx.store.units.get(ctx.identity.unitId!);
    if (!unit) return { refuse: ctx.t('common.unit_missing') };
    if (!standardFor(ctx.campaign, unit.level)) return { refuse: ctx.t('indicators.no_standard', { unit: unit.name }) };
    return { data: { ...defaultYear(ctx), level: unit.level, unitName: unit.name } };
  },
  steps(ctx, data) {
    const std = standardFor(ctx.campaign, data.level as never);
    const perIndicator: Step[] = (std?.indicators ?? []).map((i, n, all) => ({
      kind: 'percent',
      id: field(i.id),
      prompt: (c) => c.t('indicators.ask', { n: n + 1, total: all.length, label: label(c, i.label), min: i.min }),
      feedback: (c, _d, value) => mark(c, value >= i.min, i.min),
      summary: (c, d) => `${label(c, i.label)}: ${String(d[field(i.id)])}% ${(d[field(i.id)] as number) >= i.min ? '✓' : '✗'}`,
    }));
    return [
      yearStep(),
      ...perIndicator,
      {
        kind: 'text',
        id: 'narrative',
        max: 2000,
        optional: true,
        prompt: (c) => c.t('indicators.narrative_prompt'),
        summary: (c, d) => c.t('indicators.narrative_line', { text: (d.narrative as string | null) ?? c.t('common.none') }),
      },
      {
        kind: 'confirm',
        id: 'confirm',
        prompt: (c, d) => c.t('indicators.confirm', { unit: String(d.unitName), year: yearOf(d) }),
        extra: (c, d) => {
          const verdict = judgeReport(c.campaign, d.level as never, valuesOf(c, d));
          const failed = verdict.indicators.filter((x) => !x.passed).length;
          const lines = [verdict.passed ? c.t('indicators.all_met') : c.t('indicators.some_not_met', { failed, total: verdict.indicators.length })];
          const due = reportDeadline(c.campaign, yearOf(d));
          if (isLate(c.now, due)) lines.push(c.t('indicators.late_warning', { date: formatDeadline(due, c.lang) }));
          return lines.join('\n');
        },
        actions: confirmActions,
      },
    ];
  },
  async complete(ctx, d) {
    const year = yearOf(d);
    const late = isLate(ctx.now, reportDeadline(ctx.campaign, year));
    await ctx.store.reports.submit(
      {
        campaignId: ctx.campaign.id,
        year,
        unitId: ctx.identity.unitId!,
        values: valuesOf(ctx, d),
        narrative: (d.narrative as string | null) ?? null,
        submittedBy: ctx.identity.personId ?? ctx.actor.id,
        submittedAt: ctx.now.toISOString(),
        late,
      },
      ctx.actor,
    );
    return [{ text: ctx.t(late ? 'indicators.done_late' : 'indicators.done', { year }) }];
  },
};
