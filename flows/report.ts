import { z } from 'zod';
import { defineFlow, type FlowContext, type Step } from '../src/engine/flow.js';
import { canReport } from '../src/domain/roles.js';
import { may } from './lib/access.js';
import { formatDeadline, formatNumber, isLate, judgeReport, reportDeadline, standardFor, LEVEL_ID, type UnitLevel } from '../src/domain/index.js';
import { ownChoiceNote } from './lib/own-choice.js';
import { confirmActions, defaultYear, label, yearOf, yearSchema, yearStep } from './lib/common.js';

const schema = z.object({
  year: yearSchema,
  level: z.string().regex(LEVEL_ID),
  unitName: z.string(),
  /** Percent by indicator id, one step each. */
  values: z.record(z.string(), z.number()).default({}),
  /** null: skipped. */
  narrative: z.string().nullable(),
});

type Answers = Partial<z.input<typeof schema>>;

/** The values of the standard's indicators (what the report stores and is judged on). */
const valuesOf = (ctx: FlowContext, d: Pick<Answers, 'level' | 'values'>): Record<string, number> => {
  const out: Record<string, number> = {};
  for (const i of (d.level && standardFor(ctx.campaign, d.level)?.indicators) || []) {
    const v = d.values?.[i.id];
    if (v !== undefined) out[i.id] = v;
  }
  return out;
};

const mark = (ctx: FlowContext, passed: boolean, min: number) => ctx.t(passed ? 'report.met' : 'report.not_met', { min });
/** "chuẩn: 100%" when the standard is everything, "chuẩn: từ 85% trở lên" otherwise. */
const standardText = (ctx: FlowContext, min: number) => (min >= 100 ? ctx.t('report.standard_full') : ctx.t('report.standard_min', { min: formatNumber(min, ctx.lang) }));

/** Báo cáo chỉ tiêu: each indicator of the standard for the unit's level, judged as it is entered. */
export const report = defineFlow({
  id: 'report',
  title: 'report.title',
  command: '/baocao',
  available: may(canReport),
  schema,
  async begin(ctx) {
    const unit = await ctx.store.units.get(ctx.identity.unitId!);
    if (!unit) return { refuse: ctx.t('common.unit_missing') };
    if (!standardFor(ctx.campaign, unit.level)) return { refuse: ctx.t('report.no_standard', { unit: unit.name }) };
    return { data: { ...defaultYear(ctx), level: unit.level, unitName: unit.name } };
  },
  steps(ctx, data) {
    const std = data.level ? standardFor(ctx.campaign, data.level) : undefined;
    const perIndicator = (std?.indicators ?? []).map(
      (i, n, all): Step<Answers> => ({
        kind: 'percent',
        // The step id travels in button payloads and sessions: kept as it was.
        id: `v_${i.id}`,
        field: ['values', i.id],
        prompt: (c) => c.t('report.ask', { n: n + 1, total: all.length, label: label(c, i.label), standard: standardText(c, i.min), note: ownChoiceNote(c, i.source) }),
        feedback: (c, _d, value) => mark(c, value >= i.min, i.min),
        summary: (c, d) => `${label(c, i.label)}: ${formatNumber(d.values?.[i.id] ?? 0, c.lang)}% ${(d.values?.[i.id] ?? 0) >= i.min ? '✓' : '✗'}`,
      }),
    );
    return [
      yearStep(),
      ...perIndicator,
      {
        kind: 'text',
        id: 'narrative',
        max: 2000,
        optional: true,
        prompt: (c) => c.t('report.narrative_prompt'),
        summary: (c, d) => c.t('report.narrative_line', { text: d.narrative ?? c.t('common.none') }),
      },
      {
        kind: 'confirm',
        id: 'confirm',
        prompt: (c, d) => c.t('report.confirm', { unit: String(d.unitName), year: yearOf(d) }),
        extra: (c, d) => {
          const verdict = judgeReport(c.campaign, d.level!, valuesOf(c, d));
          const failed = verdict.indicators.filter((x) => !x.passed).length;
          const lines = [verdict.passed ? c.t('report.all_met') : c.t('report.some_met', { passed: verdict.indicators.length - failed, total: verdict.indicators.length })];
          const due = reportDeadline(c.campaign, yearOf(d));
          if (isLate(c.now, due)) lines.push(c.t('report.late_warning', { date: formatDeadline(due, c.lang) }));
          return lines.join('\n');
        },
        actions: confirmActions,
      },
    ];
  },
  async complete(ctx, d) {
    const late = isLate(ctx.now, reportDeadline(ctx.campaign, d.year));
    await ctx.store.reports.submit(
      {
        campaignId: ctx.campaign.id,
        year: d.year,
        unitId: ctx.identity.unitId!,
        values: valuesOf(ctx, d),
        narrative: d.narrative,
        submittedBy: ctx.identity.personId ?? ctx.actor.id,
        submittedAt: ctx.now.toISOString(),
        late,
      },
      ctx.actor,
    );
    return [{ text: ctx.t(late ? 'report.done_late' : 'report.done', { year: d.year }) }];
  },
});
