import type { ReviewKind } from '../../campaign/schema.js';
import { TODAY_HIERARCHY, type IndividualKind, type UnitLevel } from '../../domain/levels.js';
import { slug } from './parse.js';
import { get, type Values } from './questions.js';

type DayMonth = { month: number; day: number };
type Source = { inferredFrom: 'campaign:new'; note: string; quote?: string };

const REVIEW_LABELS: Record<ReviewKind, { vi: string; en: string }> = {
  yearly: { vi: 'Xét khen thưởng hằng năm', en: 'Yearly awards' },
  interim: { vi: 'Sơ kết phong trào', en: 'Interim review' },
  final: { vi: 'Tổng kết phong trào', en: 'Final review' },
  ad_hoc: { vi: 'Khen thưởng đột xuất', en: 'Ad-hoc award' },
};

/** Ids unique in their list: "to-trinh", "to-trinh-2" … */
function ids(labels: string[]): string[] {
  const seen = new Map<string, number>();
  return labels.map((l) => {
    const base = slug(l, 36);
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    return n === 1 ? base : `${base}-${n}`;
  });
}

/**
 * The campaign file of the wizard's answers. Every value is the operator's entry:
 * provenance `{ inferredFrom: 'campaign:new', note }`, with the plan's words as `quote`
 * when pasted (`quotes[<answer key>]`). Text is entered in Vietnamese; the English
 * side repeats it until someone translates it.
 */
/** Today's tree (TODAY_HIERARCHY) cut to the chosen levels: a level whose parents were not chosen is a root. */
function todayTree(levels: UnitLevel[]) {
  const chosen = new Set(levels);
  return {
    levels: levels.map((id) => ({ id })),
    parents: Object.fromEntries(levels.map((l) => [l, (TODAY_HIERARCHY.parents[l] ?? []).filter((p) => chosen.has(p))])),
    source: { inferredFrom: 'campaign:new', note: 'Two-level local government since 1/7/2025 (Luật 72/2025/QH15): communes, wards and special zones directly under the province.' },
  };
}

/** Who decides an award: its own words ("Giấy khen của Chủ tịch UBND xã" → "Chủ tịch UBND xã"). */
export function authorityOf(award: string): string {
  const at = award.toLowerCase().lastIndexOf(' của ');
  return (at >= 0 ? award.slice(at + 5).trim() : '') || award;
}

export function buildCampaign(v: Values, quotes: Record<string, string>, note: string): Record<string, unknown> {
  const source = (key: string): Source => (quotes[key] ? { inferredFrom: 'campaign:new', note, quote: quotes[key] } : { inferredFrom: 'campaign:new', note });
  const both = (s: string) => ({ vi: s, en: s });
  // Every review goes to the standing office, then the appraisal office, which proposes to the award's authority.
  const chainFor = (award: string) => [
    { step: 'receive', office: 'thuong-truc', source: source('standingOffice') },
    { step: 'appraise', office: 'tham-dinh', source: source('appraisalOffice') },
    { step: 'propose', office: 'tham-dinh', authority: both(authorityOf(award)), source: source('appraisalOffice') },
  ];
  const from = get<number>(v, 'from');
  const collectives = get<UnitLevel[]>(v, 'collectives');
  const awards = get<string[]>(v, 'awards');
  const awardIds = ids(awards);
  const parts = get<{ label: string; required: boolean }[]>(v, 'parts');
  const partIds = ids(parts.map((p) => p.label));
  const reviewKinds = awards.map((_, i) => get<ReviewKind[]>(v, 'reviews', String(i + 1)));
  const allKinds = [...new Set(reviewKinds.flat())];
  const registration = get<DayMonth>(v, 'registrationDue');
  const areas = get<string[]>(v, 'areas');
  const date = get<string | null>(v, 'date');
  const document = get<string | null>(v, 'document');
  const deadline = (due: string, reminders: string) => ({ due: get<DayMonth>(v, due), reminderOffsetsDays: get<number[]>(v, reminders), source: source(due) });

  return {
    id: get<string>(v, 'id'),
    name: both(get<string>(v, 'name')),
    issuer: {
      name: both(get<string>(v, 'issuer')),
      level: get<string>(v, 'issuerLevel'),
      ...(document && { document }),
      ...(date && { date }),
      source: source('issuer'),
    },
    period: { from, to: get<number>(v, 'to') },
    launchYear: from,
    reportingYears: get<number[]>(v, 'years'),
    participants: { collectives, individuals: get<IndividualKind[]>(v, 'individuals'), source: source('collectives') },
    unitLevels: get<UnitLevel[]>(v, 'levels'),
    hierarchy: todayTree(get<UnitLevel[]>(v, 'levels')),
    contentAreas: areas.map((a, i) => ({ id: ids(areas)[i]!, label: both(a) })),
    standards: collectives.flatMap((level) => {
      const list = get<{ label: string; min: number }[]>(v, 'standard', level);
      const indicatorIds = ids(list.map((x) => x.label));
      return list.length
        ? [{ level, indicators: list.map((x, i) => ({ id: indicatorIds[i]!, label: both(x.label), unit: 'percent', min: x.min, source: source(`standard.${level}`) })) }]
        : [];
    }),
    awards: awards.map((label, i) => ({
      id: awardIds[i]!,
      label: both(label),
      reviews: reviewKinds[i]!.map((kind) => {
        const key = `${i + 1}.${kind}`;
        const year = kind === 'interim' || kind === 'final' ? get<number>(v, 'reviewYear', key) : null;
        const l = REVIEW_LABELS[kind];
        return {
          id: kind.replace('_', '-') + (year ? `-${year}` : ''),
          kind,
          label: year ? { vi: `${l.vi} năm ${year}`, en: `${l.en} ${year}` } : l,
          year,
          quota: get(v, 'quota', key),
          source: source(`quota.${key}`),
          chain: chainFor(label),
        };
      }),
    })),
    dossierParts: parts.map((p, i) => {
      const levels = get<UnitLevel[]>(v, 'partLevels', String(i + 1));
      const kinds = get<ReviewKind[]>(v, 'partReviews', String(i + 1));
      const narrowed = levels.length < collectives.length || allKinds.some((k) => !kinds.includes(k));
      return {
        id: partIds[i]!,
        label: both(p.label),
        required: p.required,
        source: source('parts'),
        ...(narrowed && {
          appliesTo: {
            ...(levels.length < collectives.length && { levels }),
            ...(allKinds.some((k) => !kinds.includes(k)) && { reviewKinds: kinds }),
            source: source('parts'),
          },
        }),
      };
    }),
    deadlines: {
      report: deadline('reportDue', 'reportReminders'),
      dossier: deadline('dossierDue', 'dossierReminders'),
      registration: {
        quarter: Math.ceil(registration.month / 3),
        due: registration,
        reminderOffsetsDays: get<number[]>(v, 'registrationReminders'),
        source: source('registrationDue'),
      },
      reminderTime: get<string>(v, 'reminderTime'),
      staffAlertOffsetsDays: get<number[]>(v, 'staffAlerts'),
    },
    // The plan's two offices, as review-chain offices: the standing office receives, the appraisal office appraises and proposes.
    offices: [
      { id: 'thuong-truc', name: both(get<string>(v, 'standingOffice')), level: get<UnitLevel>(v, 'standingLevel'), source: source('standingOffice') },
      { id: 'tham-dinh', name: both(get<string>(v, 'appraisalOffice')), level: get<UnitLevel>(v, 'appraisalLevel'), source: source('appraisalOffice') },
    ],
    standingOffice: { name: both(get<string>(v, 'standingOffice')), level: get<UnitLevel>(v, 'standingLevel'), source: source('standingOffice') },
    appraisalOffice: { name: both(get<string>(v, 'appraisalOffice')), level: get<UnitLevel>(v, 'appraisalLevel'), source: source('appraisalOffice') },
    zaloTemplates: {},
  };
}
