import type express from 'express';
import { dossierNumber, isInScope, judgeReport, type Unit } from '../domain/index.js';
import { levelName } from '../i18n.js';
import { campaignYearsAll } from '../services/deadlines.js';
import { campaignYears } from '../../flows/lib/common.js';
import { officeOverview, type UnitProgress } from '../services/overview.js';
import { BASE, html, Html, select } from './html.js';
import { notFound, type DashboardDeps, type Viewer } from './viewer.js';

/**
 * Tiến độ: per reporting year, the units this person oversees — registration, report,
 * dossiers — as the figures of /thongke (services/overview.ts officeOverview), with
 * filters by level and office, a sortable table and each unit's record page.
 */

/** The year asked for (`?nam=`), else the one /xuat would take (this year, else the latest past one). */
export function yearOf(v: Viewer, q: unknown): number {
  const asked = Number(q);
  return campaignYearsAll(v.ctx.campaign).includes(asked) ? asked : campaignYears(v.ctx)[0]!;
}

/** Totals of the table, the same counts /thongke gives (complete = dossiers without a missing required part). */
export function totals(rows: UnitProgress[]) {
  const sum = (f: (r: UnitProgress) => number) => rows.reduce((s, r) => s + f(r), 0);
  return {
    units: rows.length,
    registered: rows.filter((r) => r.registered).length,
    reported: rows.filter((r) => r.reported).length,
    dossiers: sum((r) => r.nominations),
    complete: sum((r) => r.nominations - r.incomplete.length),
    incomplete: sum((r) => r.incomplete.length),
    returned: sum((r) => r.byStatus.returned),
    accepted: sum((r) => r.byStatus.accepted),
  };
}

/** The rows the viewer asked for: the office's overview (their own, or one inside their scope), then the level. */
export async function progressRows(deps: DashboardDeps, v: Viewer, year: number, office: string | null, level: string): Promise<UnitProgress[]> {
  const rows = await officeOverview(deps.store, deps.campaign, office, year, v.lang);
  return rows.filter((r) => isInScope(v.scope, r.unit.id) && (!level || r.unit.level === level));
}

export async function progressPage(deps: DashboardDeps, v: Viewer, req: express.Request, res: express.Response): Promise<void> {
  const { campaign } = deps;
  const year = yearOf(v, req.query.nam);
  const all = await officeOverview(deps.store, campaign, v.office, year, v.lang);
  // Offices to narrow to: the viewer's own, and each unit in their scope that has units of the table under it.
  const parents = new Map<string, Unit>();
  for (const id of new Set(all.map((r) => r.unit.parentId).filter((p): p is string => !!p && p !== v.office && isInScope(v.scope, p)))) {
    const u = await deps.store.units.get(id);
    if (u) parents.set(u.id, u);
  }
  const askedOffice = typeof req.query['don-vi'] === 'string' && parents.has(req.query['don-vi']) ? req.query['don-vi'] : '';
  const level = typeof req.query.cap === 'string' && campaign.unitLevels.includes(req.query.cap) ? req.query.cap : '';
  const rows = askedOffice ? await progressRows(deps, v, year, askedOffice, level) : all.filter((r) => !level || r.unit.level === level);
  const sum = totals(rows);
  const yes = (b: boolean) => (b ? '✓' : '✗');
  const levels = [...new Set(all.map((r) => r.unit.level))];
  const filters = html`<form method="get" action="${BASE}" class="filters">
${select('nam', v.t('web.filter_year'), campaignYearsAll(campaign).map((y) => ({ value: String(y), label: String(y) })), String(year))}
${select('cap', v.t('web.filter_level'), [{ value: '', label: v.t('web.all') }, ...levels.map((l) => ({ value: l, label: levelName(campaign, l, v.lang) }))], level)}
${select('don-vi', v.t('web.filter_office'), [{ value: '', label: v.t('web.all') }, ...[...parents.values()].sort((a, b) => a.name.localeCompare(b.name, 'vi')).map((u) => ({ value: u.id, label: u.name }))], askedOffice)}
<button type="submit">${v.t('web.filter_apply')}</button></form>`;
  const card = (label: string, value: string, id: string) => html`<div class="card" data-figure="${id}"><div class="n">${value}</div><div>${label}</div></div>`;
  const cards = html`<div class="cards">
${card(v.t('web.fig_registered'), `${sum.registered}/${sum.units}`, 'registered')}
${card(v.t('web.fig_reported'), `${sum.reported}/${sum.units}`, 'reported')}
${card(v.t('web.fig_complete'), `${sum.complete}/${sum.dossiers}`, 'complete')}
${card(v.t('web.fig_incomplete'), String(sum.incomplete), 'incomplete')}
${card(v.t('web.fig_returned'), String(sum.returned), 'returned')}
${card(v.t('web.fig_accepted'), String(sum.accepted), 'accepted')}</div>`;
  // The same picture /thongke sends (services/charts), as SVG: ECharts escapes the names it draws.
  const officeName = (askedOffice ? parents.get(askedOffice)?.name : v.office ? (await deps.store.units.get(v.office))?.name : null) ?? null;
  // Loaded on first use: the renderer is ~70 MB that a worker process (which builds the app too) never needs.
  const { progressChartSvg, yearChartOptions } = await import('../services/charts/index.js');
  const svg = rows.length ? progressChartSvg(rows, yearChartOptions({ campaign, officeName, year, lang: v.lang, now: deps.now(), rows })) : '';
  const chart = svg ? html`<figure class="chart" id="chart-slot">${new Html(svg)}</figure>` : '';
  const head = (key: Parameters<Viewer['t']>[0], type: 'text' | 'num') => html`<th data-type="${type}"><button type="button" class="sort">${v.t(key)}</button></th>`;
  const reported = (r: UnitProgress) => (r.reported ? (r.reportLate ? v.t('overview.late') : '✓') : '✗');
  const passed = (r: UnitProgress) => (r.reportPassed === null ? '—' : r.reportPassed ? v.t('web.passed') : v.t('web.not_passed'));
  const body = rows.map(
    (r) => html`<tr data-unit="${r.unit.id}">
<td data-v="${r.name}"><a href="${`${BASE}/don-vi/${encodeURIComponent(r.unit.id)}?nam=${year}`}">${r.name}</a></td>
<td data-v="${levelName(campaign, r.unit.level, v.lang)}">${levelName(campaign, r.unit.level, v.lang)}</td>
<td data-v="${Number(r.registered)}">${yes(r.registered)}</td>
<td data-v="${r.reported ? (r.reportLate ? 1 : 2) : 0}">${reported(r)}</td>
<td data-v="${r.reportPassed === null ? -1 : Number(r.reportPassed)}">${passed(r)}</td>
<td data-v="${r.nominations ? (r.nominations - r.incomplete.length) / r.nominations : -1}">${r.nominations === 0 ? '—' : `${r.nominations - r.incomplete.length}/${r.nominations}`}</td>
<td data-v="${r.byStatus.returned}">${r.byStatus.returned}</td>
<td data-v="${r.byStatus.accepted}">${r.byStatus.accepted}</td></tr>`,
  );
  const table = rows.length
    ? html`<div class="scroll"><table class="sortable" id="progress"><thead><tr>${head('web.col_unit', 'text')}${head('web.col_level', 'text')}${head('web.col_registered', 'num')}${head('web.col_reported', 'num')}${head('web.col_passed', 'num')}${head('web.col_dossiers', 'num')}${head('web.col_returned', 'num')}${head('web.col_accepted', 'num')}</tr></thead><tbody>${body}</tbody></table></div>`
    : html`<p>${v.t('web.no_units')}</p>`;
  const pack = html`<p><a class="button" href="${`${BASE}/tai-ve?nam=${year}`}">${v.t('web.pack_download', { year })}</a></p>`;
  res.type('html').send(v.page(v.t('web.progress_title', { year }), html`<h1>${v.t('web.progress_title', { year })}</h1>${filters}${cards}${chart}${table}${pack}`));
}

/** A unit's record for one year: its registration, its report against the standard, its dossiers. */
export async function unitPage(deps: DashboardDeps, v: Viewer, req: express.Request, res: express.Response): Promise<void> {
  const { store, campaign } = deps;
  const id = String(req.params.id);
  const unit = isInScope(v.scope, id) ? await store.units.get(id) : null;
  if (!unit) return notFound(v, res);
  const year = yearOf(v, req.query.nam);
  const reg = await store.registrations.get(campaign.id, year, { type: 'unit', unitId: unit.id });
  const report = await store.reports.get(campaign.id, year, unit.id);
  const dossiers = await store.nominations.listByUnit(campaign.id, year, unit.id);
  const areas = (reg?.contentAreas ?? []).map((a) => campaign.contentAreas.find((c) => c.id === a)?.label[v.lang] ?? a);
  const regPart = reg ? html`<p>${v.t('web.registered_on', { areas: areas.join('; ') })}</p>${reg.commitments ? html`<p>${reg.commitments}</p>` : ''}` : html`<p>${v.t('web.not_registered')}</p>`;
  let reportPart = html`<p>${v.t('web.not_reported')}</p>`;
  if (report) {
    const verdict = judgeReport(campaign, unit.level, report.values);
    const lines = verdict.indicators.map((i) => html`<tr><td>${i.label[v.lang]}</td><td>${i.value === null ? '—' : `${i.value}%`}</td><td>≥ ${i.min}%</td><td>${i.passed ? '✓' : '✗'}</td></tr>`);
    reportPart = html`<div class="scroll"><table><thead><tr><th>${v.t('web.col_indicator')}</th><th>${v.t('web.col_value')}</th><th>${v.t('web.col_standard')}</th><th>${v.t('web.col_met')}</th></tr></thead><tbody>${lines}</tbody></table></div><p>${verdict.passed ? v.t('web.passed') : v.t('web.not_passed')}${report.late ? ` · ${v.t('overview.late')}` : ''}</p>`;
  }
  const list = dossiers.map(
    (n) => html`<li><a href="${`${BASE}/ho-so/${encodeURIComponent(n.id)}`}">${v.t('web.dossier_line', { number: dossierNumber(n), nominee: n.nominee.name, status: v.t(`status.dossier_${n.status}`) })}</a></li>`,
  );
  res.type('html').send(
    v.page(
      unit.name,
      html`<h1>${unit.name}</h1><p class="muted">${levelName(campaign, unit.level, v.lang)} · ${v.t('web.year', { year })}</p>
<h2>${v.t('web.section_registration')}</h2>${regPart}
<h2>${v.t('web.section_report')}</h2>${reportPart}
<h2>${v.t('web.section_dossiers')}</h2>${dossiers.length ? html`<ul>${list}</ul>` : html`<p>${v.t('web.no_dossiers')}</p>`}`,
    ),
  );
}
