import type { Award, Campaign, Review } from '../../campaign/schema.js';
import type { Nomination, Unit } from '../../domain/entities.js';
import { findReview, judgeReport, regimeFor, reviewDate, type IndicatorJudgement, type Regime } from '../../domain/index.js';
import { ADMINISTRATIVE_LEVELS, withoutLevelWord } from '../../domain/levels.js';
import type { Store } from '../../store/index.js';

/** What a draft is about: a stored dossier, or the answers of one still being written in the chat. */
export type DraftDossier = Pick<Nomination, 'year' | 'unitId' | 'awardId' | 'reviewId' | 'nominee' | 'summary'> & { id: string | null };

/** An award the nominee already received, from an accepted dossier of an earlier year in the store. */
export interface EarlierAward {
  year: number;
  award: string;
  review: string;
}

/** Everything the drafts say, read once from the store (the documents themselves do no I/O). */
export interface DraftFacts {
  campaign: Campaign;
  now: Date;
  regime: Regime;
  reviewAt: Date;
  dossier: DraftDossier;
  award: Award;
  review: Review;
  /** The proposing unit (cấp trình khen) and the body above it. */
  unit: Unit | null;
  parent: Unit | null;
  /** The place of the place/date line: the nearest administrative unit (ADMINISTRATIVE_LEVELS), without its level word. */
  place: string;
  /** The collective nominee as a unit of the store (null for a person or a collective not in the unit list). */
  subjectUnit: Unit | null;
  /** The unit whose indicators the report shows: the collective nominee, else the proposing unit (a person's unit of work). */
  reportUnit: Unit | null;
  /** Its indicators of the dossier's year against the standard of its level (empty: not reported or no standard). */
  indicators: IndicatorJudgement[];
  reportNarrative: string | null;
  /** Content areas it registered for in the dossier's year (labels). */
  areas: string[];
  commitments: string | null;
  earlier: EarlierAward[];
  /** The dossiers of the same unit, award and review in that year (this one included): the Tờ trình's and roster's list. */
  nominees: DraftDossier[];
}

const PLACE_LEVELS = new Set<string>(ADMINISTRATIVE_LEVELS);

/** "UBND xã Bình Thành" → "Bình Thành"; "Tỉnh Đồng Tháp" → "Đồng Tháp". */
export function placeName(name: string): string {
  return withoutLevelWord(name.replace(/^(ủy ban nhân dân|uỷ ban nhân dân|ubnd)\s+/iu, '')).trim();
}

/** Same person across dossiers: name and unit as typed, folded for case and spacing. */
const personKey = (n: DraftDossier['nominee']) =>
  n.type === 'individual' ? `i:${n.name}|${n.unitName}`.normalize('NFC').toLowerCase().replace(/\s+/g, ' ') : n.unitId ? `u:${n.unitId}` : `c:${n.name.toLowerCase()}`;

export async function draftFacts(store: Store, campaign: Campaign, dossier: DraftDossier, now: Date): Promise<DraftFacts> {
  const { award, review } = findReview(campaign, dossier.awardId, dossier.reviewId);
  const units = new Map((await store.units.all()).map((u) => [u.id, u]));
  const unit = units.get(dossier.unitId) ?? null;
  const parent = unit?.parentId ? (units.get(unit.parentId) ?? null) : null;
  let placeUnit: Unit | null = unit;
  for (let hop = 0; placeUnit && !PLACE_LEVELS.has(placeUnit.level) && hop < 16; hop++) placeUnit = placeUnit.parentId ? (units.get(placeUnit.parentId) ?? null) : null;
  const subjectUnit = dossier.nominee.type === 'collective' && dossier.nominee.unitId ? (units.get(dossier.nominee.unitId) ?? null) : null;

  const reportUnit = subjectUnit ?? unit;
  const report = reportUnit ? await store.reports.get(campaign.id, dossier.year, reportUnit.id) : null;
  const indicators = report && reportUnit ? judgeReport(campaign, reportUnit.level, report.values).indicators : [];
  const registration = reportUnit ? await store.registrations.get(campaign.id, dossier.year, { type: 'unit', unitId: reportUnit.id }) : null;
  const areas = (registration?.contentAreas ?? []).map((id) => campaign.contentAreas.find((a) => a.id === id)?.label.vi ?? id);

  const key = personKey(dossier.nominee);
  const earlier: EarlierAward[] = [];
  for (const year of campaign.reportingYears.filter((y) => y < dossier.year))
    for (const n of await store.nominations.list(campaign.id, year))
      if (n.status === 'accepted' && personKey(n.nominee) === key) {
        const found = campaign.awards.find((a) => a.id === n.awardId);
        earlier.push({ year, award: found?.label.vi ?? n.awardId, review: found?.reviews.find((r) => r.id === n.reviewId)?.label.vi ?? n.reviewId });
      }

  const same = (await store.nominations.listByUnit(campaign.id, dossier.year, dossier.unitId)).filter(
    (n) => n.awardId === dossier.awardId && n.reviewId === dossier.reviewId && n.id !== dossier.id,
  );
  const nominees: DraftDossier[] = [dossier, ...same].sort((a, b) => (a.id ?? '~').localeCompare(b.id ?? '~', 'en', { numeric: true }));

  return {
    campaign,
    now,
    regime: regimeFor(campaign, dossier, now),
    reviewAt: reviewDate(campaign, dossier, now),
    dossier,
    award,
    review,
    unit,
    parent,
    place: placeUnit ? placeName(placeUnit.name) : '',
    subjectUnit,
    reportUnit,
    indicators,
    reportNarrative: report?.narrative ?? null,
    areas,
    commitments: registration?.commitments ?? null,
    earlier,
    nominees,
  };
}
