import { defineFlow, type FlowContext } from '../src/engine/flow.js';
import type { IndicatorReport, Nomination, Registration, Subject } from '../src/domain/entities.js';
import { deadlineYears, dossierCompleteness, formatVn, isLate, judgeReport, nextDeadline, predecessors, reportDeadline, reportDueDay } from '../src/domain/index.js';
import { unitNamer } from '../src/services/unit-names.js';
import { allDeadlinesPassed, campaignYearsAll, deadlineSourceNote, deadlineWhen, shownYears, yearArg } from '../src/services/deadlines.js';
import { flowLink } from './links.js';
import { actingUnit, isParticipant } from '../src/domain/roles.js';
import { may } from './lib/access.js';
import { label } from './lib/common.js';
import { badYearText } from './lib/staff.js';
import { dossierNumber } from './lib/dossier.js';
import { dossierState } from './lib/chain.js';

interface YearState {
  registration: Registration | null;
  report: IndicatorReport | null;
  nominations: Nomination[];
  /** What the units merged into this one did that year (their history counts here). */
  former: { name: string; registration: Registration | null; report: IndicatorReport | null; nominations: Nomination[] }[];
}

/**
 * Tình trạng: for each reporting year with something due or submitted (or the year typed
 * after /tinhtrang), what this unit or person registered, reported and nominated; then
 * the next deadline, or once that every deadline has passed.
 */
/** At most this many dossiers get a button of their own under the status. */
const MAX_DOSSIER_BUTTONS = 3;

async function statusLines(ctx: FlowContext, open: Nomination[]): Promise<string[]> {
  const { identity, store, campaign } = ctx;
  const pick = yearArg(campaign, ctx.args);
  if (pick.bad !== undefined) return [badYearText(ctx, '/tinhtrang', pick.bad)];
  const unitId = actingUnit(identity);
  const unit = unitId ? await store.units.get(unitId) : null;
  const subject: Subject | null = unit
    ? { type: 'unit', unitId: unit.id }
    : identity.personId
      ? { type: 'person', personId: identity.personId }
      : null;
  const all = unit ? await store.units.all() : [];
  const formerUnits = unit ? predecessors(unit.id, all) : [];
  const name = unitNamer(ctx.lang, all);
  const states = new Map<number, YearState>();
  for (const year of pick.year !== undefined ? [pick.year] : campaignYearsAll(campaign)) {
    const former = [];
    for (const u of formerUnits) {
      const f = {
        name: name(u.id),
        registration: await store.registrations.get(campaign.id, year, { type: 'unit', unitId: u.id }),
        report: await store.reports.get(campaign.id, year, u.id),
        nominations: await store.nominations.listByUnit(campaign.id, year, u.id),
      };
      if (f.registration || f.report || f.nominations.length) former.push(f);
    }
    states.set(year, {
      registration: subject ? await store.registrations.get(campaign.id, year, subject) : null,
      report: unit ? await store.reports.get(campaign.id, year, unit.id) : null,
      nominations: unit ? await store.nominations.listByUnit(campaign.id, year, unit.id) : [],
      former,
    });
  }
  const active = new Set([...states].filter(([, s]) => s.registration || s.report || s.nominations.length || s.former.length).map(([y]) => y));
  const years = pick.year !== undefined ? [pick.year] : shownYears(campaign, ctx.now, active);
  const passed = allDeadlinesPassed(campaign, ctx.now);

  const lines = [ctx.t('status.header', { who: unit ? name(unit.id) : ctx.t('status.you') })];
  if (passed) lines.push(ctx.t('status.no_deadline'));
  for (const year of years) {
    const s = states.get(year)!;
    lines.push(ctx.t('status.year', { year }));
    for (const f of s.former) {
      const items = [
        ...(f.registration ? [ctx.t('status.former_registered', { count: f.registration.contentAreas.length })] : []),
        ...(f.report ? [ctx.t('status.former_report', { date: formatVn(new Date(f.report.submittedAt), ctx.lang, true) })] : []),
        ...(f.nominations.length ? [ctx.t('status.former_dossiers', { count: f.nominations.length })] : []),
      ];
      lines.push(ctx.t('status.former', { name: f.name, items: items.join(', ') }));
    }
    // A year only the former units were active in: their lines say it all.
    if (s.former.length && !s.registration && !s.report && s.nominations.length === 0) continue;
    lines.push(s.registration ? ctx.t('status.registered', { count: s.registration.contentAreas.length }) : ctx.t('status.not_registered'));
    if (!unit) continue;
    if (s.report) {
      const verdict = judgeReport(campaign, unit.level, s.report.values);
      lines.push(
        ctx.t(s.report.late ? 'status.report_late' : 'status.report', {
          date: formatVn(new Date(s.report.submittedAt), ctx.lang, true),
          verdict: ctx.t(verdict.passed ? 'report.all_met' : 'status.report_not_all_met'),
        }),
      );
    } else if (!passed && deadlineYears(campaign, 'report').includes(year) && isLate(ctx.now, reportDeadline(campaign, year))) {
      lines.push(ctx.t('status.no_report_passed', { when: deadlineWhen(ctx.lang, ctx.now, reportDueDay(campaign, year)) }));
    } else lines.push(ctx.t('status.no_report'));
    if (s.nominations.length === 0) lines.push(ctx.t('status.no_nominations'));
    for (const n of s.nominations) {
      const c = dossierCompleteness(campaign, n, unit.level);
      if (n.status !== 'accepted' && (!c.complete || n.status !== 'submitted')) open.push(n);
      const missing = c.missingRequired.map((p) => label(ctx, p.label)).join('; ');
      const state = (await dossierState(ctx, n)) + (n.lateAt && n.status !== 'draft' ? ` (${ctx.t('status.dossier_late')})` : '');
      lines.push(
        // By number, as its button ("Hoàn thiện hồ sơ số 1") and staff (/hoso 1) name it.
        ctx.t('status.nomination', { number: dossierNumber(n), name: n.nominee.name, status: state }) +
          (missing && n.status !== 'accepted' ? ` — ${ctx.t('status.missing', { parts: missing })}` : '') +
          (n.status === 'returned' && n.returnReason ? ` — ${ctx.t('status.return_reason', { reason: n.returnReason })}` : ''),
      );
    }
  }
  const next = nextDeadline(campaign, ctx.now);
  if (next)
    lines.push(ctx.t('status.next_deadline', { what: ctx.t(`deadline.${next.kind}`), year: next.year, when: deadlineWhen(ctx.lang, ctx.now, next.dueDay) + deadlineSourceNote(ctx.lang, campaign, next.kind) }));
  return lines;
}

/** Tình trạng: what this unit (or person) has registered, reported and nominated, year by year, and the next deadline. */
export const status = defineFlow({
  id: 'status',
  title: 'status.title',
  command: '/tinhtrang',
  available: may(isParticipant),
  async render(ctx) {
    // Each dossier still to act on (missing parts, returned, draft) gets a button straight into it.
    const open: Nomination[] = [];
    const text = (await statusLines(ctx, open)).join('\n');
    const choices = open.slice(0, MAX_DOSSIER_BUTTONS).flatMap((n) => [
      { payload: flowLink('nominate', n.id), label: ctx.t('status.action_dossier', { number: dossierNumber(n) }) },
      { payload: flowLink('draft', n.id), label: ctx.t('status.action_draft', { number: dossierNumber(n) }) },
    ]);
    return [choices.length ? { text, choices } : { text }];
  },
});
