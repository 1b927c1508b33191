import type { FileChild } from 'docx';
import { formatVn, type Regime } from '../../domain/index.js';
import { t, tDynamic, type MsgKey, type Params } from '../../i18n.js';
import type { DraftDossier, DraftFacts } from './facts.js';
import { centered, draftMark, grid, heading, masthead, pack, para, sideBySide, signature } from './layout.js';

/**
 * The four drafts. Always in Vietnamese: they are administrative documents whatever language
 * the officer chats in. Structures: docs/documents.md (what was found of the annexes).
 */

export const DRAFT_KINDS = ['proposal', 'report', 'roster', 'minutes'] as const;
export type DraftKind = (typeof DRAFT_KINDS)[number];

/** Filled by staff before the minutes are drafted (flows/minutes.ts); blanks when not given. */
export interface MinutesVotes {
  members: number;
  present: number;
  written: number;
  /** Votes for each nominee, in the order of `facts.nominees`. */
  votes: number[];
}

const v = (key: MsgKey, params?: Params) => t('vi', key, params);
const BLANK = '……………';
const lowerFirst = (s: string) => s.charAt(0).toLocaleLowerCase('vi') + s.slice(1);

/** The template a draft follows and the honest note on how far it follows it (also in docs/documents.md). */
export function templateOf(kind: DraftKind, f: Pick<DraftFacts, 'regime' | 'dossier'>): { name: string; note: string } {
  const who = f.dossier.nominee.type === 'individual' ? 'individual' : 'collective';
  const key = kind === 'report' ? `draft.template_report_${who}_${f.regime}` : kind === 'proposal' ? `draft.template_proposal_${f.regime}` : `draft.template_${kind}`;
  return { name: tDynamic('vi', key), note: tDynamic('vi', `draft.note_${kind === 'report' || kind === 'proposal' ? f.regime : 'local'}`) };
}

/** The legal basis lines: the Law, the decree in force on the review date, the campaign's plan. */
export function basisLines(f: Pick<DraftFacts, 'regime' | 'campaign'>): string[] {
  const c = f.campaign;
  const [y, m, d] = (c.issuer.date ?? '').split('-');
  const plan = c.issuer.document && y
    ? v('draft.basis_plan_numbered', { document: c.issuer.document, date: `${d}/${m}/${y}`, issuer: c.issuer.name.vi, campaign: lowerFirst(c.name.vi) })
    : v('draft.basis_plan', { issuer: c.issuer.name.vi, campaign: lowerFirst(c.name.vi) });
  return [v('draft.basis_law'), v(f.regime === 'nd152_2025' ? 'draft.basis_nd152' : 'draft.basis_nd98'), plan];
}

const nomineeCells = (n: DraftDossier) =>
  n.nominee.type === 'individual' ? [n.nominee.name, [n.nominee.position, n.nominee.unitName].filter(Boolean).join(', ')] : [n.nominee.name, v('draft.collective')];

/** Under the title: the template followed and the legal basis, so the reader knows what the draft rests on. */
const templateLine = (kind: DraftKind, f: DraftFacts) =>
  para({ text: v('draft.template_line', { template: templateOf(kind, f).name, decree: regimeLabel(f.regime) }), italics: true, size: 22 }, { align: 'center', after: 160 });

function top(f: DraftFacts, number: string | null): FileChild[] {
  return [
    draftMark(v('draft.mark')),
    masthead({
      parent: f.parent?.name ?? null,
      issuer: f.unit?.name ?? BLANK,
      number,
      motto: [v('draft.motto_1'), v('draft.motto_2')],
      placeDate: v('draft.place_date', { place: f.place || BLANK, year: formatVn(f.now, 'vi').slice(-4) }),
    }),
    para('', { after: 120 }),
  ];
}

const footer = (kind: DraftKind, f: DraftFacts) => {
  const tpl = templateOf(kind, f);
  return v('draft.footer', { when: formatVn(f.now, 'vi', true), template: tpl.name, note: tpl.note });
};

const awardLine = (f: DraftFacts) => `${f.award.label.vi} — ${f.review.label.vi}`;

function proposal(f: DraftFacts): FileChild[] {
  const issuer = f.unit?.name ?? BLANK;
  const to = f.campaign.appraisalOffice.name.vi;
  return [
    ...top(f, v('draft.number_proposal')),
    centered(v('draft.proposal_title')),
    centered(v('draft.proposal_subject', { award: f.award.label.vi, review: f.review.label.vi }), false),
    templateLine('proposal', f),
    para(v('draft.to', { to }), { align: 'center', before: 120, after: 160 }),
    ...basisLines(f).map((l) => para({ text: l, italics: true }, { indent: true })),
    para(v('draft.proposal_body', { issuer, campaign: lowerFirst(f.campaign.name.vi), award: awardLine(f), count: f.nominees.length }), { indent: true }),
    grid(
      [v('draft.col_no'), v('draft.col_name'), v('draft.col_position'), v('draft.col_summary')],
      f.nominees.map((n, i) => [String(i + 1), ...nomineeCells(n), n.summary || BLANK]),
      [8, 27, 25, 40],
    ),
    para(v('draft.proposal_attached'), { indent: true, before: 120 }),
    para(v('draft.proposal_close', { issuer, to }), { indent: true }),
    sideBySide(
      [para({ text: v('draft.recipients'), bold: true, italics: true, size: 24 }, { align: 'left', after: 0 }), ...v('draft.recipients_lines').split('\n').map((l) => para({ text: l, size: 22 }, { align: 'left', after: 0 }))],
      signature(v('draft.sign_head'), v('draft.sign_hint_seal'), BLANK),
      45,
    ),
  ];
}

function indicatorsTable(f: DraftFacts): FileChild[] {
  const level = f.reportUnit ? tDynamic('vi', `level.${f.reportUnit.level}`) : BLANK;
  if (f.indicators.length === 0) return [para(v('draft.no_report', { year: f.dossier.year }), { indent: true })];
  const pct = (x: number) => `${String(x).replace('.', ',')}%`;
  return [
    para(v('draft.indicators_intro', { unit: f.reportUnit?.name ?? BLANK, year: f.dossier.year, level }), { indent: true }),
    grid(
      [v('draft.col_no'), v('draft.col_indicator'), v('draft.col_value'), v('draft.col_standard'), v('draft.col_verdict')],
      f.indicators.map((i, k) => [
        String(k + 1),
        i.label.vi,
        i.value === null ? v('draft.not_reported') : pct(i.value),
        i.min >= 100 ? '100%' : v('draft.at_least', { min: pct(i.min) }),
        i.value === null ? v('draft.not_reported') : v(i.passed ? 'draft.met' : 'draft.not_met'),
      ]),
      [8, 44, 14, 18, 16],
    ),
    ...(f.reportNarrative ? [para(v('draft.narrative', { text: f.reportNarrative }), { indent: true, before: 80 })] : []),
  ];
}

function report(f: DraftFacts): FileChild[] {
  const n = f.dossier.nominee;
  const person = n.type === 'individual';
  const details = person
    ? [
        heading(v('draft.report_person_details')),
        para(v('draft.person_name', { name: n.name }), { indent: true }),
        para(v('draft.person_blanks'), { indent: true }),
        para(v('draft.person_unit', { unit: n.unitName || BLANK }), { indent: true }),
        para(v('draft.person_position', { position: n.position || BLANK }), { indent: true }),
      ]
    : [
        heading(v('draft.report_unit_details')),
        para(v('draft.unit_situation', { name: n.name, parent: f.parent?.name ?? BLANK, level: f.subjectUnit ? tDynamic('vi', `level.${f.subjectUnit.level}`) : BLANK }), { indent: true }),
        para(v('draft.unit_organisation'), { indent: true }),
      ];
  const earlier = f.earlier.length
    ? f.earlier.map((e) => para(v('draft.earlier_line', { year: e.year, award: e.award, review: e.review }), { indent: true }))
    : [para(v('draft.earlier_none'), { indent: true })];
  return [
    ...top(f, null),
    centered(v('draft.report_title')),
    centered(v('draft.report_subject', { award: f.award.label.vi, review: f.review.label.vi }), false),
    templateLine('report', f),
    para({ text: v(person ? 'draft.report_person_name' : 'draft.report_collective_name', { name: n.name }), bold: true }, { align: 'center', before: 80, after: 160 }),
    ...details,
    heading(v('draft.report_achievements')),
    ...(person ? [para(v('draft.person_duties'), { indent: true })] : []),
    para(v('draft.areas', { year: f.dossier.year, areas: f.areas.length ? f.areas.join('; ') : v('draft.areas_none') }), { indent: true }),
    ...(f.commitments ? [para(v('draft.commitments', { text: f.commitments }), { indent: true })] : []),
    ...indicatorsTable(f),
    para(v('draft.summary', { text: f.dossier.summary || BLANK }), { indent: true, before: 80 }),
    para(v('draft.solutions'), { indent: true }),
    heading(v('draft.report_earlier')),
    ...earlier,
    para('', { after: 160 }),
    sideBySide(
      signature(v(person ? 'draft.sign_confirm_head' : 'draft.sign_confirm_upper'), v('draft.sign_hint_seal'), BLANK),
      signature(v(person ? 'draft.sign_reporter' : 'draft.sign_head'), v(person ? 'draft.sign_hint' : 'draft.sign_hint_seal'), person ? n.name : BLANK),
      50,
    ),
  ];
}

function roster(f: DraftFacts): FileChild[] {
  return [
    ...top(f, null),
    centered(v('draft.roster_title')),
    centered(v('draft.roster_subject', { award: awardLine(f) }), false),
    templateLine('roster', f),
    para({ text: v('draft.roster_attached', { issuer: f.unit?.name ?? BLANK }), italics: true }, { align: 'center', after: 160 }),
    grid(
      [v('draft.col_no'), v('draft.col_name'), v('draft.col_position'), v('draft.col_summary'), v('draft.col_award')],
      f.nominees.map((n, i) => [String(i + 1), ...nomineeCells(n), n.summary || BLANK, f.award.label.vi]),
      [7, 22, 22, 31, 18],
    ),
    para('', { after: 160 }),
    sideBySide(signature(v('draft.sign_maker'), v('draft.sign_hint'), BLANK), signature(v('draft.sign_head'), v('draft.sign_hint_seal'), BLANK), 50),
  ];
}

function minutes(f: DraftFacts, votes: MinutesVotes | null): FileChild[] {
  const num = (x: number | undefined) => (x === undefined ? BLANK : String(x));
  const share = (x: number | undefined) => (x === undefined || !votes?.members ? BLANK : `${(Math.round((x / votes.members) * 1000) / 10).toString().replace('.', ',')}%`);
  return [
    ...top(f, null),
    centered(v('draft.minutes_title')),
    centered(v('draft.minutes_subject', { award: awardLine(f) }), false),
    templateLine('minutes', f),
    para(v('draft.minutes_time', { year: formatVn(f.now, 'vi').slice(-4) }), { indent: true, before: 160 }),
    heading(v('draft.minutes_members')),
    para(v('draft.minutes_chair'), { indent: true }),
    para(
      v('draft.minutes_quorum', {
        members: num(votes?.members),
        present: num(votes?.present),
        absent: votes ? String(Math.max(0, votes.members - votes.present)) : BLANK,
        written: num(votes?.written),
      }),
      { indent: true },
    ),
    heading(v('draft.minutes_content')),
    para(v('draft.minutes_intro', { award: awardLine(f) }), { indent: true }),
    grid(
      [v('draft.col_no'), v('draft.col_name'), v('draft.col_votes'), v('draft.col_share'), v('draft.col_result')],
      f.nominees.map((n, i) => [String(i + 1), n.nominee.name, num(votes?.votes[i]), share(votes?.votes[i]), BLANK]),
      [8, 38, 16, 20, 18],
    ),
    para({ text: v(f.regime === 'nd152_2025' ? 'draft.minutes_rules_nd152' : 'draft.minutes_rules_nd98'), italics: true }, { indent: true, before: 80 }),
    heading(v('draft.minutes_conclusion')),
    para(v('draft.minutes_end'), { indent: true }),
    para('', { after: 160 }),
    sideBySide(signature(v('draft.sign_secretary'), v('draft.sign_hint'), BLANK), signature(v('draft.sign_chair'), v('draft.sign_hint'), BLANK), 50),
  ];
}

/** One draft as DOCX bytes. */
export async function renderDraft(kind: DraftKind, f: DraftFacts, votes: MinutesVotes | null = null): Promise<Buffer> {
  const body = kind === 'proposal' ? proposal(f) : kind === 'report' ? report(f) : kind === 'roster' ? roster(f) : minutes(f, votes);
  return pack(body, footer(kind, f));
}

/** The regime's decree as drafts cite it, for messages ("Nghị định 152/2025/NĐ-CP"). */
export const regimeLabel = (r: Regime) => v(r === 'nd152_2025' ? 'draft.regime_nd152' : 'draft.regime_nd98');
