import { defineFlow, type FlowContext } from '../src/engine/flow.js';
import type { Subject } from '../src/domain/entities.js';
import { dossierCompleteness, formatDeadline, formatVn, judgeReport, nextDeadline } from '../src/domain/index.js';
import { actingUnit, isParticipant } from '../src/domain/roles.js';
import { may } from './lib/access.js';
import { campaignYears, label } from './lib/common.js';

async function statusLines(ctx: FlowContext): Promise<string[]> {
  const year = campaignYears(ctx)[0]!;
  const { identity, store, campaign } = ctx;
  const unitId = actingUnit(identity);
  const unit = unitId ? await store.units.get(unitId) : null;
  const subject: Subject | null = unit
    ? { type: 'unit', unitId: unit.id }
    : identity.personId
      ? { type: 'person', personId: identity.personId }
      : null;
  const lines = [ctx.t('status.header', { who: unit?.name ?? ctx.t('status.you'), year })];
  const reg = subject ? await store.registrations.get(campaign.id, year, subject) : null;
  lines.push(reg ? ctx.t('status.registered', { count: reg.contentAreas.length }) : ctx.t('status.not_registered'));
  if (unit) {
    const report = await store.reports.get(campaign.id, year, unit.id);
    if (!report) lines.push(ctx.t('status.no_report'));
    else {
      const verdict = judgeReport(campaign, unit.level, report.values);
      lines.push(
        ctx.t(report.late ? 'status.report_late' : 'status.report', {
          date: formatVn(new Date(report.submittedAt), ctx.lang, true),
          verdict: ctx.t(verdict.passed ? 'report.all_met' : 'status.report_not_all_met'),
        }),
      );
    }
    const noms = await store.nominations.listByUnit(campaign.id, year, unit.id);
    if (noms.length === 0) lines.push(ctx.t('status.no_nominations'));
    for (const n of noms) {
      const c = dossierCompleteness(campaign, n);
      const missing = c.missingRequired.map((p) => label(ctx, p.label)).join('; ');
      lines.push(
        ctx.t('status.nomination', { name: n.nominee.name, status: ctx.t(`status.dossier_${n.status}`) }) +
          (missing ? ` — ${ctx.t('nominate.missing', { parts: missing })}` : '') +
          (n.status === 'returned' && n.returnReason ? ` — ${ctx.t('status.return_reason', { reason: n.returnReason })}` : ''),
      );
    }
  }
  const next = nextDeadline(campaign, ctx.now);
  lines.push(
    next
      ? ctx.t('status.next_deadline', { what: ctx.t(`deadline.${next.kind}`), date: formatDeadline(next.instant, ctx.lang), days: next.daysLeft })
      : ctx.t('status.no_deadline'),
  );
  return lines;
}

/** Tình trạng: what this unit (or person) has registered, reported and nominated, and the next deadline. */
export const status = defineFlow({
  id: 'status',
  title: 'status.title',
  command: '/tinhtrang',
  available: may(isParticipant),
  render: async (ctx) => [{ text: (await statusLines(ctx)).join('\n') }],
});
