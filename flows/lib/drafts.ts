import type { FlowContext } from '../../src/engine/flow.js';
import type { Nomination } from '../../src/domain/entities.js';
import type { Reply } from '../../src/engine/types.js';
import { regimeFor } from '../../src/domain/index.js';
import { draftKindOfPart, regimeLabel, writeDraft, type DraftDossier, type DraftKind, type MinutesVotes } from '../../src/services/drafts/index.js';
import { checkDossier, checkLines, type CheckedDossier } from '../../src/services/checker.js';

/** Drafts sent in the chat, and the dossier checker's lines, as the flows show them. */

export const asDraftDossier = (n: Nomination): DraftDossier => ({ id: n.id, year: n.year, unitId: n.unitId, awardId: n.awardId, reviewId: n.reviewId, nominee: n.nominee, summary: n.summary });

/** One draft as a document in the chat, with a line saying what it is and which decree it follows. */
export async function draftReply(ctx: FlowContext, kind: DraftKind, dossier: DraftDossier, votes: MinutesVotes | null = null): Promise<Reply> {
  const file = await writeDraft({ store: ctx.store, files: ctx.files, campaign: ctx.campaign }, kind, dossier, ctx.now, votes);
  const regime = regimeLabel(regimeFor(ctx.campaign, dossier, ctx.now));
  return { text: ctx.t('drafts.sent', { what: ctx.t(`drafts.kind_${kind}`), regime }), file };
}

/** The "Tạo bản dự thảo" button of a dossier-part step, for the parts the bot can draft. */
export function partDraft(ctx: FlowContext, partId: string, dossier: () => DraftDossier) {
  const kind = draftKindOfPart(partId);
  if (!kind) return null;
  return {
    label: ctx.t('drafts.button'),
    run: async (): Promise<Reply[]> => [await draftReply(ctx, kind, dossier()), { text: ctx.t('drafts.send_back') }],
  };
}

/** The checker's lines for a dossier (officer before sending: without the missing parts and the over-quota warning, already said). */
export async function checkText(ctx: FlowContext, n: CheckedDossier, opts: { missing: boolean; quotaOver: boolean }): Promise<string> {
  const check = await checkDossier({ store: ctx.store, files: ctx.files, campaign: ctx.campaign }, n, ctx.now);
  return checkLines(check, ctx.lang, opts).join('\n');
}
