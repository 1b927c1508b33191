import type { Campaign, ChainOffice, Localized } from '../campaign/schema.js';
import type { Nomination, ReviewStep, StepRecord, Unit } from './entities.js';
import { REVIEW_STEPS } from './entities.js';
import { transition } from './dossier.js';
import { findReview } from './quota.js';
import type { Account } from './roles.js';
import { ancestors, type UnitLookup } from './units.js';

/**
 * The review chain: which office receives, appraises and proposes a dossier (the review's
 * `chain` in the campaign), which unit holds that office for a given dossier (units tagged
 * with the office id), the step a sent dossier waits at, and who may decide there. The one
 * place these rules live; flows, services, jobs and the store ask here.
 */

/** A step a dossier passes: its office (null: a review without a chain, decided by any reviewer above the unit) and, for propose, the authority. */
export interface ActiveStep {
  step: ReviewStep;
  office: ChainOffice | null;
  authority: Localized | null;
}

/** The steps a dossier of this review passes, in order, skipped steps left out. A review without a chain (older files): one step, any reviewer above the unit. */
export function reviewSteps(campaign: Campaign, awardId: string, reviewId: string): ActiveStep[] {
  let chain;
  try {
    chain = findReview(campaign, awardId, reviewId).review.chain;
  } catch {
    chain = undefined; // an award the campaign no longer lists: decided as before chains
  }
  if (!chain) return [{ step: 'propose', office: null, authority: null }];
  const offices = new Map((campaign.offices ?? []).map((o) => [o.id, o]));
  return chain
    .filter((s) => s.office !== null && offices.has(s.office))
    .map((s) => ({ step: s.step, office: offices.get(s.office!)!, authority: s.authority ?? null }));
}

/** Does this review have a configured chain (someone named for each step), or is it decided by any reviewer above the unit? */
export const hasChain = (campaign: Campaign, awardId: string, reviewId: string): boolean =>
  reviewSteps(campaign, awardId, reviewId).some((s) => s.office !== null);

/**
 * The step a sent dossier waits at (null unless it is sent): `n.step`, or the chain's first
 * step when the dossier has none (just sent, or sent before chains). A step the chain no
 * longer has gives the next one it does have.
 */
export function currentStep(campaign: Campaign, n: Pick<Nomination, 'status' | 'awardId' | 'reviewId' | 'step'>): ActiveStep | null {
  if (n.status !== 'submitted') return null;
  const steps = reviewSteps(campaign, n.awardId, n.reviewId);
  if (!n.step) return steps[0]!;
  const at = REVIEW_STEPS.indexOf(n.step);
  return steps.find((s) => REVIEW_STEPS.indexOf(s.step) >= at) ?? steps[steps.length - 1]!;
}

/** The step after `step` in this dossier's chain, or null when `step` is the last (accepting it proposes the dossier to the authority). */
export function nextStep(campaign: Campaign, n: Pick<Nomination, 'awardId' | 'reviewId'>, step: ReviewStep): ActiveStep | null {
  const at = REVIEW_STEPS.indexOf(step);
  return reviewSteps(campaign, n.awardId, n.reviewId).find((s) => REVIEW_STEPS.indexOf(s.step) > at) ?? null;
}

/** The last step of this dossier's chain: the one that proposes to the authority. */
export const lastStep = (campaign: Campaign, n: Pick<Nomination, 'awardId' | 'reviewId'>): ActiveStep => reviewSteps(campaign, n.awardId, n.reviewId).at(-1)!;

/**
 * The unit holding office `officeId` for a dossier of `unitId`: among the units tagged with
 * it, the one that is the unit itself or an ancestor of it, or whose parent is — the nearest
 * (the tagged unit itself before a unit beside it under the same parent; then by code). So
 * each commune's own office serves that commune's units, and a province's department all.
 * null when no unit holds it.
 */
export function officeUnitFor<U extends Pick<Unit, 'id' | 'parentId' | 'code' | 'offices'>>(
  unitId: string,
  officeId: string,
  units: UnitLookup<U>,
  tagged: Iterable<U>,
): U | null {
  const path = [unitId, ...ancestors(unitId, units).map((u) => u.id)];
  const depth = new Map(path.map((id, i) => [id, i]));
  let best: { u: U; rank: number } | null = null;
  for (const u of tagged) {
    if (!u.offices?.includes(officeId)) continue;
    const self = depth.get(u.id);
    const parent = u.parentId === null ? undefined : depth.get(u.parentId);
    const rank = self !== undefined ? 2 * self : parent !== undefined ? 2 * parent + 1 : undefined;
    if (rank === undefined) continue;
    if (!best || rank < best.rank || (rank === best.rank && u.code < best.u.code)) best = { u, rank };
  }
  return best?.u ?? null;
}

/**
 * May this account decide (accept or return) at a step whose office is held by
 * `officeUnitId`? Admins at any step; staff only when their office unit is that unit. A
 * step without an office (a review without a chain): any reviewer whose scope holds the
 * dossier's unit (`inScope`), as before chains.
 */
export function mayDecide(a: Account, step: ActiveStep, officeUnitId: string | null, inScope: boolean): boolean {
  if (a.role === 'admin') return true;
  if (a.role !== 'staff' || a.unitId === null) return false;
  return step.office === null ? inScope : officeUnitId !== null && a.unitId === officeUnitId;
}

/** Who decided, for the dossier's record. */
export interface Decider {
  personId: string | null;
  actor: string;
  asAdmin: boolean;
  officeUnitId: string | null;
}

/**
 * The dossier after a decision at `step` (a new object): accepted → the next step, or, at the
 * last step, proposed to the authority (status accepted); returned → back to the officer
 * with the reason (a new sending starts again at the first step). Each decision is appended
 * to `steps`. Throws DomainError as transition() does.
 */
export function decideAt<N extends Nomination>(campaign: Campaign, n: N, step: ReviewStep, decision: 'accepted' | 'returned', who: Decider, opts: { at: Date; reason?: string | null }): N {
  const office = reviewSteps(campaign, n.awardId, n.reviewId).find((s) => s.step === step)?.office ?? null;
  const record: StepRecord = { step, office: office?.id ?? null, officeUnitId: who.officeUnitId, decision, personId: who.personId, actor: who.actor, asAdmin: who.asAdmin, at: opts.at.toISOString() };
  const steps = [...(n.steps ?? []), record];
  const next = decision === 'accepted' ? nextStep(campaign, n, step) : null;
  if (next) return { ...n, step: next.step, steps, updatedAt: record.at };
  const moved = transition(n, decision, { at: opts.at, reason: opts.reason ?? null });
  return { ...moved, ...(decision === 'accepted' && { step }), steps };
}

/**
 * The units an office unit serves: those for which it holds one of its offices (the tagged
 * unit nearest to them). The staff of a Sở tagged `so-noi-vu` thereby see every unit whose
 * dossiers reach them, not only the Sở's own subtree.
 */
export function servedUnits<U extends Pick<Unit, 'id' | 'parentId' | 'code' | 'offices'>>(officeUnitId: string, all: readonly U[]): Set<string> {
  const byId = new Map(all.map((u) => [u.id, u]));
  const tags = byId.get(officeUnitId)?.offices ?? [];
  const out = new Set<string>();
  if (tags.length === 0) return out;
  const tagged = all.filter((u) => u.offices?.length);
  for (const u of all) if (tags.some((k) => officeUnitFor(u.id, k, byId, tagged)?.id === officeUnitId)) out.add(u.id);
  return out;
}
