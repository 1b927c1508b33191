import type { Award, Campaign, Review } from '../campaign/schema.js';
import type { Nomination, Nominee } from './entities.js';
import { DomainError } from './errors.js';

export type NomineeType = Nominee['type'];

export interface QuotaCount {
  /** null: the plan sets no number. */
  limit: number | null;
  /** Submitted + accepted nominations: those that take a slot. */
  used: number;
  /** Drafts (not counted in `used`). */
  drafts: number;
  /** Returned for correction (not counted in `used` until resubmitted). */
  returned: number;
  /** limit − used, never below 0; null when unlimited. */
  remaining: number | null;
  /** used > limit. */
  exceeded: boolean;
}

export interface QuotaUse {
  award: Award;
  review: Review;
  collective: QuotaCount;
  individual: QuotaCount;
}

/** The award and review, or DomainError 'unknown_award' / 'unknown_review'. */
export function findReview(campaign: Campaign, awardId: string, reviewId: string): { award: Award; review: Review } {
  const award = campaign.awards.find((a) => a.id === awardId);
  if (!award) throw new DomainError('unknown_award', `no award ${awardId} in ${campaign.id}`, { awardId });
  const review = award.reviews.find((r) => r.id === reviewId);
  if (!review) throw new DomainError('unknown_review', `no review ${reviewId} for ${awardId}`, { awardId, reviewId });
  return { award, review };
}

type QuotaNomination = Pick<Nomination, 'campaignId' | 'awardId' | 'reviewId' | 'year' | 'status'> & {
  nominee: Pick<Nominee, 'type'>;
};

function count(limit: number | null, ns: readonly QuotaNomination[]): QuotaCount {
  const used = ns.filter((n) => n.status === 'submitted' || n.status === 'accepted').length;
  return {
    limit,
    used,
    drafts: ns.filter((n) => n.status === 'draft').length,
    returned: ns.filter((n) => n.status === 'returned').length,
    remaining: limit === null ? null : Math.max(0, limit - used),
    exceeded: limit !== null && used > limit,
  };
}

/**
 * How much of a review's quota is taken. Only nominations of this campaign, award and
 * review count. A review with `year: null` (yearly) has its quota per year: pass `year`
 * to count that year only (without it, all years are counted together).
 */
export function quotaUse(
  campaign: Campaign,
  awardId: string,
  reviewId: string,
  nominations: readonly QuotaNomination[],
  year?: number,
): QuotaUse {
  const { award, review } = findReview(campaign, awardId, reviewId);
  const mine = nominations.filter(
    (n) =>
      n.campaignId === campaign.id &&
      n.awardId === awardId &&
      n.reviewId === reviewId &&
      (year === undefined || n.year === year),
  );
  return {
    award,
    review,
    collective: count(review.quota.collective, mine.filter((n) => n.nominee.type === 'collective')),
    individual: count(review.quota.individual, mine.filter((n) => n.nominee.type === 'individual')),
  };
}

/** Would submitting one more nomination of this type go over the quota? (Never with a null limit.) */
export function wouldExceed(
  campaign: Campaign,
  awardId: string,
  reviewId: string,
  nominations: readonly QuotaNomination[],
  nomineeType: NomineeType,
  year?: number,
): boolean {
  const q = quotaUse(campaign, awardId, reviewId, nominations, year)[nomineeType];
  return q.limit !== null && q.used + 1 > q.limit;
}

/**
 * The award reviews a nomination can be made for in `year`: reviews of that year, and
 * reviews without a year (yearly, ad hoc) when `year` is one of the reporting years.
 * In the campaign's order.
 */
export function reviewsOpenIn(campaign: Campaign, year: number): { award: Award; review: Review }[] {
  const reporting = campaign.reportingYears.includes(year);
  const out: { award: Award; review: Review }[] = [];
  for (const award of campaign.awards)
    for (const review of award.reviews)
      if (review.year === null ? reporting : review.year === year) out.push({ award, review });
  return out;
}
