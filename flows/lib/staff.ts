import type { FlowContext } from '../../src/engine/flow.js';
import { daysLeft, dossierDeadline, dossierDueDay, formatDeadline } from '../../src/domain/index.js';

/** How many units one message lists before summarising the rest. */
const MAX_LINES = 40;

export function deadlineLine(ctx: FlowContext, year: number): string {
  const due = dossierDeadline(ctx.campaign, year);
  return ctx.t('staff.dossier_deadline', { date: formatDeadline(due, ctx.lang), days: daysLeft(ctx.now, dossierDueDay(ctx.campaign, year)) });
}

export function capped(ctx: FlowContext, lines: string[]): string[] {
  return lines.length <= MAX_LINES ? lines : [...lines.slice(0, MAX_LINES), ctx.t('staff.more', { count: lines.length - MAX_LINES })];
}
