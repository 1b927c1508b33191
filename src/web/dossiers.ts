import path from 'node:path';
import type express from 'express';
import { dossierCompleteness, formatVn, partsFor, REVIEW_STEPS, type Nomination } from '../domain/index.js';
import { documentName } from '../files.js';
import { DRAFT_KINDS, writeDraft, type DraftKind } from '../services/drafts/index.js';
import { writeCouncilZip } from '../services/export-zip.js';
import { beginDecision, decidable, decide, reviewable, waitingFor } from '../../flows/lib/review.js';
import { chainLines } from '../../flows/lib/chain.js';
import { dossierNumber, dossierTitle } from '../../flows/lib/dossier.js';
import { asDraftDossier } from '../../flows/lib/drafts.js';
import { BASE, csrfField, html } from './html.js';
import { yearOf } from './progress.js';
import { notFound, type DashboardDeps, type Viewer } from './viewer.js';

/**
 * Dossiers on the dashboard: the ones waiting for this person's step, each dossier with its
 * files and drafts, and accept / return with the chat's own rules and messages
 * (flows/lib/review.ts: beginDecision, decide), audited with the channel `web`.
 */

const dossierHref = (id: string) => `${BASE}/ho-so/${encodeURIComponent(id)}`;

export async function waitingPage(_deps: DashboardDeps, v: Viewer, _req: express.Request, res: express.Response): Promise<void> {
  const list = await waitingFor(v.ctx);
  const names = new Map<string, string>();
  for (const n of list) if (!names.has(n.unitId)) names.set(n.unitId, (await v.ctx.store.units.get(n.unitId))?.name ?? n.unitId);
  const items = list.map(
    (n) => html`<li><a href="${dossierHref(n.id)}">${v.t('review.pick_label', { number: dossierNumber(n), unit: names.get(n.unitId)!, nominee: n.nominee.name })}</a>
<span class="muted">${n.submittedAt ? formatVn(new Date(n.submittedAt), v.lang, true) : ''}</span></li>`,
  );
  res.type('html').send(v.page(v.t('web.waiting_title'), html`<h1>${v.t('web.waiting_title')}</h1>${list.length ? html`<ul class="list" id="waiting">${items}</ul>` : html`<p>${v.t('review.none_waiting')}</p>`}`));
}

/** The dossier, if it lies in what this person oversees (else the caller answers 404). */
async function visible(v: Viewer, id: string): Promise<Nomination | null> {
  const f = await reviewable(v.ctx, id);
  return f.ok ? f.n : null;
}

export async function dossierPage(_deps: DashboardDeps, v: Viewer, req: express.Request, res: express.Response): Promise<void> {
  const n = await visible(v, String(req.params.id));
  if (!n) return notFound(v, res);
  const { ctx } = v;
  const unit = await ctx.store.units.get(n.unitId);
  const c = dossierCompleteness(ctx.campaign, n, unit?.level ?? null);
  const parts = partsFor(ctx.campaign, { level: unit?.level ?? null, awardId: n.awardId, reviewId: n.reviewId }).map((p) => {
    const f = n.parts[p.id];
    if (f) return html`<li>✓ ${p.label[v.lang]}: <a href="${`${dossierHref(n.id)}/tep/${encodeURIComponent(p.id)}`}" download>${documentName(p.label[v.lang], f, `ho-so-${dossierNumber(n)}`)}</a></li>`;
    return html`<li>${p.required ? '✗' : '–'} ${p.label[v.lang]}: ${v.t(p.required ? 'review.part_missing' : 'review.part_optional')}</li>`;
  });
  const drafts = DRAFT_KINDS.map((k) => html`<li><a href="${`${dossierHref(n.id)}/du-thao/${k}`}" download>${v.t(`drafts.kind_${k}`)}</a></li>`);
  const d = await decidable(ctx, n.id);
  const step = d.ok ? d.at.step.step : '';
  const forms = d.ok
    ? html`<h2>${v.t('web.decide_title')}</h2>
${c.complete ? '' : html`<p class="warn">${v.t('review.incomplete_warning', { parts: c.missingRequired.map((p) => p.label[v.lang]).join('; ') })}</p>`}
<form method="post" action="${`${dossierHref(n.id)}/quyet-dinh`}" class="decide">${csrfField(v.session.csrf)}<input type="hidden" name="step" value="${step}"><input type="hidden" name="decision" value="accept"><button type="submit" id="accept">${v.t('review.action_accept')}</button></form>
<form method="post" action="${`${dossierHref(n.id)}/quyet-dinh`}" class="decide">${csrfField(v.session.csrf)}<input type="hidden" name="step" value="${step}"><input type="hidden" name="decision" value="return">
<label>${v.t('web.return_reason')}<textarea name="reason" maxlength="1000" required></textarea></label><button type="submit" id="return">${v.t('review.action_return')}</button></form>`
    : html`<p class="muted">${n.status === 'submitted' ? d.error : v.t(`status.dossier_${n.status}`)}</p>`;
  const lines = [
    v.t('review.unit_line', { unit: unit?.name ?? n.unitId }),
    n.submittedAt ? v.t('review.submitted_line', { year: n.year, date: formatVn(new Date(n.submittedAt), v.lang, true) }) : v.t('review.not_submitted_line', { year: n.year }),
    v.t('review.summary_line', { text: n.summary || v.t('common.none') }),
    ...(n.status === 'returned' && n.returnReason ? [v.t('review.last_reason', { reason: n.returnReason })] : []),
    ...(await chainLines(ctx, n)),
  ];
  res.type('html').send(
    v.page(
      dossierTitle(ctx, n),
      html`<h1>${dossierTitle(ctx, n)}</h1><p><span class="badge">${v.t(`status.dossier_${n.status}`)}</span></p>
<div class="facts">${lines.map((l) => html`<p>${l}</p>`)}</div>
<h2>${v.t('review.parts_header')}</h2><ul>${parts}</ul>
<h2>${v.t('web.drafts_title')}</h2><ul>${drafts}</ul>${forms}`,
    ),
  );
}

/** One stored part of a visible dossier, under the name staff see in the chat. */
export async function partFile(deps: DashboardDeps, v: Viewer, req: express.Request, res: express.Response): Promise<void> {
  const n = await visible(v, String(req.params.id));
  const partId = String(req.params.part);
  const f = n && Object.prototype.hasOwnProperty.call(n.parts, partId) ? n.parts[partId] : undefined;
  if (!n || !f) return notFound(v, res);
  const label = deps.campaign.dossierParts.find((p) => p.id === partId)?.label[v.lang] ?? partId;
  await deps.store.audit.record(v.ctx.actor, 'web.download_part', 'nomination', n.id, { part: partId });
  res.download(deps.files.absolute(f), documentName(label, f, `ho-so-${dossierNumber(n)}`));
}

/** A draft (Word) made from a visible dossier's facts, as the chat's "Tạo bản dự thảo" makes it. */
export async function draftFile(deps: DashboardDeps, v: Viewer, req: express.Request, res: express.Response): Promise<void> {
  const n = await visible(v, String(req.params.id));
  const kind = String(req.params.kind) as DraftKind;
  if (!n || !DRAFT_KINDS.includes(kind)) return notFound(v, res);
  const file = await writeDraft({ store: deps.store, files: deps.files, campaign: deps.campaign }, kind, asDraftDossier(n), deps.now());
  await deps.store.audit.record(v.ctx.actor, 'web.download_draft', 'nomination', n.id, { kind });
  res.download(deps.files.absolute(file), file.name);
}

/** Accept or return from the page: the chat's decision (same checks, same officer message), audited with channel `web`. */
export async function decideFromPage(_deps: DashboardDeps, v: Viewer, req: express.Request, res: express.Response): Promise<void> {
  const n = await visible(v, String(req.params.id));
  if (!n) return notFound(v, res);
  const body = (req.body ?? {}) as Record<string, unknown>;
  const returning = body.decision === 'return';
  const reason = typeof body.reason === 'string' ? body.reason.trim().slice(0, 1000) : '';
  const step = REVIEW_STEPS.find((s) => s === body.step);
  const ctx = { ...v.ctx, args: n.id };
  const begun = await beginDecision(ctx);
  let text: string;
  if (begun.refuse || !begun.data) text = begun.refuse ?? v.t('error.not_allowed');
  else if (!step || (body.decision !== 'accept' && !returning)) text = v.t('web.bad_form');
  else if (returning && !reason) text = v.t('web.reason_needed');
  // The step the page showed, not the one it is at now: a dossier moved meanwhile is refused (review.stale_step).
  else text = (await decide(ctx, { ...begun.data, step, ...(returning && { reason }) }, returning ? 'returned' : 'accepted')).map((r) => r.text).join('\n');
  res.type('html').send(
    v.page(
      v.t('web.decision_title'),
      html`<h1>${v.t('web.decision_title')}</h1><div class="result" id="result">${text.split('\n').map((l) => html`<p>${l}</p>`)}</div>
<p><a href="${dossierHref(n.id)}">${v.t('web.back_to_dossier')}</a> · <a href="${`${BASE}/cho-duyet`}">${v.t('web.nav_waiting', { count: (await waitingFor(v.ctx)).length })}</a></p>`,
    ),
  );
}

/** The council pack (workbook and dossier files, services/export-zip.ts) of this person's scope for one year. */
export async function councilPack(deps: DashboardDeps, v: Viewer, req: express.Request, res: express.Response): Promise<void> {
  const year = yearOf(v, req.query.nam);
  const unit = v.office ? await deps.store.units.get(v.office) : null;
  const now = deps.now();
  const base = `${deps.campaign.id}-${year}-${unit?.code ?? 'all'}`;
  const rel = path.join('exports', `${base}-${now.toISOString().replace(/[-:]/g, '').slice(0, 15)}-web.zip`);
  await writeCouncilZip(deps.store, deps.files, deps.campaign, v.office, year, v.lang, now, deps.files.absolute({ path: rel }), `${base}.xlsx`);
  await deps.store.audit.record(v.ctx.actor, 'web.download_pack', 'campaign', deps.campaign.id, { year, office: v.office });
  res.download(deps.files.absolute({ path: rel }), `${base}.zip`);
}
