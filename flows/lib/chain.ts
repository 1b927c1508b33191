import type { FlowContext } from '../../src/engine/flow.js';
import type { Lang, Nomination, Unit } from '../../src/domain/entities.js';
import { currentStep, formatVn, lastStep, mayDecide, reviewSteps, type ActiveStep } from '../../src/domain/index.js';
import type { Campaign } from '../../src/campaign/index.js';
import type { Store } from '../../src/store/index.js';
import { t as translate } from '../../src/i18n.js';

/** The review chain as flows show and check it (the rules are src/domain/chain.ts). */

/** Where a sent dossier waits: its step and the unit holding that step's office (null: none does, or a step without an office). */
export interface Waiting {
  step: ActiveStep;
  officeUnit: Unit | null;
}

/** The step a sent dossier waits at and the unit that holds its office; null when it is not sent. */
export async function waitingAt(store: Store, campaign: Campaign, n: Nomination): Promise<Waiting | null> {
  const step = currentStep(campaign, n);
  if (!step) return null;
  return { step, officeUnit: step.office ? await store.units.officeUnit(n.unitId, step.office.id) : null };
}

/** The office as people read it: the unit holding it ("Sở Nội vụ tỉnh Đồng Tháp"), else the plan's name for it. */
export const officeName = (lang: Lang, w: Waiting): string => w.officeUnit?.name ?? w.step.office?.name[lang] ?? '';

/** "đang thẩm định tại Sở Nội vụ" (empty for a review without a chain: "đã gửi" says it all). */
export function waitingText(lang: Lang, w: Waiting): string {
  if (!w.step.office) return '';
  return translate(lang, `chain.at_${w.step.step}`, { office: officeName(lang, w), authority: w.step.authority?.[lang] ?? '' });
}

/** The status word of a dossier for its officer: "đã gửi — đang thẩm định tại Sở Nội vụ", "đã được trình Chủ tịch UBND tỉnh". */
export async function dossierState(ctx: FlowContext, n: Nomination): Promise<string> {
  const base = ctx.t(`status.dossier_${n.status}`);
  if (n.status === 'accepted') {
    const authority = lastStep(ctx.campaign, n).authority;
    return authority ? ctx.t('chain.proposed', { authority: authority[ctx.lang] }) : base;
  }
  const w = await waitingAt(ctx.store, ctx.campaign, n);
  const where = w ? waitingText(ctx.lang, w) : '';
  return where ? `${base} — ${where}` : base;
}

/** May this user decide at the dossier's current step? */
export const mayDecideHere = (ctx: FlowContext, w: Waiting, inScope: boolean): boolean => mayDecide(ctx.identity, w.step, w.officeUnit?.id ?? null, inScope);

/** The chain as staff read it under a dossier: each step's office, and what was decided there by whom and when. */
export async function chainLines(ctx: FlowContext, n: Nomination): Promise<string[]> {
  const steps = reviewSteps(ctx.campaign, n.awardId, n.reviewId);
  if (!steps.some((s) => s.office)) return [];
  const lines = [ctx.t('chain.header')];
  const now = n.status === 'submitted' ? currentStep(ctx.campaign, n)?.step : null;
  for (const s of steps) {
    const unit = s.office ? await ctx.store.units.officeUnit(n.unitId, s.office.id) : null;
    const office = unit?.name ?? s.office?.name[ctx.lang] ?? '';
    const last = [...(n.steps ?? [])].reverse().find((r) => r.step === s.step);
    const done = last ? ctx.t(`chain.done_${last.decision}`, { at: formatVn(new Date(last.at), ctx.lang, true), admin: last.asAdmin ? ctx.t('chain.by_admin') : '' }) : '';
    lines.push(ctx.t('chain.line', { mark: s.step === now ? '→' : last ? '✓' : '·', step: ctx.t(`chain.step_${s.step}`), office: office || ctx.t('chain.no_office') }) + (done ? ` — ${done}` : ''));
  }
  const authority = steps.at(-1)?.authority;
  if (authority) lines.push(ctx.t('chain.authority', { authority: authority[ctx.lang] }));
  return lines;
}
