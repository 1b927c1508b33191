import type { Campaign } from '../campaign/schema.js';
import type { Nomination } from './entities.js';
import { nominationDeadline } from './deadlines.js';
import { vnInstant } from './time.js';

/**
 * Which decree a dossier follows, by its review date (docs/documents.md, docs/legal-context.md §3):
 * Nghị định 152/2025/NĐ-CP is in force from 01/7/2025 (its Điều 59) and ends Nghị định
 * 98/2023/NĐ-CP; both detail Luật Thi đua, khen thưởng số 06/2022/QH15.
 */
export const DECREE_152_IN_FORCE = vnInstant(2025, 7, 1);

export type Regime = 'nd152_2025' | 'nd98_2023';

/** The decree in force at an instant. */
export const regimeAt = (at: Date): Regime => (at.getTime() >= DECREE_152_IN_FORCE.getTime() ? 'nd152_2025' : 'nd98_2023');

/**
 * When a dossier is reviewed: its dossier deadline (end of the due day of its year, Vietnam
 * time); an ad-hoc award has none and is reviewed when it is proposed (`now`).
 */
export function reviewDate(campaign: Campaign, n: Pick<Nomination, 'year' | 'awardId' | 'reviewId'>, now: Date): Date {
  return nominationDeadline(campaign, n) ?? now;
}

/** The decree a dossier's drafts and checks follow. */
export const regimeFor = (campaign: Campaign, n: Pick<Nomination, 'year' | 'awardId' | 'reviewId'>, now: Date): Regime =>
  regimeAt(reviewDate(campaign, n, now));

/** How a decree is cited in a document's text ("98/2023/NĐ-CP"), to recognise it in a file read back. */
export const DECREE_NUMBER: Record<Regime, string> = { nd152_2025: '152/2025/NĐ-CP', nd98_2023: '98/2023/NĐ-CP' };

/** The other regime: a file citing its decree for this dossier looks like the wrong template. */
export const otherRegime = (r: Regime): Regime => (r === 'nd152_2025' ? 'nd98_2023' : 'nd152_2025');

/**
 * Whether a document's text cites the other decree and not the one in force for the dossier
 * (a report on the 98/2023 form for a review after 01/7/2025). Spaces and the letter case
 * of "NĐ-CP" vary in typed documents; "Đ" is sometimes typed as a plain "D".
 */
export function citesWrongDecree(text: string, regime: Regime): boolean {
  const folded = text.normalize('NFC').replace(/\s+/g, '').toUpperCase().replaceAll('Đ', 'D');
  const cites = (r: Regime) => folded.includes(DECREE_NUMBER[r].replaceAll('Đ', 'D'));
  return cites(otherRegime(regime)) && !cites(regime);
}
