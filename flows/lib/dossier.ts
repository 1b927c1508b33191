import type { FlowContext, Option } from '../../src/engine/flow.js';
import type { FileRef, Lang, Nomination } from '../../src/domain/entities.js';
import type { UnitLevel } from '../../src/domain/levels.js';
import type { Campaign } from '../../src/campaign/index.js';
import type { Reply } from '../../src/engine/types.js';
import { dossierCompleteness, dossierNumber, findReview, isLate, nominationDeadline, nominationId } from '../../src/domain/index.js';
import { actingUnit } from '../../src/domain/roles.js';
import { t as translate } from '../../src/i18n.js';
import { label } from './common.js';

/** A unit's own dossiers as officers see them: by number, award and nominee, never by internal id. */

// The number people read and type for a dossier is a domain rule (the CLI and the export use it too).
export { dossierNumber, nominationId } from '../../src/domain/index.js';

/**
 * How people read a dossier, in every message (flows, reminders, alerts): its number, award
 * and nominee, and the three as one title, "Hồ sơ số 12 — Giấy khen … — Nguyễn Văn An".
 * Never the internal id (n_12): that stays in button payloads, which nobody reads.
 */
export function dossierNames(lang: Lang, campaign: Campaign, n: Pick<Nomination, 'id' | 'awardId' | 'reviewId' | 'nominee'>) {
  let award = n.awardId;
  try {
    award = findReview(campaign, n.awardId, n.reviewId).award.label[lang];
  } catch {
    // An award the campaign no longer lists: its id is the best we have.
  }
  const names = { number: dossierNumber(n), award, nominee: n.nominee.name };
  return { ...names, title: translate(lang, 'dossier.title', names) };
}

/** "Hồ sơ số 12 — Giấy khen … — Nguyễn Văn An". */
export const dossierTitle = (ctx: FlowContext, n: Nomination): string => dossierNames(ctx.lang, ctx.campaign, n).title;

/** The required parts still missing, as one line of labels ('' when complete). */
export const missingLabels = (ctx: FlowContext, n: Pick<Nomination, 'parts' | 'awardId' | 'reviewId'>, level: UnitLevel | null) =>
  dossierCompleteness(ctx.campaign, n, level).missingRequired.map((p) => label(ctx, p.label)).join('; ');

/** The level of a dossier's proposing unit, which decides the parts it is asked (null when the unit is gone). */
export const proposerLevel = async (ctx: FlowContext, unitId: string): Promise<UnitLevel | null> => (await ctx.store.units.get(unitId))?.level ?? null;

/**
 * After the dossier's own deadline (nominationDeadline: the end of its year's due day,
 * Vietnam time; none for an ad-hoc award). The one rule for sending and for additions.
 */
export function pastDossierDeadline(ctx: FlowContext, n: Pick<Nomination, 'year' | 'awardId' | 'reviewId'>): boolean {
  const due = nominationDeadline(ctx.campaign, n);
  return !!due && isLate(ctx.now, due);
}

/** Whether the unit's officer may still work on it: every dossier of the unit not yet accepted. */
export const openToOfficer = (n: Nomination, unitId: string | null) => n.unitId === unitId && n.status !== 'accepted';

/** The unit's dossiers an officer can continue or complete (drafts, returned, and sent ones until accepted). */
export async function openNominations(ctx: FlowContext, unitId: string): Promise<Option[]> {
  const out: Option[] = [];
  for (const year of ctx.campaign.reportingYears) {
    for (const n of await ctx.store.nominations.listByUnit(ctx.campaign.id, year, unitId)) {
      if (!openToOfficer(n, unitId)) continue;
      if (n.status === 'draft' || n.status === 'returned')
        out.push({ id: n.id, label: ctx.t(n.status === 'draft' ? 'nominate.pick_draft' : 'nominate.pick_returned', { number: dossierNumber(n), name: n.nominee.name, year: n.year }) });
      else out.push({ id: n.id, label: ctx.t('nominate.pick_sent', { title: dossierTitle(ctx, n) }) });
    }
  }
  return out;
}

/** The officer's dossier a link or command names (`go|nominate|n_12`, `/dexuat 12`), or why not. */
export async function ownDossier(ctx: FlowContext, raw: string): Promise<{ ok: true; n: Nomination } | { ok: false; error: string }> {
  const id = nominationId(raw);
  const n = id ? await ctx.store.nominations.get(id) : null;
  if (!n || n.campaignId !== ctx.campaign.id || n.unitId !== actingUnit(ctx.identity)) return { ok: false, error: ctx.t('nominate.not_found', { number: id ? id.slice(2) : raw.slice(0, 12) }) };
  if (n.status === 'accepted') return { ok: false, error: ctx.t('nominate.already_accepted', { title: dossierTitle(ctx, n) }) };
  return { ok: true, n };
}

/** Like ownDossier, also for an accepted dossier (its drafts can still be made again). */
export async function ownDossierAny(ctx: FlowContext, raw: string): Promise<{ ok: true; n: Nomination } | { ok: false; error: string }> {
  const id = nominationId(raw);
  const n = id ? await ctx.store.nominations.get(id) : null;
  if (!n || n.campaignId !== ctx.campaign.id || n.unitId !== actingUnit(ctx.identity)) return { ok: false, error: ctx.t('nominate.not_found', { number: id ? id.slice(2) : raw.slice(0, 12) }) };
  return { ok: true, n };
}

/** Parts added to or replaced in a sent dossier; it stays sent, and staff hear once when it becomes complete. */
export async function completeSent(ctx: FlowContext, id: string, parts: Record<string, FileRef>): Promise<Reply[]> {
  let n = await ctx.store.nominations.get(id);
  if (!n || n.status === 'accepted') return [{ text: ctx.t('nominate.not_editable') }];
  const level = await proposerLevel(ctx, n.unitId);
  const wasComplete = dossierCompleteness(ctx.campaign, n, level).complete;
  const late = pastDossierDeadline(ctx, n);
  let changed = 0;
  for (const [partId, file] of Object.entries(parts)) {
    if (n.parts[partId]?.sha256 === file.sha256) continue;
    n = await ctx.store.nominations.attachPart(n.id, partId, file, ctx.actor, { late });
    changed++;
  }
  const title = dossierTitle(ctx, n);
  if (changed === 0) return [{ text: ctx.t('nominate.sent_unchanged', { title }) }];
  const missing = missingLabels(ctx, n, level);
  if (!missing && !wasComplete && n.status === 'submitted') await ctx.jobs?.dossierCompleted(n).catch(() => {});
  const lines = [missing ? ctx.t('nominate.sent_updated_incomplete', { title, parts: missing }) : ctx.t('nominate.sent_completed', { title })];
  if (late) lines.push(ctx.t('nominate.sent_late'));
  return [{ text: lines.join('\n') }];
}

/** Award and review travel together as one choice: "<awardId>.<reviewId>". */
export const awardKey = (awardId: string, reviewId: string) => `${awardId}.${reviewId}`;
export const splitAward = (key: string | undefined) => {
  const [awardId = '', reviewId = ''] = (key ?? '').split('.');
  return { awardId, reviewId };
};
