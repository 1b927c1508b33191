import { describe, expect, it } from 'vitest';
import { DomainError, quotaUse, reviewsOpenIn, wouldExceed, type DossierStatus } from '../../src/domain/index.js';
import { campaign, individual, nomination } from '../fixtures/campaign.js';

const col = (status: DossierStatus, over = {}) => nomination({ status, ...over });
const ind = (status: DossierStatus, over = {}) => nomination({ status, nominee: { ...individual }, ...over });

describe('quotaUse', () => {
  it('counts submitted and accepted as used; drafts and returned reported apart', () => {
    const ns = [col('submitted'), col('accepted'), col('draft'), col('draft'), col('returned'), ind('submitted'), ind('draft')];
    const q = quotaUse(campaign, 'giay-khen', 'yearly', ns);
    expect(q.collective).toEqual({ limit: 2, used: 2, drafts: 2, returned: 1, remaining: 0, exceeded: false });
    expect(q.individual).toEqual({ limit: 3, used: 1, drafts: 1, returned: 0, remaining: 2, exceeded: false });
    expect(q.award.id).toBe('giay-khen');
    expect(q.review.id).toBe('yearly');
  });

  it('at the limit is not exceeded, but one more would be', () => {
    const ns = [col('submitted'), col('accepted')];
    expect(quotaUse(campaign, 'giay-khen', 'yearly', ns).collective).toMatchObject({ used: 2, remaining: 0, exceeded: false });
    expect(wouldExceed(campaign, 'giay-khen', 'yearly', ns, 'collective')).toBe(true);
    expect(wouldExceed(campaign, 'giay-khen', 'yearly', ns, 'individual')).toBe(false);
    expect(wouldExceed(campaign, 'giay-khen', 'yearly', ns.slice(1), 'collective')).toBe(false);
  });

  it('over the limit is exceeded, remaining stays at 0', () => {
    const ns = [col('submitted'), col('submitted'), col('accepted')];
    expect(quotaUse(campaign, 'giay-khen', 'yearly', ns).collective).toMatchObject({ used: 3, remaining: 0, exceeded: true });
  });

  it('drafts never use the quota', () => {
    const ns = [col('draft'), col('draft'), col('draft'), col('returned')];
    expect(quotaUse(campaign, 'giay-khen', 'yearly', ns).collective).toMatchObject({ used: 0, drafts: 3, returned: 1, exceeded: false });
    expect(wouldExceed(campaign, 'giay-khen', 'yearly', ns, 'collective')).toBe(false);
  });

  it('null limits are unlimited', () => {
    const ns = Array.from({ length: 50 }, () => col('accepted', { reviewId: 'ad-hoc' }));
    const q = quotaUse(campaign, 'giay-khen', 'ad-hoc', ns);
    expect(q.collective).toEqual({ limit: null, used: 50, drafts: 0, returned: 0, remaining: null, exceeded: false });
    expect(wouldExceed(campaign, 'giay-khen', 'ad-hoc', ns, 'collective')).toBe(false);
    // A limit of 0 allows nobody; an individual null allows anyone.
    const fin = quotaUse(campaign, 'bang-khen', 'final-2025', []);
    expect(fin.collective).toMatchObject({ limit: 0, remaining: 0, exceeded: false });
    expect(wouldExceed(campaign, 'bang-khen', 'final-2025', [], 'collective')).toBe(true);
    expect(wouldExceed(campaign, 'bang-khen', 'final-2025', [], 'individual')).toBe(false);
  });

  it('counts only this campaign, award, review (and year when given)', () => {
    const ns = [
      col('submitted'),
      col('submitted', { campaignId: 'other' }),
      col('submitted', { awardId: 'bang-khen' }),
      col('submitted', { reviewId: 'ad-hoc' }),
      col('submitted', { year: 2023 }),
    ];
    expect(quotaUse(campaign, 'giay-khen', 'yearly', ns).collective.used).toBe(2);
    expect(quotaUse(campaign, 'giay-khen', 'yearly', ns, 2024).collective.used).toBe(1);
    expect(quotaUse(campaign, 'giay-khen', 'yearly', ns, 2023).collective.used).toBe(1);
    expect(wouldExceed(campaign, 'giay-khen', 'yearly', ns, 'collective', 2024)).toBe(false);
    expect(wouldExceed(campaign, 'giay-khen', 'yearly', ns, 'collective')).toBe(true);
  });

  it('rejects unknown awards and reviews', () => {
    expect(() => quotaUse(campaign, 'nope', 'yearly', [])).toThrow(expect.objectContaining({ code: 'unknown_award' }));
    expect(() => quotaUse(campaign, 'giay-khen', 'interim-2023', [])).toThrow(expect.objectContaining({ code: 'unknown_review' }));
    expect(() => wouldExceed(campaign, 'giay-khen', 'nope', [], 'individual')).toThrow(DomainError);
  });
});

describe('reviewsOpenIn', () => {
  const open = (year: number) => reviewsOpenIn(campaign, year).map(({ award, review }) => `${award.id}/${review.id}`);
  it('yearly and ad-hoc reviews every reporting year, dated reviews in their year', () => {
    expect(open(2022)).toEqual(['giay-khen/yearly', 'giay-khen/ad-hoc']);
    expect(open(2023)).toEqual(['giay-khen/yearly', 'giay-khen/ad-hoc', 'bang-khen/interim-2023']);
    expect(open(2025)).toEqual(['giay-khen/yearly', 'giay-khen/ad-hoc', 'bang-khen/final-2025']);
  });
  it('nothing outside the reporting years', () => {
    expect(open(2020)).toEqual([]);
    expect(open(2026)).toEqual([]);
  });
});
