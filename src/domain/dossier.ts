import type { Campaign, DossierPart } from '../campaign/schema.js';
import type { DossierStatus, Nomination } from './entities.js';
import { DomainError } from './errors.js';
import type { UnitLevel } from './levels.js';

/** "12" for n_12: the number officers and staff read and type (never the internal id). */
export const dossierNumber = (n: Pick<Nomination, 'id'>) => n.id.replace(/^n_/, '');

/**
 * "12", "#12", "số 12", "Hồ sơ số 12", "ho so so 12", "n_12" (typed after /hoso, /lichsu,
 * /dexuat, a button's target, `audit:dump --entity`) → "n_12"; null for anything else.
 */
export function nominationId(raw: string | undefined): string | null {
  const m = raw ? /^(?:#|(?:h[oồ]\s*s[oơ]\s*)?s[oố]\s*)?(?:n_)?(\d{1,9})$/iu.exec(raw.trim().normalize('NFC')) : null;
  return m ? `n_${Number(m[1])}` : null;
}

export interface DossierCompleteness {
  /** Every required part is present. */
  complete: boolean;
  missingRequired: DossierPart[];
  /** Optional parts not provided; they never make a dossier incomplete. */
  missingOptional: DossierPart[];
  /** Parts provided, in the campaign's order. */
  present: DossierPart[];
}

/** What a dossier is: who proposes it (the proposing unit's level; null when unknown) and under which award and review. */
export interface DossierTarget {
  level: UnitLevel | null;
  awardId: string;
  reviewId: string;
}

/**
 * Whether `part` belongs to dossiers of `target` (its `appliesTo`; absent: every dossier).
 * An unknown level (a unit removed from the tree) does not narrow by level.
 */
export function partApplies(campaign: Campaign, part: DossierPart, target: DossierTarget): boolean {
  const scope = part.appliesTo;
  if (!scope) return true;
  if (scope.levels && target.level !== null && !scope.levels.includes(target.level)) return false;
  if (scope.awards && !scope.awards.includes(target.awardId)) return false;
  if (scope.reviewKinds) {
    const kind = campaign.awards.find((a) => a.id === target.awardId)?.reviews.find((r) => r.id === target.reviewId)?.kind;
    if (kind && !scope.reviewKinds.includes(kind)) return false;
  }
  return true;
}

/** The parts a dossier of `target` is asked for, in the campaign's order: the one list the nominate flow and completeness use. */
export function partsFor(campaign: Campaign, target: DossierTarget): DossierPart[] {
  return campaign.dossierParts.filter((p) => partApplies(campaign, p, target));
}

/**
 * Which of its parts a nomination has (nomination.parts is keyed by part id), counting
 * only the parts that apply to it (`partsFor`); `level` is the proposing unit's level.
 */
export function dossierCompleteness(
  campaign: Campaign,
  nomination: Pick<Nomination, 'parts' | 'awardId' | 'reviewId'>,
  level: UnitLevel | null,
): DossierCompleteness {
  const has = (id: string) => Object.prototype.hasOwnProperty.call(nomination.parts, id) && !!nomination.parts[id];
  const parts = partsFor(campaign, { level, awardId: nomination.awardId, reviewId: nomination.reviewId });
  const present = parts.filter((p) => has(p.id));
  const missingRequired = parts.filter((p) => p.required && !has(p.id));
  const missingOptional = parts.filter((p) => !p.required && !has(p.id));
  return { complete: missingRequired.length === 0, missingRequired, missingOptional, present };
}

/**
 * The dossier workflow:
 *   draft → submitted → accepted
 *              ↓   ↑ (resubmitted)
 *            returned
 * accepted is final.
 */
export const DOSSIER_TRANSITIONS: Readonly<Record<DossierStatus, readonly DossierStatus[]>> = {
  draft: ['submitted'],
  submitted: ['returned', 'accepted'],
  returned: ['submitted'],
  accepted: [],
};

export function canTransition(from: DossierStatus, to: DossierStatus): boolean {
  return DOSSIER_TRANSITIONS[from].includes(to);
}

/** The proposing unit may change parts and summary only in draft and returned. */
export function isEditable(status: DossierStatus): boolean {
  return status === 'draft' || status === 'returned';
}

/**
 * Parts may be added or replaced until the dossier is accepted: a sent dossier with parts
 * missing is completed in place (it stays sent; after the dossier deadline the change is
 * marked late, as reports are).
 */
export function partsEditable(status: DossierStatus): boolean {
  return status !== 'accepted';
}

export const RETURN_REASON_MAX = 1000;

/** The nomination without the review step it waited at. */
function withoutStep<N extends Nomination>(n: N): N {
  const copy = { ...n };
  delete copy.step;
  return copy;
}

export interface TransitionOptions {
  at: Date;
  /** Required (non-blank, ≤ 1000 characters) when returning. Ignored otherwise. */
  reason?: string | null;
  /** When given, submitting requires every required dossier part (else DomainError 'dossier_incomplete'). */
  campaign?: Campaign;
  /** The proposing unit's level, for the completeness check (null: unknown). */
  level?: UnitLevel | null;
  /** The dossier's deadline (nominationDeadline): submitting at or after it marks the dossier late (`lateAt`). */
  deadline?: Date | null;
}

/**
 * The nomination after a status change (a new object; the input is not modified).
 * - → submitted: submittedAt = at, returnReason cleared (also on resubmission).
 * - → returned: returnReason = reason (trimmed).
 * - every change: updatedAt = at.
 * Throws DomainError: 'illegal_transition', 'reason_required', 'reason_too_long', 'dossier_incomplete'.
 */
export function transition<N extends Nomination>(nomination: N, to: DossierStatus, opts: TransitionOptions): N {
  const from = nomination.status;
  if (!canTransition(from, to))
    throw new DomainError('illegal_transition', `a dossier cannot go from ${from} to ${to}`, {
      from,
      to,
      nominationId: nomination.id,
    });
  const at = opts.at.toISOString();
  switch (to) {
    case 'submitted': {
      if (opts.campaign) {
        const c = dossierCompleteness(opts.campaign, nomination, opts.level ?? null);
        if (!c.complete)
          throw new DomainError('dossier_incomplete', 'the dossier lacks required parts', {
            missing: c.missingRequired.map((p) => p.id),
          });
      }
      // Sent at or after its deadline: accepted and marked late, from the first late moment on.
      const late = !!opts.deadline && opts.at.getTime() >= opts.deadline.getTime() && !nomination.lateAt;
      // A (re)sent dossier starts its review chain at the first step (src/domain/chain.ts).
      return { ...withoutStep(nomination), status: 'submitted', submittedAt: at, returnReason: null, updatedAt: at, ...(late && { lateAt: at }) };
    }
    case 'returned': {
      const reason = (opts.reason ?? '').trim();
      if (!reason) throw new DomainError('reason_required', 'returning a dossier needs a reason');
      if (reason.length > RETURN_REASON_MAX)
        throw new DomainError('reason_too_long', `a return reason is at most ${RETURN_REASON_MAX} characters`, {
          length: reason.length,
        });
      return { ...withoutStep(nomination), status: 'returned', returnReason: reason, updatedAt: at };
    }
    case 'accepted':
      return { ...nomination, status: 'accepted', updatedAt: at };
    case 'draft':
      // Unreachable: no transition leads back to draft.
      throw new DomainError('illegal_transition', `a dossier cannot go from ${from} to draft`, { from, to });
  }
}
