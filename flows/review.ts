import { z } from 'zod';
import { defineFlow, type FlowContext, type Option } from '../src/engine/flow.js';
import type { FileRef, Nomination, Unit } from '../src/domain/entities.js';
import { documentName, senderLabel } from '../src/files.js';
import type { Reply } from '../src/engine/types.js';
import { dossierCompleteness, findReview, formatVn, partsFor } from '../src/domain/index.js';
import { flowLink } from './links.js';
import { label, optionSchema } from './lib/common.js';
import { isReviewer } from '../src/domain/roles.js';
import { may } from './lib/access.js';
import { notYours, reviewable, waitingFor } from './lib/review.js';
import { chainLines, waitingAt } from './lib/chain.js';
import { dossierNumber, dossierTitle } from './lib/dossier.js';
import { checkText } from './lib/drafts.js';

function awardLabel(ctx: FlowContext, n: Nomination): string {
  try {
    const { award, review } = findReview(ctx.campaign, n.awardId, n.reviewId);
    return `${label(ctx, award.label)} — ${label(ctx, review.label)}`;
  } catch {
    return `${n.awardId} — ${n.reviewId}`;
  }
}

function nomineeLine(ctx: FlowContext, n: Nomination): string {
  const x = n.nominee;
  return x.type === 'individual'
    ? ctx.t('review.nominee_individual', { name: x.name, position: x.position || '—', unit: x.unitName || '—' })
    : ctx.t('review.nominee_collective', { name: x.name });
}

/** Dossiers waiting for this reviewer's decision, as choices (the first 20). */
async function waiting(ctx: FlowContext): Promise<Option[]> {
  const shown = (await waitingFor(ctx)).slice(0, 20);
  const names = new Map<string, string>();
  for (const n of shown) if (!names.has(n.unitId)) names.set(n.unitId, (await ctx.store.units.get(n.unitId))?.name ?? n.unitId);
  return shown.map((n) => ({ id: n.id, label: ctx.t('review.pick_label', { number: dossierNumber(n), unit: names.get(n.unitId)!, nominee: n.nominee.name }) }));
}

/** The name staff see for a dossier part: the part and the dossier, and the extension of the file's real type (never the sender's). */
const partFileName = (ctx: FlowContext, n: Nomination, partLabel: Parameters<typeof label>[1], f: FileRef) =>
  documentName(label(ctx, partLabel), f, `ho-so-${dossierNumber(n)}`);

/** The dossier as staff see it: one text (with its review steps), each file as a document, then the decision buttons for whoever decides at its step. */
async function showDossier(ctx: FlowContext, n: Nomination, unit: Unit | null): Promise<Reply[]> {
  const c = dossierCompleteness(ctx.campaign, n, unit?.level ?? null);
  const accepted = n.status === 'accepted';
  const lines = [
    ctx.t('review.header', { title: dossierTitle(ctx, n), status: ctx.t(`status.dossier_${n.status}`) }),
    ctx.t('review.unit_line', { unit: unit?.name ?? n.unitId }),
    nomineeLine(ctx, n),
    ctx.t('review.award_line', { award: awardLabel(ctx, n) }),
    n.submittedAt
      ? ctx.t('review.submitted_line', { year: n.year, date: formatVn(new Date(n.submittedAt), ctx.lang, true) })
      : ctx.t('review.not_submitted_line', { year: n.year }),
    ...(n.lateAt ? [ctx.t('review.late_line', { date: formatVn(new Date(n.lateAt), ctx.lang) })] : []),
    ctx.t('review.summary_line', { text: n.summary || ctx.t('common.none') }),
    ctx.t('review.parts_header'),
    // The parts this dossier is asked (its proposing level, award and review), as the officer was.
    ...partsFor(ctx.campaign, { level: unit?.level ?? null, awardId: n.awardId, reviewId: n.reviewId }).map((p) => {
      const f = n.parts[p.id];
      if (f) return ctx.t('review.part_line', { part: label(ctx, p.label), file: partFileName(ctx, n, p.label, f), sent: senderLabel(f.name) });
      if (accepted) return `– ${label(ctx, p.label)}: ${ctx.t('review.part_not_sent')}`;
      return `${p.required ? '✗' : '–'} ${label(ctx, p.label)}: ${ctx.t(p.required ? 'review.part_missing' : 'review.part_optional')}`;
    }),
  ];
  // An accepted dossier is closed: what it lacked is a fact of the decision, not something still "missing".
  const lacking = c.missingRequired.map((p) => label(ctx, p.label)).join('; ');
  // The parts above already name what is missing (✗): here only how many, once.
  if (!c.complete) lines.push(accepted ? ctx.t('review.accepted_without', { parts: lacking }) : ctx.t('review.incomplete_count', { count: c.missingRequired.length }));
  if (n.status === 'returned' && n.returnReason) lines.push(ctx.t('review.last_reason', { reason: n.returnReason }));
  lines.push(...(await chainLines(ctx, n)));
  const at = await waitingAt(ctx.store, ctx.campaign, n);
  const refused = at ? notYours(ctx, n, at, true) : null;
  if (refused) lines.push(refused);
  const checked = await checkText(ctx, n, { missing: false, quotaOver: true });
  if (checked) lines.push(checked);
  const replies: Reply[] = [{ text: lines.join('\n'), choices: [{ payload: flowLink('draft', n.id), label: ctx.t('review.action_draft') }] }];
  for (const p of c.present) {
    const f = n.parts[p.id]!;
    replies.push({ text: ctx.t('review.file_caption', { part: label(ctx, p.label), number: dossierNumber(n) }), file: { path: f.path, name: partFileName(ctx, n, p.label, f), mime: f.mime } });
  }
  if (at && !refused) {
    replies.push({
      text: ctx.t('review.decide_prompt', { number: dossierNumber(n) }),
      choices: [
        { payload: flowLink('review_accept', n.id), label: ctx.t('review.action_accept') },
        { payload: flowLink('review_return', n.id), label: ctx.t('review.action_return') },
      ],
    });
  }
  return replies;
}

/** Xem hồ sơ: `/hoso 12` shows one dossier; `/hoso` lists those waiting for a decision. */
const schema = z.object({
  /** The dossier to show: from `/hoso 12`, or picked from the waiting list. */
  id: z.string(),
  waiting: z.array(optionSchema).optional(),
});

export const review = defineFlow({
  id: 'review',
  title: 'review.title',
  command: '/hoso',
  available: may(isReviewer),
  schema,
  async begin(ctx) {
    if (ctx.args) {
      const f = await reviewable(ctx, ctx.args);
      return f.ok ? { data: { id: f.n.id } } : { refuse: f.error };
    }
    const list = await waiting(ctx);
    if (list.length === 0) return { refuse: ctx.t('review.none_waiting') };
    return { data: { waiting: list } };
  },
  steps: () => [
    {
      kind: 'choice',
      id: 'pick',
      field: 'id',
      when: (_c, d) => !d.id,
      prompt: (c, d) => c.t('review.pick_prompt', { count: d.waiting?.length ?? 0 }),
      options: (_c, d): Option[] => d.waiting ?? [],
    },
  ],
  async complete(ctx, d) {
    const f = await reviewable(ctx, d.id);
    return f.ok ? await showDossier(ctx, f.n, f.unit) : [{ text: f.error }];
  },
});
