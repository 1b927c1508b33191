import { z } from 'zod';
import type { FlowContext } from '../../src/engine/flow.js';
import type { Identity, Nomination, Unit } from '../../src/domain/entities.js';
import type { Reply } from '../../src/engine/types.js';
import { actingUnit, canReview, dossierCompleteness, lastStep, REVIEW_STEPS } from '../../src/domain/index.js';
import { t as translate } from '../../src/i18n.js';
import { flowLink } from '../links.js';
import { isStoreError } from '../../src/store/index.js';
import { reviewScopeHere } from './access.js';
import { mayDecideHere, officeName, waitingAt, waitingText, type Waiting } from './chain.js';
import { campaignYears, label } from './common.js';
import { dossierNames, dossierNumber, nominationId } from './dossier.js';

/** Who may see which dossier, and the accept / return decision shared by flows/review_accept.ts and flows/review_return.ts. */


export type Found = { ok: true; n: Nomination; unit: Unit | null } | { ok: false; error: string };

/** The dossier `raw` names, if it exists in this campaign and lies in what the reviewer oversees (services/scope.ts). */
export async function reviewable(ctx: FlowContext, raw: string | undefined): Promise<Found> {
  const id = nominationId(raw);
  const n = id ? await ctx.store.nominations.get(id) : null;
  if (!n || n.campaignId !== ctx.campaign.id) return { ok: false, error: ctx.t('review.not_found', { id: id ? id.slice(2) : (raw ?? '').slice(0, 20) }) };
  if (!canReview(ctx.identity, await reviewScopeHere(ctx), n.unitId)) return { ok: false, error: ctx.t('review.out_of_scope', { number: dossierNumber(n) }) };
  return { ok: true, n, unit: await ctx.store.units.get(n.unitId) };
}

/** Dossiers waiting for this reviewer's decision (at a step of their office; admins: every step), oldest submission first: /hoso and the dashboard. */
export async function waitingFor(ctx: FlowContext): Promise<Nomination[]> {
  const scope = await reviewScopeHere(ctx);
  const all: Nomination[] = [];
  for (const year of campaignYears(ctx)) all.push(...(await ctx.store.nominations.list(ctx.campaign.id, year)));
  const mine: Nomination[] = [];
  for (const n of all.filter((x) => x.status === 'submitted' && canReview(ctx.identity, scope, x.unitId))) {
    const at = await waitingAt(ctx.store, ctx.campaign, n);
    if (at && mayDecideHere(ctx, at, true)) mine.push(n);
  }
  return mine.sort((a, b) => (a.submittedAt ?? '').localeCompare(b.submittedAt ?? ''));
}

type Decidable = { ok: true; n: Nomination; unit: Unit | null; at: Waiting } | { ok: false; error: string };

/** Why this user may not decide at the dossier's step (null: they may). */
export function notYours(ctx: FlowContext, n: Nomination, at: Waiting, inScope: boolean): string | null {
  if (mayDecideHere(ctx, at, inScope)) return null;
  return ctx.t('review.not_your_step', { number: dossierNumber(n), step: ctx.t(`chain.step_${at.step.step}`), office: officeName(ctx.lang, at) || ctx.t('chain.no_office') });
}

/** reviewable(), still waiting for a decision, at a step this user decides. */
export async function decidable(ctx: FlowContext, raw: string | undefined): Promise<Decidable> {
  const f = await reviewable(ctx, raw);
  if (!f.ok) return f;
  const at = await waitingAt(ctx.store, ctx.campaign, f.n);
  if (!at) return { ok: false, error: notWaiting(ctx, f.n) };
  const refused = notYours(ctx, f.n, at, true);
  return refused ? { ok: false, error: refused } : { ...f, at };
}

const notWaiting = (ctx: FlowContext, n: Nomination) =>
  ctx.t('review.not_waiting', { number: dossierNumber(n), nominee: n.nominee.name, status: ctx.t(`status.dossier_${n.status}`) });

/** The facts a decision's confirm step shows, loaded once when it starts (begin), with the step it was started at. */
export const decisionSchema = z.object({ id: z.string(), nominee: z.string(), unit: z.string(), missing: z.string(), step: z.enum(REVIEW_STEPS).optional(), office: z.string().optional() });
export type Decision = z.infer<typeof decisionSchema>;

/** Who a decision is about, as its confirm says it: the nominee and its unit, once when they are the same ("Xóm Đồng Tâm"). */
export const decisionWho = (d: { nominee?: unknown; unit?: unknown }): string =>
  String(d.nominee) === String(d.unit) ? String(d.nominee) : `${String(d.nominee)}, ${String(d.unit)}`;

/** Facts the confirm steps show, loaded once when the decision starts. */
export async function beginDecision(ctx: FlowContext): Promise<{ data?: Decision; refuse?: string }> {
  const f = await decidable(ctx, ctx.args);
  if (!f.ok) return { refuse: f.error };
  const missing = dossierCompleteness(ctx.campaign, f.n, f.unit?.level ?? null).missingRequired.map((p) => label(ctx, p.label));
  return { data: { id: f.n.id, nominee: f.n.nominee.name, unit: f.unit?.name ?? f.n.unitId, missing: missing.join('; '), step: f.at.step.step, office: officeName(ctx.lang, f.at) } };
}

/** Who hears about the decision: the officer who submitted (from the audit trail), else the unit's officers. */
async function recipientsOf(ctx: FlowContext, n: Nomination): Promise<Identity[]> {
  const history = await ctx.store.audit.forEntity(n.id);
  const submitter = history.filter((e) => e.action === 'nomination.submitted').at(-1)?.actor;
  for (const who of [submitter, n.createdBy]) {
    const m = who ? /^(telegram|zalo|sim):(.+)$/.exec(who) : null;
    const identity = m ? await ctx.store.identities.get(m[1] as Identity['channel'], m[2]!) : null;
    if (identity) return [identity];
  }
  return (await ctx.store.identities.listByUnit(n.unitId)).filter((i) => actingUnit(i) === n.unitId);
}

/** What the decision did, for the reviewer: accepted (proposed), forwarded to the next step, or returned. */
function doneText(ctx: FlowContext, n: Nomination, status: 'accepted' | 'returned', next: Waiting | null): string {
  const names = dossierNames(ctx.lang, ctx.campaign, n);
  if (status === 'returned') return ctx.t('review.returned', names);
  // Said with the step just taken: "Đã tiếp nhận" after receiving, "Đã thẩm định" after appraising.
  if (next) return ctx.t(n.steps?.at(-1)?.step === 'appraise' ? 'review.forwarded_appraise' : 'review.forwarded', { ...names, where: waitingText(ctx.lang, next) });
  const authority = lastStep(ctx.campaign, n).authority;
  return authority ? ctx.t('review.proposed', { ...names, authority: authority[ctx.lang] }) : ctx.t('review.accepted', names);
}

/** The officer's message about the decision: returned, proposed (or accepted), or moved on to the next office (`next`). */
function officerMessage(ctx: FlowContext, r: Identity, n: Nomination, status: 'accepted' | 'returned', reason: string | null, next: Waiting | null): Reply {
  const title = dossierNames(r.lang, ctx.campaign, n).title;
  if (next) return { text: translate(r.lang, n.steps?.at(-1)?.step === 'appraise' ? 'review.officer_forwarded_appraise' : 'review.officer_forwarded', { title, where: waitingText(r.lang, next) }) };
  if (status === 'returned')
    return {
      text: translate(r.lang, 'review.officer_returned', { title, reason: reason! }),
      // Straight into this dossier, also from the middle of another conversation (engine: ask, then switch).
      choices: [{ payload: flowLink('nominate', n.id), label: translate(r.lang, 'review.officer_fix_button') }],
    };
  const authority = lastStep(ctx.campaign, n).authority;
  return { text: authority ? translate(r.lang, 'review.officer_proposed', { title, authority: authority[r.lang] }) : translate(r.lang, 'review.officer_accepted', { title }) };
}

/**
 * Applies the decision at the step it was started at (a dossier another office has moved
 * since is refused, clearly), tells the officer on their own channel what became of it
 * (returned, moved on, proposed) and the next office's staff that it waits for them, and
 * reports back to the reviewer.
 */
export async function decide(ctx: FlowContext, d: Decision & { reason?: string }, status: 'accepted' | 'returned'): Promise<Reply[]> {
  const f = await reviewable(ctx, d.id);
  if (!f.ok) return [{ text: f.error }];
  const at = await waitingAt(ctx.store, ctx.campaign, f.n);
  if (!at) return [{ text: notWaiting(ctx, f.n) }];
  if (d.step && at.step.step !== d.step) return [{ text: ctx.t('review.stale_step', { number: dossierNumber(f.n), where: waitingText(ctx.lang, at) }) }];
  const refused = notYours(ctx, f.n, at, true);
  if (refused) return [{ text: refused }];
  const reason = status === 'returned' ? (d.reason ?? '') : null;
  let n: Nomination;
  try {
    n = await ctx.store.nominations.decide(
      f.n.id,
      { campaign: ctx.campaign, step: at.step.step, decision: status, reason, officeUnitId: at.officeUnit?.id ?? null, personId: ctx.identity.personId },
      ctx.actor,
    );
  } catch (err) {
    if (isStoreError(err, 'stale_step') || isStoreError(err, 'illegal_transition')) {
      const now = (await ctx.store.nominations.get(f.n.id)) ?? f.n;
      const w = await waitingAt(ctx.store, ctx.campaign, now);
      return [{ text: w ? ctx.t('review.stale_step', { number: dossierNumber(now), where: waitingText(ctx.lang, w) }) : notWaiting(ctx, now) }];
    }
    if (isStoreError(err, 'not_allowed')) return [{ text: notYours(ctx, f.n, at, false) ?? ctx.t('error.not_allowed') }];
    throw err;
  }
  const next = n.status === 'submitted' ? await waitingAt(ctx.store, ctx.campaign, n) : null;
  const unit = d.unit;
  // Moved on: the next office's staff hear from the jobs (jobs/alerts.ts), the officer from here.
  if (next) await ctx.jobs?.dossierForwarded(n).catch(() => {});
  let told = 0;
  for (const r of await recipientsOf(ctx, n)) {
    const key = `review:${n.id}:${next ? `forwarded-${next.step.step}` : status}:${n.updatedAt}:${r.channel}:${r.userId}`;
    const outcome = ctx.notify ? await ctx.notify({ channel: r.channel, userId: r.userId }, officerMessage(ctx, r, n, status, reason, next), key) : { ok: false };
    if (outcome.ok) told++;
  }
  if (next) return [{ text: [doneText(ctx, n, status, next), ...(told > 0 ? [ctx.t('review.notified', { count: told, unit })] : [])].join('\n') }];
  return [{ text: [doneText(ctx, n, status, null), told > 0 ? ctx.t('review.notified', { count: told, unit }) : ctx.t('review.notify_failed', { unit })].join('\n') }];
}
