import { planSays, type Campaign, type Localized, type Provenance } from '../../campaign/schema.js';
import {
  campaignDeadlines,
  formatCivilDate,
  formatVn,
  partsFor,
  reminderSchedule,
  staffAlertSchedule,
  type CivilDate,
  type Lang,
} from '../../domain/index.js';
import { t, tDynamic, type MsgKey } from '../../i18n.js';
import { chainStepShape, hierarchyShape, officeShape, type ContractExtras } from './contract.js';

/**
 * What officers and staff will see, in plain words, for campaign:check and campaign:new:
 * the deadlines of each reporting year in date order (Vietnam time) with their reminder
 * days, standards per level, quotas per award and review, the dossier parts each dossier
 * is asked, who reviews, and which values are the campaign's own choice. Lines of text.
 */
export function summarize(c: Campaign, extras: ContractExtras, lang: Lang): string[] {
  const tr = (key: MsgKey, params?: Record<string, string | number>) => t(lang, key, params);
  const L = (l: Localized) => l[lang];
  // One mark, explained once, rather than the same words after every value.
  const own = (p: Provenance) => (planSays(p) ? '' : ' (*)');
  const levelName = levelNamer(extras, lang);
  const day = (d: CivilDate) => formatCivilDate(d, lang);
  const out: string[] = [];

  out.push(tr('check.sum_title', { name: L(c.name) }), tr('check.sum_legend'));
  out.push(
    tr('check.sum_issuer', { issuer: L(c.issuer.name), level: levelName(c.issuer.level) }) +
      (c.issuer.document ? ` — ${c.issuer.document}` : '') +
      (c.issuer.date ? ` (${c.issuer.date.split('-').reverse().join('/')})` : ''),
  );
  out.push(tr('check.sum_period', { from: c.period.from, to: c.period.to, years: c.reportingYears.join(', ') }));
  out.push(tr('check.sum_collectives', { levels: c.participants.collectives.map(levelName).join('; ') }));
  out.push(tr('check.sum_individuals', { kinds: c.participants.individuals.map((k) => tDynamic(lang, `kind.${k}`)).join('; ') }));
  out.push(...hierarchyLines(extras, tr, levelName));

  out.push('', tr('check.sum_deadlines', { time: c.deadlines.reminderTime }));
  const reminders = reminderSchedule(c);
  const alerts = staffAlertSchedule(c);
  const years = [...new Set(campaignDeadlines(c).map((d) => d.year))].sort((a, b) => a - b);
  for (const year of years) {
    out.push(tr('check.sum_year', { year }));
    for (const d of campaignDeadlines(c).filter((x) => x.year === year)) {
      const days = reminders.filter((r) => r.kind === d.kind && r.year === year).map((r) => formatVn(r.at, lang));
      const source = d.kind === 'registration' ? c.deadlines.registration.source : c.deadlines[d.kind].source;
      out.push(`  • ${day(d.dueDay)}: ${tr(`check.deadline_${d.kind}`)}${own(source)}`);
      if (days.length) out.push(`    ${tr('check.sum_reminders', { days: days.join(', ') })}`);
      if (d.kind === 'dossier') {
        const staff = alerts.filter((a) => a.year === year).map((a) => formatVn(a.at, lang));
        if (staff.length) out.push(`    ${tr('check.sum_staff_alerts', { days: staff.join(', ') })}`);
      }
    }
  }
  const undated = c.awards.flatMap((a) => a.reviews.filter((r) => r.kind === 'ad_hoc').map((r) => `${L(a.label)} — ${L(r.label)}`));
  if (undated.length) out.push(tr('check.sum_any_time', { awards: undated.join('; ') }));

  out.push('', tr('check.sum_standards'));
  for (const level of c.participants.collectives) {
    const s = c.standards.find((x) => x.level === level);
    if (!s) {
      out.push(`  ${levelName(level)}: ${tr('check.sum_no_standard')}`);
      continue;
    }
    out.push(`  ${levelName(level)}:`);
    for (const i of s.indicators) out.push(`    • ${L(i.label)}: ${i.min >= 100 ? '100%' : tr('check.sum_min', { min: i.min })}${own(i.source)}`);
  }

  out.push('', tr('check.sum_awards'));
  for (const a of c.awards)
    for (const r of a.reviews) {
      const when = r.year === null ? tr(r.kind === 'ad_hoc' ? 'check.sum_any_time_short' : 'check.sum_every_year') : tr('check.sum_in_year', { year: r.year });
      const q = (n: number | null) => (n === null ? tr('check.sum_no_limit') : String(n));
      out.push(`  • ${L(a.label)} — ${L(r.label)} (${when}): ${tr('check.sum_quota', { collective: q(r.quota.collective), individual: q(r.quota.individual) })}${own(r.source)}`);
      const chain = extras.chains.get(`${c.awards.indexOf(a)}.${a.reviews.indexOf(r)}`);
      if (chain !== undefined) out.push(...chainLines(chain, extras, tr, L));
    }

  out.push('', tr('check.sum_parts'));
  out.push(...partLines(c, tr, L, own, levelName));

  out.push('', tr('check.sum_offices'));
  out.push(`  ${tr('check.sum_standing', { name: L(c.standingOffice.name), level: levelName(c.standingOffice.level) })}${own(c.standingOffice.source)}`);
  out.push(`  ${tr('check.sum_appraisal', { name: L(c.appraisalOffice.name), level: levelName(c.appraisalOffice.level) })}${own(c.appraisalOffice.source)}`);
  out.push(...officeLines(extras, tr, L));

  const chosen = ownChoices(c, lang);
  out.push('', chosen.length ? tr('check.sum_own_choices', { count: chosen.length }) : tr('check.sum_all_quoted'));
  for (const x of chosen) out.push(`  • ${x}`);
  return out;
}

/** Level ids as users read them: the campaign's hierarchy labels, else the built-in ones, else the id. */
function levelNamer(extras: ContractExtras, lang: Lang): (id: string) => string {
  const h = hierarchyShape.safeParse(extras.hierarchy);
  const labels = new Map(h.success ? h.data.levels.flatMap((l) => (l.label ? [[l.id, l.label[lang]] as const] : [])) : []);
  return (id) => labels.get(id) ?? (tDynamic(lang, `level.${id}`) === `level.${id}` ? id : tDynamic(lang, `level.${id}`));
}

type Tr = (key: MsgKey, params?: Record<string, string | number>) => string;

function hierarchyLines(extras: ContractExtras, tr: Tr, levelName: (id: string) => string): string[] {
  if (extras.hierarchy === undefined) return [];
  const h = hierarchyShape.safeParse(extras.hierarchy);
  if (!h.success) return [tr('check.sum_hierarchy_unreadable')];
  const parents = h.data.parents ?? {};
  const tree = h.data.levels.map((l) => {
    const ps = parents[l.id] ?? [];
    return ps.length ? tr('check.sum_under', { level: levelName(l.id), parents: ps.map(levelName).join(', ') }) : levelName(l.id);
  });
  return [tr('check.sum_hierarchy', { tree: tree.join('; ') })];
}

function officeLines(extras: ContractExtras, tr: Tr, L: (l: Localized) => string): string[] {
  if (extras.offices === undefined) return [];
  const offices = officeShape.array().safeParse(extras.offices);
  if (!offices.success) return [`  ${tr('check.sum_offices_unreadable')}`];
  return offices.data.map((o) => `  ${tr('check.sum_office', { id: o.id, name: L(o.name) })}`);
}

function chainLines(chain: unknown, extras: ContractExtras, tr: Tr, L: (l: Localized) => string): string[] {
  const steps = chainStepShape.array().safeParse(chain);
  if (!steps.success) return [`    ${tr('check.sum_chain_unreadable')}`];
  const offices = officeShape.array().safeParse(extras.offices);
  const name = (id: string) => (offices.success ? offices.data.find((o) => o.id === id)?.name : undefined);
  // A step the plan has none of (office null) is not a review step anyone takes.
  return steps.data.flatMap((s) => {
    if (s.office === null) return [];
    const office = name(s.office);
    const step = ['receive', 'appraise', 'propose'].includes(s.step) ? tr(`check.step_${s.step as 'receive' | 'appraise' | 'propose'}`) : s.step;
    return [`    ${step}: ${office ? L(office) : tr('check.sum_unknown_office', { id: s.office })}${s.authority ? ` → ${L(s.authority)}` : ''}`];
  });
}

/**
 * The dossier parts: one list when every dossier is asked the same; otherwise per award
 * and review, and per proposing level where the levels differ.
 */
function partLines(c: Campaign, tr: Tr, L: (l: Localized) => string, own: (p: Provenance) => string, levelName: (id: string) => string): string[] {
  const list = (parts: Campaign['dossierParts']) => parts.map((p) => `${L(p.label)}${p.required ? '' : ` (${tr('check.sum_optional')})`}${own(p.source)}`).join('; ');
  if (c.dossierParts.every((p) => !p.appliesTo)) return [`  ${tr('check.sum_parts_all')}: ${list(c.dossierParts)}`];
  const out: string[] = [];
  for (const a of c.awards)
    for (const r of a.reviews) {
      const byLevel = c.participants.collectives.map((level) => ({ level, parts: partsFor(c, { level, awardId: a.id, reviewId: r.id }) }));
      const same = byLevel.every((x) => x.parts.length === byLevel[0]!.parts.length && x.parts.every((p, i) => p === byLevel[0]!.parts[i]));
      out.push(`  • ${L(a.label)} — ${L(r.label)}:`);
      if (same) out.push(`      ${list(byLevel[0]?.parts ?? [])}`);
      else for (const x of byLevel) out.push(`      ${levelName(x.level)}: ${list(x.parts)}`);
    }
  return out;
}

/** Every value without a quote from the plan, by field and what it is. */
export function ownChoices(c: Campaign, lang: Lang): string[] {
  const out: string[] = [];
  const at = (path: string, p: Provenance, what: string) => {
    if (!planSays(p)) out.push(`${path}: ${what}`);
  };
  at('issuer.source', c.issuer.source, c.issuer.name.vi);
  at('participants.source', c.participants.source, c.participants.collectives.join(', '));
  c.standards.forEach((s, si) => s.indicators.forEach((i, ii) => at(`standards[${si}].indicators[${ii}]`, i.source, `${s.level}: ${i.label.vi} ≥ ${i.min}%`)));
  c.awards.forEach((a, ai) => a.reviews.forEach((r, ri) => at(`awards[${ai}].reviews[${ri}]`, r.source, `${a.label.vi} — ${r.label.vi}`)));
  c.dossierParts.forEach((p, pi) => {
    at(`dossierParts[${pi}]`, p.source, p.label.vi);
    if (p.appliesTo) at(`dossierParts[${pi}].appliesTo`, p.appliesTo.source, `${p.label.vi}: ${t(lang, 'check.sum_scope')}`);
  });
  for (const k of ['report', 'dossier', 'registration'] as const) at(`deadlines.${k}`, c.deadlines[k].source, t(lang, `check.deadline_${k}`));
  at('standingOffice', c.standingOffice.source, c.standingOffice.name.vi);
  at('appraisalOffice', c.appraisalOffice.source, c.appraisalOffice.name.vi);
  return out;
}
