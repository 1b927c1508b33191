import type { Data, Flow, FlowContext, Option } from '../src/engine/flow.js';
import type { FileRef, Identity, Nomination, Unit } from '../src/domain/entities.js';
import { documentName, senderLabel } from '../src/files.js';
import type { Reply } from '../src/engine/types.js';
import { dossierCompleteness, findReview, formatVn } from '../src/domain/index.js';
import { t as translate } from '../src/i18n.js';
import { isStoreError } from '../src/store/index.js';
import { campaignYears, label } from './common.js';

/** Staff with an office, or admins: the people who review dossiers. */
export const isReviewer = (ctx: FlowContext) =>
  ctx.identity.role === 'admin' || (ctx.identity.role === 'staff' && ctx.identity.unitId !== null);

/** "12", "#12", "n_12", "N_12" → "n_12"; null for anything else. */
export function nominationId(raw: string | undefined): string | null {
  const m = raw ? /^#?(?:n_)?(\d{1,9})$/i.exec(raw.trim()) : null;
  return m ? `n_${Number(m[1])}` : null;
}

/** Unit ids this reviewer may see (null: all, for admins). */
export async function scopeOf(ctx: FlowContext): Promise<Set<string> | null> {
  if (ctx.identity.role === 'admin') return null;
  return new Set(await ctx.store.units.subtree(ctx.identity.unitId!));
}

type Found = { ok: true; n: Nomination; unit: Unit | null } | { ok: false; error: string };

/** The dossier `raw` names, if it exists in this campaign and lies under the reviewer's office. */
export async function reviewable(ctx: FlowContext, raw: string | undefined): Promise<Found> {
  const id = nominationId(raw);
  const n = id ? await ctx.store.nominations.get(id) : null;
  if (!n || n.campaignId !== ctx.campaign.id) return { ok: false, error: ctx.t('review.not_found', { id: (raw ?? '').slice(0, 20) }) };
  const scope = await scopeOf(ctx);
  if (scope && !scope.has(n.unitId)) return { ok: false, error: ctx.t('review.out_of_scope', { id: n.id }) };
  return { ok: true, n, unit: await ctx.store.units.get(n.unitId) };
}

/** reviewable(), and still waiting for a decision. */
async function decidable(ctx: FlowContext, raw: string | undefined): Promise<Found> {
  const f = await reviewable(ctx, raw);
  if (f.ok && f.n.status !== 'submitted') return { ok: false, error: ctx.t('review.not_waiting', { id: f.n.id, status: ctx.t(`status.dossier_${f.n.status}`) }) };
  return f;
}

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

/** Dossiers waiting for a decision under this reviewer's office, oldest submission first. */
async function waiting(ctx: FlowContext): Promise<Option[]> {
  const scope = await scopeOf(ctx);
  const all: Nomination[] = [];
  for (const year of campaignYears(ctx)) all.push(...(await ctx.store.nominations.list(ctx.campaign.id, year)));
  const mine = all
    .filter((n) => n.status === 'submitted' && (!scope || scope.has(n.unitId)))
    .sort((a, b) => (a.submittedAt ?? '').localeCompare(b.submittedAt ?? ''))
    .slice(0, 20);
  const names = new Map<string, string>();
  for (const n of mine) if (!names.has(n.unitId)) names.set(n.unitId, (await ctx.store.units.get(n.unitId))?.name ?? n.unitId);
  return mine.map((n) => ({ id: n.id, label: ctx.t('review.pick_label', { id: n.id, unit: names.get(n.unitId)!, nominee: n.nominee.name }) }));
}

/** The name staff see for a dossier part: the part and the dossier, and the extension of the file's real type (never the sender's). */
const partFileName = (ctx: FlowContext, n: Nomination, partLabel: Parameters<typeof label>[1], f: FileRef) =>
  documentName(label(ctx, partLabel), f, n.id);

/** The dossier as staff see it: one text, each file as a document, then the decision buttons. */
function showDossier(ctx: FlowContext, n: Nomination, unit: Unit | null): Reply[] {
  const c = dossierCompleteness(ctx.campaign, n);
  const lines = [
    ctx.t('review.header', { id: n.id, status: ctx.t(`status.dossier_${n.status}`) }),
    ctx.t('review.unit_line', { unit: unit?.name ?? n.unitId }),
    nomineeLine(ctx, n),
    ctx.t('review.award_line', { award: awardLabel(ctx, n) }),
    n.submittedAt
      ? ctx.t('review.submitted_line', { year: n.year, date: formatVn(new Date(n.submittedAt), ctx.lang, true) })
      : ctx.t('review.not_submitted_line', { year: n.year }),
    ctx.t('review.summary_line', { text: n.summary || ctx.t('common.none') }),
    ctx.t('review.parts_header'),
    ...ctx.campaign.dossierParts.map((p) => {
      const f = n.parts[p.id];
      if (f) return ctx.t('review.part_line', { part: label(ctx, p.label), file: partFileName(ctx, n, p.label, f), sent: senderLabel(f.name) });
      return `${p.required ? '✗' : '–'} ${label(ctx, p.label)}: ${ctx.t(p.required ? 'review.part_missing' : 'review.part_optional')}`;
    }),
  ];
  if (!c.complete) lines.push(ctx.t('review.incomplete_warning', { parts: c.missingRequired.map((p) => label(ctx, p.label)).join('; ') }));
  if (n.status === 'returned' && n.returnReason) lines.push(ctx.t('review.last_reason', { reason: n.returnReason }));
  const replies: Reply[] = [{ text: lines.join('\n') }];
  for (const p of c.present) {
    const f = n.parts[p.id]!;
    replies.push({ text: ctx.t('review.file_caption', { part: label(ctx, p.label), id: n.id }), file: { path: f.path, name: partFileName(ctx, n, p.label, f), mime: f.mime } });
  }
  if (n.status === 'submitted') {
    replies.push({
      text: ctx.t('review.decide_prompt', { id: n.id }),
      choices: [
        { payload: `go|review_accept|${n.id}`, label: ctx.t('review.action_accept') },
        { payload: `go|review_return|${n.id}`, label: ctx.t('review.action_return') },
      ],
    });
  }
  return replies;
}

/** Xem hồ sơ: `/hoso 12` shows one dossier; `/hoso` lists those waiting for a decision. */
export const review: Flow = {
  id: 'review',
  title: 'review.title',
  command: '/hoso',
  available: isReviewer,
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
      prompt: (c, d) => c.t('review.pick_prompt', { count: (d.waiting as Option[]).length }),
      options: (_c, d) => d.waiting as Option[],
    },
  ],
  async complete(ctx, d) {
    const f = await reviewable(ctx, String(d.id));
    return f.ok ? showDossier(ctx, f.n, f.unit) : [{ text: f.error }];
  },
};

/** Facts the confirm steps show, loaded once when the decision starts. */
async function beginDecision(ctx: FlowContext): Promise<{ data?: Data; refuse?: string }> {
  const f = await decidable(ctx, ctx.args);
  if (!f.ok) return { refuse: f.error };
  const missing = dossierCompleteness(ctx.campaign, f.n).missingRequired.map((p) => label(ctx, p.label));
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
  return (await ctx.store.identities.listByUnit(n.unitId)).filter((i) => i.role === 'officer');
}

/** Applies the decision, tells the officer on their own channel, and reports back to the reviewer. */
async function decide(ctx: FlowContext, d: Data, status: 'accepted' | 'returned'): Promise<Reply[]> {
  const f = await decidable(ctx, String(d.id));
  if (!f.ok) return [{ text: f.error }];
  const reason = status === 'returned' ? String(d.reason) : null;
  let n: Nomination;
  try {
    n = await ctx.store.nominations.setStatus(f.n.id, status, { reason }, ctx.actor);
  } catch (err) {
    if (!isStoreError(err, 'illegal_transition')) throw err;
    const now = await ctx.store.nominations.get(f.n.id);
    return [{ text: ctx.t('review.not_waiting', { id: f.n.id, status: ctx.t(`status.dossier_${now?.status ?? f.n.status}`) }) }];
  }
  let told = 0;
  const recipients = await recipientsOf(ctx, n);
  for (const r of recipients) {
    const message: Reply =
      status === 'returned'
        ? {
            text: translate(r.lang, 'review.officer_returned', { id: n.id, nominee: n.nominee.name, reason: reason! }),
            choices: [{ payload: 'go|nominate', label: translate(r.lang, 'review.officer_fix_button') }],
          }
        : { text: translate(r.lang, 'review.officer_accepted', { id: n.id, nominee: n.nominee.name }) };
    const outcome = ctx.notify
      ? await ctx.notify({ channel: r.channel, userId: r.userId }, message, `review:${n.id}:${status}:${n.updatedAt}:${r.channel}:${r.userId}`)
      : { ok: false };
    if (outcome.ok) told++;
  }
  const unit = String(d.unit);
  return [
    {
      text: [
        ctx.t(status === 'accepted' ? 'review.accepted' : 'review.returned', { id: n.id }),
        told > 0 ? ctx.t('review.notified', { count: told, unit }) : ctx.t('review.notify_failed', { unit }),
      ].join('\n'),
    },
  ];
}

/** Chấp nhận hồ sơ: started by the button under a dossier (`go|review_accept|n_12`). */
export const reviewAccept: Flow = {
  id: 'review_accept',
  title: 'review.accept_title',
  hidden: true,
  available: isReviewer,
  begin: beginDecision,
  steps: () => [
    {
      kind: 'confirm',
      id: 'confirm',
      prompt: (c, d) => c.t('review.accept_confirm', { id: String(d.id), nominee: String(d.nominee), unit: String(d.unit) }),
      extra: (c, d) => (d.missing ? c.t('review.incomplete_warning', { parts: String(d.missing) }) : null),
      actions: (c) => [
        { id: 'accept', label: c.t('review.action_accept') },
        { id: 'cancel', label: c.t('confirm.cancel') },
      ],
    },
  ],
  complete: (ctx, d) => decide(ctx, d, 'accepted'),
};

/** Trả lại hồ sơ: a reason (sent to the officer word for word), then confirm. */
export const reviewReturn: Flow = {
  id: 'review_return',
  title: 'review.return_title',
  hidden: true,
  available: isReviewer,
  begin: beginDecision,
  steps: () => [
    {
      kind: 'text',
      id: 'reason',
      max: 1000,
      prompt: (c, d) => c.t('review.reason_prompt', { id: String(d.id) }),
      summary: (c, d) => c.t('review.reason_line', { reason: String(d.reason) }),
    },
    {
      kind: 'confirm',
      id: 'confirm',
      prompt: (c, d) => c.t('review.return_confirm', { id: String(d.id), nominee: String(d.nominee), unit: String(d.unit) }),
      actions: (c) => [
        { id: 'return', label: c.t('review.action_confirm_return') },
        { id: 'cancel', label: c.t('confirm.cancel') },
      ],
    },
  ],
  complete: (ctx, d) => decide(ctx, d, 'returned'),
};
