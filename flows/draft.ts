import { z } from 'zod';
import { defineFlow, type FlowContext, type Option, type Parsed, type Step } from '../src/engine/flow.js';
import type { Nomination } from '../src/domain/entities.js';
import { canNominate, isReviewer } from '../src/domain/roles.js';
import { DRAFT_KINDS, type DraftKind } from '../src/services/drafts/index.js';
import { dossierTitle, nominationId, ownDossierAny } from './lib/dossier.js';
import { asDraftDossier, draftReply } from './lib/drafts.js';
import { reviewable } from './lib/review.js';

/**
 * Dự thảo hồ sơ: `/duthao 12` (or the button under /tinhtrang and /hoso) sends a DOCX draft of
 * the dossier's Tờ trình, Báo cáo thành tích, Danh sách trích ngang or Biên bản họp Hội đồng.
 * For the minutes the council's figures are asked first (members, present, written opinions,
 * votes for each nominee) so the draft comes filled in.
 */
const count = z.number().int().min(0).max(500);
const schema = z.object({
  id: z.string(),
  /** "Hồ sơ số 12 — ‹hình thức› — ‹người được đề nghị›", as the question names it. */
  title: z.string(),
  kind: z.enum(DRAFT_KINDS),
  /** The dossiers the minutes list (same unit, award and review), in the draft's order. */
  nominees: z.array(z.object({ id: z.string(), name: z.string() })),
  members: count.optional(),
  present: count.optional(),
  written: count.optional(),
  votes: z.record(z.string(), count).default({}),
});
type Answers = Partial<z.input<typeof schema>>;

/** The dossier, if this user may draft for it: the proposing unit's officer, or staff above it. */
async function dossierFor(ctx: FlowContext, raw: string): Promise<{ ok: true; n: Nomination } | { ok: false; error: string }> {
  if (canNominate(ctx.identity)) return ownDossierAny(ctx, raw);
  const f = await reviewable(ctx, raw);
  return f.ok ? { ok: true, n: f.n } : f;
}

const number = (max: (d: Answers) => number) => (text: string, ctx: FlowContext, d: Answers): Parsed<number> => {
  const m = /^\s*(\d{1,3})\s*$/.exec(text);
  const n = m ? Number(m[1]) : NaN;
  return Number.isInteger(n) && n <= max(d) ? { ok: true, value: n } : { ok: false, error: ctx.t('drafts.bad_count', { max: max(d) }) };
};

export const draft = defineFlow({
  id: 'draft',
  title: 'drafts.title',
  command: '/duthao',
  hidden: true,
  available: (ctx) => canNominate(ctx.identity) || isReviewer(ctx.identity),
  schema,
  async begin(ctx) {
    const [raw = '', kind] = (ctx.args ?? '').split('.');
    if (!nominationId(raw)) return { refuse: ctx.t('drafts.usage') };
    const found = await dossierFor(ctx, raw);
    if (!found.ok) return { refuse: found.error };
    const n = found.n;
    const same = (await ctx.store.nominations.listByUnit(ctx.campaign.id, n.year, n.unitId)).filter((x) => x.awardId === n.awardId && x.reviewId === n.reviewId);
    const nominees = same.sort((a, b) => a.id.localeCompare(b.id, 'en', { numeric: true })).map((x) => ({ id: x.id, name: x.nominee.name }));
    return { data: { id: n.id, title: dossierTitle(ctx, n), nominees, ...(DRAFT_KINDS.includes(kind as DraftKind) && { kind: kind as DraftKind }) } };
  },
  steps: (_ctx, data) => {
    const minutes = (_c: FlowContext, d: Answers) => d.kind === 'minutes';
    const votes = (data.nominees ?? []).map((x, i): Step<Answers> => ({
      kind: 'text',
      id: `v_${i}`,
      max: 10,
      field: ['votes', String(i)],
      when: minutes,
      prompt: (c) => c.t('drafts.votes_prompt', { name: x.name }),
      parse: number((d) => d.members ?? 0),
    }));
    return [
      {
        kind: 'choice',
        id: 'kind',
        when: (_c, d) => !d.kind,
        prompt: (c, d) => c.t('drafts.pick_prompt', { title: String(d.title) }),
        options: (c): Option[] => DRAFT_KINDS.map((k) => ({ id: k, label: c.t(`drafts.kind_${k}`) })),
      },
      { kind: 'text', id: 'members', max: 10, when: minutes, prompt: (c) => c.t('drafts.members_prompt'), parse: number(() => 500) },
      { kind: 'text', id: 'present', max: 10, when: minutes, prompt: (c) => c.t('drafts.present_prompt'), parse: number((d) => d.members ?? 0) },
      { kind: 'text', id: 'written', max: 10, when: minutes, prompt: (c) => c.t('drafts.written_prompt'), parse: number((d) => (d.members ?? 0) - (d.present ?? 0)) },
      ...votes,
    ];
  },
  async complete(ctx, d) {
    const found = await dossierFor(ctx, d.id);
    if (!found.ok) return [{ text: found.error }];
    const votes =
      d.kind === 'minutes' && d.members !== undefined
        ? { members: d.members, present: d.present ?? 0, written: d.written ?? 0, votes: d.nominees.map((_x, i) => d.votes[String(i)] ?? 0) }
        : null;
    return [await draftReply(ctx, d.kind, asDraftDossier(found.n), votes), { text: ctx.t('drafts.send_back') }];
  },
});
