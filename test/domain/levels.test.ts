import { describe, expect, it } from 'vitest';
import { loadCampaign, listPresets } from '../../src/campaign/index.js';
import {
  allowedParents,
  DEFAULT_HIERARCHY,
  hierarchyOf,
  isLevelOf,
  levelsOf,
  mayBeParent,
  officeLevels,
  type Hierarchy,
} from '../../src/domain/levels.js';

/** A two-level tree as a campaign file declares it. */
const TWO_LEVEL: Hierarchy = {
  levels: [{ id: 'province' }, { id: 'commune' }, { id: 'ward' }, { id: 'hamlet' }, { id: 'cluster', label: { vi: 'Cụm thi đua', en: 'Cluster' } }],
  parents: { province: [], commune: ['province'], ward: ['province'], hamlet: ['commune', 'ward'], cluster: ['province'] },
};

describe('mayBeParent: the one answer to "may X sit under Y in this campaign"', () => {
  it("is exactly the hierarchy's parent rules, for every pair of its levels, in every preset", () => {
    for (const id of listPresets()) {
      const c = loadCampaign(id);
      const h = hierarchyOf(c);
      for (const child of levelsOf(c))
        for (const parent of levelsOf(c)) expect(mayBeParent(c, child, parent), `${id}: ${child} under ${parent}`).toBe((h.parents[child] ?? []).includes(parent));
    }
  });

  it('without a hierarchy, the 2021–2025 tree: a commune under a district, or under the province after the 2025 mergers', () => {
    const c = { hierarchy: undefined };
    expect(hierarchyOf(c)).toBe(DEFAULT_HIERARCHY);
    expect(mayBeParent(c, 'commune', 'district')).toBe(true);
    expect(mayBeParent(c, 'commune', 'province')).toBe(true);
    expect(mayBeParent(c, 'hamlet', 'district')).toBe(false);
    expect(mayBeParent(c, 'district', 'commune')).toBe(false);
    expect(mayBeParent(c, 'ward', 'district')).toBe(false); // not a level of the old tree
  });

  it('a two-level campaign: communes and wards under the province, no district at all', () => {
    expect(mayBeParent(TWO_LEVEL, 'commune', 'province')).toBe(true);
    expect(mayBeParent(TWO_LEVEL, 'hamlet', 'ward')).toBe(true);
    expect(mayBeParent(TWO_LEVEL, 'cluster', 'province')).toBe(true);
    expect(isLevelOf(TWO_LEVEL, 'district')).toBe(false);
    expect(mayBeParent(TWO_LEVEL, 'commune', 'district')).toBe(false);
    expect(mayBeParent(TWO_LEVEL, 'district', 'province')).toBe(false);
    expect(mayBeParent(TWO_LEVEL, 'district', null)).toBe(false);
  });

  it('any level of the campaign may be a root (the issuer may be a commune); a level it does not have may not', () => {
    for (const h of [DEFAULT_HIERARCHY, TWO_LEVEL]) for (const l of levelsOf(h)) expect(mayBeParent(h, l, null)).toBe(true);
    expect(mayBeParent(TWO_LEVEL, 'tech_team', null)).toBe(false);
  });

  it('allowedParents of a level missing from parents is none (a root only), even for a key like "constructor"', () => {
    expect(allowedParents(TWO_LEVEL, 'province')).toEqual([]);
    expect(allowedParents(TWO_LEVEL, 'constructor')).toEqual([]);
  });
});

describe('officeLevels: where staff of a reviewing office may sit', () => {
  it('the administrative levels the campaign has, and the levels of the offices its plan names', () => {
    // Bình Thành's district award goes through the district's Phòng Nội vụ (its chain's office).
    expect(officeLevels(loadCampaign('binh-thanh-2024'))).toEqual(['province', 'district', 'district_agency', 'commune', 'commune_agency']);
    expect(officeLevels(loadCampaign('thai-nguyen-2026'))).toEqual(['province', 'department', 'commune', 'ward', 'commune_agency']);
  });
  it('never a level outside the campaign, in every preset', () => {
    for (const id of listPresets()) {
      const c = loadCampaign(id);
      for (const l of officeLevels(c)) expect(isLevelOf(c, l), `${id} ${l}`).toBe(true);
    }
  });
});
