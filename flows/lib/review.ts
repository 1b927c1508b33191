import { z } from 'zod';
import type { FlowContext } from '../../src/engine/flow.js';
import type { Identity, Nomination, Unit } from '../../src/domain/entities.js';
import type { Reply } from '../../src/engine/types.js';
import { actingUnit, canReview, dossierCompleteness } from '../../src/domain/index.js';
import { t as translate } from '../../src/i18n.js';
import { flowLink } from '../links.js';
import { isStoreError } from '../../src/store/index.js';
import { scopeHere } from './access.js';
import { label } from './common.js';
import { dossierNames, dossierNumber, nominationId } from './dossier.js';

/** Who may see which dossier, and the accept / return decision shared by flows/review_accept.ts and flows/review_return.ts. */


type Found = { ok: true; n: Nomination; unit: Unit | null } | { ok: false; error: string };

/** The dossier `raw` names, if it exists in this campaign and lies under the reviewer's office. */
export async function reviewable(ctx: FlowContext, raw: string | undefined): Promise<Found> {
  const id = nominationId(raw);
  const n = id ? await ctx.store.nominations.get(id) : null;
  if (!n || n.campaignId !== ctx.campaign.id) return { ok: false, error: ctx.t('review.not_found', { id: id ? id.slice(2) : (raw ?? '').slice(0, 20) }) };
  if (!canReview(ctx.identity, await scopeHere(ctx), n.unitId)) return { ok: false, error: ctx.t('review.out_of_scope', { number: dossierNumber(n) }) };
  return { ok: true, n, unit: await ctx.store.units.get(n.unitId) };
}

/** reviewable(), and still waiting for a decision. */
export async function decidable(ctx: FlowContext, raw: string | undefined): Promise<Found> {
  const f = await reviewable(ctx, raw);
  if (f.ok && f.n.status !== 'submitted') return { ok: false, error: ctx.t('review.not_waiting', { number: dossierNumber(f.n), nominee: f.n.nominee.name, status: ctx.t(`status.dossier_${f.n.status}`) }) };
  return f;
}

/** The facts a decision's confirm step shows, loaded once when it starts (begin). */
export const decisionSchema = z.object({ id: z.string(), nominee: z.string(), unit: z.string(), missing: z.string() });
export type Decision = z.infer<typeof decisionSchema>;

/** Facts the confirm steps show, loaded once when the decision starts. */
export async function beginDecision(ctx: FlowContext): Promise<{ data?: Decision; refuse?: string }> {
  const f = await decidable(ctx, ctx.args);
  if (!f.ok) return { refuse: f.error };
  const missing = dossierCompleteness(ctx.campaign, f.n, f.unit?.level ?? null).missingRequired.map((p) => label(ctx, p.label));
  return { data: { id: f.n.id, nominee: f.n.nominee.name, unit: f.unit?.name ?? f.n.unitId, missing: missing.join('; ') } };
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

/** Applies the decision, tells the officer on their own channel, and reports back to the reviewer. */
export async function decide(ctx: FlowContext, d: Decision & { reason?: string }, status: 'accepted' | 'returned'): Promise<Reply[]> {
  const f = await decidable(ctx, d.id);
  if (!f.ok) return [{ text: f.error }];
  const reason = status === 'returned' ? (d.reason ?? '') : null;
  let n: Nomination;
  try {
    n = await ctx.store.nominations.setStatus(f.n.id, status, { reason }, ctx.actor);
  } catch (err) {
    if (!isStoreError(err, 'illegal_transition')) throw err;
    const now = await ctx.store.nominations.get(f.n.id);
    return [{ text: ctx.t('review.not_waiting', { number: dossierNumber(f.n), nominee: f.n.nominee.name, status: ctx.t(`status.dossier_${now?.status ?? f.n.status}`) }) }];
  }
  let told = 0;
  const recipients = await recipientsOf(ctx, n);
  for (const r of recipients) {
    const message: Reply =
      status === 'returned'
        ? {
            text: translate(r.lang, 'review.officer_returned', { title: dossierNames(r.lang, ctx.campaign, n).title, reason: reason! }),
            // Straight into this dossier, also from the middle of another conversation (engine: ask, then switch).
            choices: [{ payload: flowLink('nominate', n.id), label: translate(r.lang, 'review.officer_fix_button') }],
          }
        : { text: translate(r.lang, 'review.officer_accepted', { title: dossierNames(r.lang, ctx.campaign, n).title }) };
    const outcome = ctx.notify
      ? await ctx.notify({ channel: r.channel, userId: r.userId }, message, `review:${n.id}:${status}:${n.updatedAt}:${r.channel}:${r.userId}`)
      : { ok: false };
    if (outcome.ok) told++;
  }
  const unit = d.unit;
  return [
    {
      text: [
        ctx.t(status === 'accepted' ? 'review.accepted' : 'review.returned', dossierNames(ctx.lang, ctx.campaign, n)),
        told > 0 ? ctx.t('review.notified', { count: told, unit }) : ctx.t('review.notify_failed', { unit }),
      ].join('\n'),
    },
  ];
}

