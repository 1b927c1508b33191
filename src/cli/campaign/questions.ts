import type { IndividualKind, UnitLevel } from '../../domain/levels.js';
import type { ReviewKind } from '../../campaign/schema.js';
import type { MsgKey } from '../../i18n.js';
import { vnDate } from '../../domain/time.js';
import * as P from './parse.js';

/**
 * The questions of campaign:new, in the order a plan answers them: one table, so a new
 * schema field is one more row here and one more line in build.ts. A question asked
 * once per item (per level, award, review or part) has `each`; its answer is stored under
 * `<id>.<item key>`, which is also its name in an `--answers` file.
 */
export type Values = Record<string, unknown>;
export interface Item {
  key: string;
  /** Shown in the question ({level}, {award} …). */
  params: Record<string, string | number>;
}
export interface Question {
  id: string;
  ask: MsgKey;
  each?: (v: Values) => Item[];
  /** The answer taken on Enter; undefined: an answer is required. */
  default?: (v: Values, item: Item) => string | undefined;
  parse: (raw: string, v: Values, item: Item) => P.Parsed<unknown>;
  /** The value carries a provenance: the operator may paste the plan's words for it. */
  quotable?: boolean;
}

/** The answer of `id` (of `id.<key>` for a repeated question). */
export const get = <T>(v: Values, id: string, key?: string): T => v[key === undefined ? id : `${id}.${key}`] as T;

const ALIASES: Record<string, string[]> = {
  province: ['tỉnh', 'thành phố', 'tinh'],
  department: ['sở', 'sở ban ngành'],
  commune: ['xã', 'phường', 'đặc khu', 'thị trấn'],
  ward: ['phường'],
  special_zone: ['đặc khu'],
  cluster: ['cụm thi đua'],
  bloc: ['khối thi đua'],
  commune_agency: ['cơ quan xã', 'cơ quan'],
  hamlet: ['xóm', 'thôn', 'ấp', 'tổ dân phố'],
  tech_team: ['tổ công nghệ số'],
  enterprise: ['doanh nghiệp'],
  organization: ['tổ chức'],
};
const KIND_ALIASES: Record<ReviewKind, string[]> = {
  yearly: ['hằng năm', 'hàng năm'],
  interim: ['sơ kết'],
  final: ['tổng kết'],
  ad_hoc: ['đột xuất'],
};
const PERSON_ALIASES: Record<IndividualKind, string[]> = {
  civil_servant: ['cán bộ', 'công chức'],
  household: ['hộ gia đình'],
  citizen: ['người dân'],
  entrepreneur: ['doanh nhân'],
  scientist: ['nhà khoa học', 'trí thức'],
  overseas: ['kiều bào'],
};

const ISSUER_LEVELS = ['commune', 'province'] as const;
type IssuerLevel = (typeof ISSUER_LEVELS)[number];

/** The two-level structure of today (TODAY_HIERARCHY, since 1/7/2025). */
const DEFAULT_LEVELS: Record<IssuerLevel, UnitLevel[]> = {
  commune: ['commune', 'commune_agency', 'hamlet', 'tech_team'],
  province: ['province', 'department', 'commune', 'commune_agency', 'hamlet'],
};
const DEFAULT_AWARD: Record<IssuerLevel, string> = {
  commune: 'Giấy khen của Chủ tịch UBND xã',
  province: 'Bằng khen của Chủ tịch UBND tỉnh',
};
const DEFAULT_OFFICES: Record<IssuerLevel, { standing: string; standingLevel: UnitLevel; appraisal: string; appraisalLevel: UnitLevel }> = {
  commune: { standing: 'Văn phòng HĐND và UBND xã', standingLevel: 'commune_agency', appraisal: 'Hội đồng Thi đua - Khen thưởng xã', appraisalLevel: 'commune_agency' },
  province: { standing: 'Sở Khoa học và Công nghệ', standingLevel: 'department', appraisal: 'Sở Nội vụ', appraisalLevel: 'department' },
};
/** The content areas the seed plans share (DOMAIN.md). */
const DEFAULT_AREAS =
  'Lãnh đạo, chỉ đạo, tuyên truyền, nâng cao nhận thức về chuyển đổi số; Kế hoạch, cơ chế, chính sách về chuyển đổi số; Bồi dưỡng kiến thức, kỹ năng số; Bảo đảm nguồn lực cho chuyển đổi số; Hạ tầng số, nền tảng số; Dữ liệu số, dữ liệu mở; An toàn, an ninh mạng; Chuyển đổi số trong các lĩnh vực ưu tiên';
/** The dossier of Nghị định 152/2025/NĐ-CP: Tờ trình (Mẫu số 01), achievement report, council minutes (docs/legal-context.md). */
const DEFAULT_PARTS = 'Tờ trình đề nghị khen thưởng; Báo cáo thành tích của tập thể, cá nhân; Biên bản họp xét của Hội đồng Thi đua - Khen thưởng';

const issuerLevel = (v: Values) => get<IssuerLevel>(v, 'issuerLevel');
const levelsOf = (v: Values) => get<UnitLevel[]>(v, 'levels');
const collectives = (v: Values) => get<UnitLevel[]>(v, 'collectives');
const levelNames = (l: UnitLevel): string[] => ALIASES[l] ?? [l];
const numbered = <T extends string>(options: readonly T[], name: (o: T) => string) => options.map((o, i) => `${i + 1}. ${name(o)}`).join('  ');

/** Items of the repeated questions. */
const perLevel = (v: Values): Item[] => collectives(v).map((l) => ({ key: l, params: { level: levelNames(l)[0]! } }));
const perAward = (v: Values): Item[] => get<string[]>(v, 'awards').map((a, i) => ({ key: String(i + 1), params: { award: a } }));
const perReview = (v: Values, only?: (k: ReviewKind) => boolean): Item[] =>
  perAward(v).flatMap((a) =>
    get<ReviewKind[]>(v, 'reviews', a.key)
      .filter((k) => !only || only(k))
      .map((k) => ({ key: `${a.key}.${k}`, params: { ...a.params, review: KIND_ALIASES[k][0]! } })),
  );
const perPart = (v: Values): Item[] => get<{ label: string }[]>(v, 'parts').map((p, i) => ({ key: String(i + 1), params: { part: p.label } }));
const thisYear = () => String(vnDate(new Date()).year); // host clock: the wizard suggests this year, no campaign time yet

export const QUESTIONS: Question[] = [
  { id: 'quotes', ask: 'wizard.q_quotes', default: () => 'không', parse: (raw) => P.pick(raw, ['no', 'yes'] as const, (o) => (o === 'yes' ? ['có', 'c', 'yes', 'y'] : ['không', 'k', 'no', 'n']), { many: false }) },
  { id: 'name', ask: 'wizard.q_name', parse: (raw) => P.text(raw) },
  { id: 'issuer', ask: 'wizard.q_issuer', parse: (raw) => P.text(raw, 200), quotable: true },
  {
    id: 'issuerLevel',
    ask: 'wizard.q_issuer_level',
    default: () => '1',
    parse: (raw) => {
      const r = P.pick(raw, ISSUER_LEVELS, levelNames, { many: false });
      return r.ok ? { ok: true, value: r.value[0] } : r;
    },
  },
  { id: 'document', ask: 'wizard.q_document', default: () => '', parse: (raw) => P.optionalText(raw, 60) },
  { id: 'date', ask: 'wizard.q_date', default: () => '', parse: (raw) => P.date(raw) },
  { id: 'from', ask: 'wizard.q_from', default: thisYear, parse: (raw) => P.year(raw) },
  { id: 'to', ask: 'wizard.q_to', default: (v) => String(get(v, 'from')), parse: (raw, v) => P.year(raw, get<number>(v, 'from'), get<number>(v, 'from') + 10) },
  {
    id: 'years',
    ask: 'wizard.q_years',
    default: (v) => Array.from({ length: get<number>(v, 'to') - get<number>(v, 'from') + 1 }, (_, i) => get<number>(v, 'from') + i).join(', '),
    parse: (raw, v) => P.years(raw, get<number>(v, 'from'), get<number>(v, 'to')),
  },
  {
    id: 'id',
    ask: 'wizard.q_id',
    default: (v) => P.slug(`${get<string>(v, 'issuer').replace(/^(ủy|uỷ) ban nhân dân\s+/i, '')} ${get<number>(v, 'from')}${get(v, 'to') !== get(v, 'from') ? `-${get<number>(v, 'to')}` : ''}`),
    parse: (raw) => P.id(raw),
  },
  {
    id: 'levels',
    ask: 'wizard.q_levels',
    default: (v) => DEFAULT_LEVELS[issuerLevel(v)].map((l) => P.LEVELS.indexOf(l) + 1).join(', '),
    parse: (raw, v) => {
      const r = P.pick(raw, P.LEVELS, levelNames, { many: true });
      if (!r.ok) return r;
      const tree = r.value.includes(issuerLevel(v)) ? r.value : [issuerLevel(v), ...r.value];
      return { ok: true, value: P.LEVELS.filter((l) => tree.includes(l)) };
    },
  },
  {
    id: 'collectives',
    ask: 'wizard.q_collectives',
    default: (v) => levelsOf(v).filter((l) => l !== issuerLevel(v)).map((l) => levelNames(l)[0]).join(', '),
    parse: (raw, v) => P.pick(raw, levelsOf(v), levelNames, { many: true }),
    quotable: true,
  },
  { id: 'individuals', ask: 'wizard.q_individuals', default: () => '1, 2, 3', parse: (raw) => P.pick(raw, P.KINDS, (k) => PERSON_ALIASES[k], { many: true }) },
  { id: 'areas', ask: 'wizard.q_areas', default: () => DEFAULT_AREAS, parse: (raw) => (P.items(raw).length ? { ok: true, value: P.items(raw) } : { ok: false, error: 'wizard.err_empty' }) },
  { id: 'standard', each: perLevel, ask: 'wizard.q_standard', default: () => '', parse: (raw) => P.indicators(raw), quotable: true },
  { id: 'awards', ask: 'wizard.q_awards', default: (v) => DEFAULT_AWARD[issuerLevel(v)], parse: (raw) => (P.items(raw).length ? { ok: true, value: P.items(raw) } : { ok: false, error: 'wizard.err_empty' }) },
  { id: 'reviews', each: perAward, ask: 'wizard.q_reviews', default: () => 'tổng kết', parse: (raw) => P.pick(raw, P.REVIEWS, (k) => KIND_ALIASES[k], { many: true }) },
  {
    id: 'reviewYear',
    each: (v) => perReview(v, (k) => k === 'interim' || k === 'final'),
    ask: 'wizard.q_review_year',
    default: (v) => String(get(v, 'to')),
    parse: (raw, v) => P.year(raw, get<number>(v, 'from'), get<number>(v, 'to') + 5),
  },
  { id: 'quota', each: (v) => perReview(v), ask: 'wizard.q_quota', default: () => '', parse: (raw) => P.quota(raw), quotable: true },
  {
    id: 'parts',
    ask: 'wizard.q_parts',
    default: () => DEFAULT_PARTS,
    parse: (raw) => {
      const list = P.items(raw).map((s) => {
        const optional = P.plain(s).endsWith('(neu co)');
        return { label: optional ? s.slice(0, s.lastIndexOf('(')).trim() : s, required: !optional };
      });
      return list.length ? { ok: true, value: list } : { ok: false, error: 'wizard.err_empty' };
    },
    quotable: true,
  },
  { id: 'partLevels', each: perPart, ask: 'wizard.q_part_levels', default: () => 'tất cả', parse: (raw, v) => P.pick(raw, collectives(v), levelNames, { many: true, all: true }) },
  {
    id: 'partReviews',
    each: perPart,
    ask: 'wizard.q_part_reviews',
    default: () => 'tất cả',
    parse: (raw, v) => P.pick(raw, P.REVIEWS.filter((k) => perAward(v).some((a) => get<ReviewKind[]>(v, 'reviews', a.key).includes(k))), (k) => KIND_ALIASES[k], { many: true, all: true }),
  },
  { id: 'reportDue', ask: 'wizard.q_report_due', default: () => '10/12', parse: (raw) => P.dayMonth(raw), quotable: true },
  { id: 'reportReminders', ask: 'wizard.q_reminders', default: () => '7, 3, 1, 0', parse: (raw) => P.offsets(raw, 60) },
  { id: 'dossierDue', ask: 'wizard.q_dossier_due', default: () => '05/12', parse: (raw) => P.dayMonth(raw), quotable: true },
  { id: 'dossierReminders', ask: 'wizard.q_reminders', default: () => '7, 3, 1, 0', parse: (raw) => P.offsets(raw, 60) },
  {
    id: 'registrationDue',
    ask: 'wizard.q_registration_due',
    default: () => '30/11',
    parse: (raw, v) => {
      const r = P.dayMonth(raw);
      if (!r.ok) return r;
      const n = (d: { month: number; day: number }) => d.month * 100 + d.day;
      const first = [get<{ month: number; day: number }>(v, 'reportDue'), get<{ month: number; day: number }>(v, 'dossierDue')].sort((a, b) => n(a) - n(b))[0]!;
      if (n(r.value) > n(first)) return { ok: false, error: 'wizard.err_registration_late', params: { date: `${String(first.day).padStart(2, '0')}/${String(first.month).padStart(2, '0')}` } };
      return r;
    },
    quotable: true,
  },
  { id: 'registrationReminders', ask: 'wizard.q_reminders', default: () => '14, 7, 1', parse: (raw) => P.offsets(raw, 90) },
  { id: 'reminderTime', ask: 'wizard.q_reminder_time', default: () => '08:00', parse: (raw) => P.clock(raw) },
  { id: 'staffAlerts', ask: 'wizard.q_staff_alerts', default: () => '5, 2, 0', parse: (raw) => P.offsets(raw, 60) },
  { id: 'standingOffice', ask: 'wizard.q_standing', default: (v) => DEFAULT_OFFICES[issuerLevel(v)].standing, parse: (raw) => P.text(raw, 200), quotable: true },
  { id: 'standingLevel', ask: 'wizard.q_office_level', default: (v) => officeLevelDefault(v, 'standingLevel'), parse: (raw, v) => one(P.pick(raw, levelsOf(v), levelNames, { many: false })) },
  { id: 'appraisalOffice', ask: 'wizard.q_appraisal', default: (v) => DEFAULT_OFFICES[issuerLevel(v)].appraisal, parse: (raw) => P.text(raw, 200), quotable: true },
  { id: 'appraisalLevel', ask: 'wizard.q_office_level', default: (v) => officeLevelDefault(v, 'appraisalLevel'), parse: (raw, v) => one(P.pick(raw, levelsOf(v), levelNames, { many: false })) },
];

const one = <T>(r: P.Parsed<T[]>): P.Parsed<T> => (r.ok ? { ok: true, value: r.value[0]! } : r);

function officeLevelDefault(v: Values, which: 'standingLevel' | 'appraisalLevel'): string {
  const want = DEFAULT_OFFICES[issuerLevel(v)][which];
  return levelNames(levelsOf(v).includes(want) ? want : issuerLevel(v))[0]!;
}

/** The choices a question lists in its text ({options}), numbered as they may be typed. */
export function optionsText(q: Question, v: Values, name: (kind: 'level' | 'kind' | 'review', id: string) => string): string {
  switch (q.id) {
    case 'issuerLevel':
      return numbered(ISSUER_LEVELS, (l) => name('level', l));
    case 'levels':
      return numbered(P.LEVELS, (l) => name('level', l));
    case 'collectives':
    case 'partLevels':
    case 'standingLevel':
    case 'appraisalLevel':
      return numbered(q.id === 'partLevels' ? collectives(v) : levelsOf(v), (l) => name('level', l));
    case 'individuals':
      return numbered(P.KINDS, (k) => name('kind', k));
    case 'reviews':
    case 'partReviews':
      return numbered(P.REVIEWS, (k) => name('review', k));
    default:
      return '';
  }
}
