/**
 * Long on purpose: the nomination is one conversation (target, award, nominee, summary,
 * each dossier part, confirm) whose steps share one answers shape; split, they would pass it around.
 */
import { z } from 'zod';
import { defineFlow, type FlowContext, type Option, type Step } from '../src/engine/flow.js';
import { DOSSIER_STATUSES, fileRefSchema, type FileRef, type Nomination, type Nominee } from '../src/domain/entities.js';
import type { Reply } from '../src/engine/types.js';
import { senderLabel } from '../src/files.js';
import { dossierCompleteness, formatDeadline, isLate, nominationDeadline, partsFor, quotaUse, reviewsOpenIn, LEVEL_ID, type DossierTarget } from '../src/domain/index.js';
import { ownChoiceNote } from './lib/own-choice.js';
import { isStoreError } from '../src/store/index.js';
import { awardKey, splitAward, completeSent, dossierNames, dossierTitle, missingLabels, openNominations, openToOfficer, ownDossier, pastDossierDeadline } from './lib/dossier.js';
import { canNominate } from '../src/domain/roles.js';
import { checkText, partDraft } from './lib/drafts.js';
import { may } from './lib/access.js';
import { campaignYears, defaultYear, label, optionSchema, preview, yearOf, yearSchema, yearStep } from './lib/common.js';

/** How much of the achievement summary the confirm step repeats. */
const SUMMARY_PREVIEW = 100;

const schema = z
  .object({
    unitId: z.string(),
    unitName: z.string(),
    /** The proposing unit's level: with the award, it decides which dossier parts are asked (absent in sessions saved before it existed). */
    level: z.string().regex(LEVEL_ID).optional(),
    /** The unit's dossiers not yet accepted, offered by the first step. */
    open: z.array(optionSchema),
    /** The continued dossier's status when it was opened, and its title as officers read it. */
    status: z.enum(DOSSIER_STATUSES).optional(),
    title: z.string().optional(),
    /** For a sent or returned dossier: complete only the missing parts, or go through every part (replace files). */
    scope: z.enum(['missing', 'all']).optional(),
    /** 'new', or the id of the dossier continued (its answers are then loaded into these fields). */
    pick: z.string().optional(),
    nominationId: z.string().optional(),
    year: yearSchema,
    nomineeType: z.enum(['self', 'collective', 'individual']),
    nomineeName: z.string().optional(),
    nomineePosition: z.string().optional(),
    nomineeUnit: z.string().optional(),
    /** "<awardId>.<reviewId>" */
    award: z.string(),
    summaryText: z.string(),
    /** Parts already stored with a continued dossier (their steps are skipped). */
    storedParts: z.record(z.string(), fileRefSchema).optional(),
    /** Parts sent in this conversation by part id, one step each (null: "later"). */
    parts: z.record(z.string(), fileRefSchema.nullable()).default({}),
  });

type Answers = Partial<z.input<typeof schema>>;
/** The answers helpers read, the same while stepping and once complete (only the year differs: "2024" / 2024). */
type Fields = Partial<Omit<z.output<typeof schema>, 'year'>>;

function nomineeOf(d: Fields): Nominee {
  if (d.nomineeType === 'individual')
    return { type: 'individual', name: String(d.nomineeName), position: d.nomineePosition ?? '', unitName: d.nomineeUnit ?? '' };
  if (d.nomineeType === 'collective') return { type: 'collective', unitId: null, name: String(d.nomineeName) };
  return { type: 'collective', unitId: String(d.unitId), name: String(d.unitName) };
}

/** The dossier as the part rules see it: who proposes, under which award and review. */ const targetOf = (d: Pick<Fields, 'level' | 'award'>): DossierTarget => ({ level: d.level ?? null, ...splitAward(d.award) });

function partsOf(ctx: FlowContext, d: Fields): Record<string, FileRef> {
  const parts: Record<string, FileRef> = { ...d.storedParts };
  for (const p of partsFor(ctx.campaign, targetOf(d))) {
    const f = d.parts?.[p.id];
    if (f) parts[p.id] = f;
  }
  return parts;
}

function awardOptions(ctx: FlowContext, year: number): Option[] {
  return reviewsOpenIn(ctx.campaign, year).map(({ award, review }) => ({
    id: awardKey(award.id, review.id),
    label: `${label(ctx, award.label)} — ${label(ctx, review.label)}`,
  }));
}

/** A quota warning for this unit's proposals under the chosen award, or null. */
async function quotaWarning(ctx: FlowContext, d: Answers): Promise<string | null> {
  const { awardId, reviewId } = splitAward(d.award);
  // Quotas in the plans are for the whole campaign (e.g. 2 collectives for the commune), not per unit.
  const all = await ctx.store.nominations.list(ctx.campaign.id, yearOf(d));
  const others = all.filter((n) => n.id !== d.nominationId);
  const use = quotaUse(ctx.campaign, awardId, reviewId, others, yearOf(d));
  const side = nomineeOf(d).type === 'individual' ? use.individual : use.collective;
  if (side.limit === null || side.used + 1 <= side.limit) return null;
  return ctx.t('nominate.quota_warning', { limit: side.limit, used: side.used, kind: ctx.t(`nominate.kind_${nomineeOf(d).type}`) });
}

/** Whether required parts are missing; `listed`: the summary above marks each one, so only their count is said. */
function missingText(ctx: FlowContext, d: Answers, listed: boolean): string {
  const c = dossierCompleteness(ctx.campaign, { parts: partsOf(ctx, d), ...splitAward(d.award) }, d.level ?? null);
  if (!c.missingRequired.length) return ctx.t('nominate.complete');
  if (listed) return ctx.t('nominate.missing_count', { count: c.missingRequired.length });
  return ctx.t('nominate.missing', { parts: c.missingRequired.map((p) => label(ctx, p.label)).join('; ') });
}

/** Sending a dossier after its deadline: it is still accepted, and marked late (as reports are). */
function lateSubmitWarning(ctx: FlowContext, d: Answers): string | null {
  if (!d.award) return null;
  const due = nominationDeadline(ctx.campaign, { year: yearOf(d), ...splitAward(d.award) });
  return due && isLate(ctx.now, due) ? ctx.t('nominate.late_submit_warning', { date: formatDeadline(due, ctx.lang) }) : null;
}

const isNew = (d: Answers) => !d.nominationId;

/** The answers of an existing dossier, loaded to continue or complete it. */
function loaded(ctx: FlowContext, n: Nomination, unitId: string | undefined): Answers {
  return {
    pick: n.id,
    nominationId: n.id,
    status: n.status,
    title: dossierTitle(ctx, n),
    year: String(n.year),
    nomineeType: n.nominee.type === 'individual' ? 'individual' : n.nominee.unitId === unitId ? 'self' : 'collective',
    nomineeName: n.nominee.name,
    nomineePosition: n.nominee.type === 'individual' ? n.nominee.position : undefined,
    nomineeUnit: n.nominee.type === 'individual' ? n.nominee.unitName : undefined,
    award: awardKey(n.awardId, n.reviewId),
    summaryText: n.summary,
    storedParts: n.parts,
  };
}

/** Sent to staff (or returned by them): the officer chooses what to do with its files. */
const seenByStaff = (d: Answers) => d.status === 'submitted' || d.status === 'returned';

/** Đề nghị khen thưởng: nominee, award, summary, then each dossier part as a file or "later". */
export const nominate = defineFlow({
  id: 'nominate',
  title: 'nominate.title',
  command: '/dexuat',
  available: may(canNominate),
  schema,
  async begin(ctx) {
    const unit = await ctx.store.units.get(ctx.identity.unitId!);
    if (!unit) return { refuse: ctx.t('common.unit_missing') };
    // `go|nominate|n_12` (reminder, return notice, status) or `/dexuat 12`: straight into that dossier.
    if (ctx.args) {
      const own = await ownDossier(ctx, ctx.args);
      if (!own.ok) return { refuse: own.error };
      const data: Answers = { unitId: unit.id, unitName: unit.name, level: unit.level, open: [], ...loaded(ctx, own.n, unit.id) };
      return { data, notice: `${dossierTitle(ctx, own.n)} (${ctx.t(`status.dossier_${own.n.status}`)})\n${missingText(ctx, data, false)}` };
    }
    return { data: { ...defaultYear(ctx), unitId: unit.id, unitName: unit.name, level: unit.level, open: await openNominations(ctx, unit.id) } };
  },
  steps(ctx) {
    // Every part has its step; only those that apply to this dossier (level, award, review) are asked.
    const parts = ctx.campaign.dossierParts.map((p): Step<Answers> => ({
      kind: 'file',
      // The step id travels in button payloads and sessions: kept as it was.
      id: `p_${p.id}`,
      field: ['parts', p.id],
      when: (c, d) => partsFor(c.campaign, targetOf(d)).includes(p) && (!d.storedParts?.[p.id] || d.scope === 'all'),
      prompt: (c, d) => {
        const asked = partsFor(c.campaign, targetOf(d));
        const params = { n: asked.indexOf(p) + 1, total: asked.length, part: label(c, p.label), note: ownChoiceNote(c, p.source) };
        const ask = c.t(p.required ? 'nominate.part_prompt_required' : 'nominate.part_prompt_optional', params);
        const stored = d.storedParts?.[p.id];
        return stored ? `${ask}\n${c.t('nominate.part_stored', { name: senderLabel(stored.name) })}` : ask;
      },
      // A file already in the dossier is kept unless a new one is sent.
      skipLabel: (c, d) => (d.storedParts?.[p.id] ? c.t('nominate.part_keep') : null),
      extra: (c, d) => partDraft(c, p.id, () => ({ id: d.nominationId ?? null, year: yearOf(d), unitId: String(d.unitId), ...splitAward(d.award), nominee: nomineeOf(d), summary: d.summaryText ?? '' })),
      summary: (c, d) => {
        const f = partsOf(c, d)[p.id];
        return `${label(c, p.label)}: ${f ? `✓ ${senderLabel(f.name)}` : c.t(p.required ? 'nominate.part_missing' : 'nominate.part_optional_missing')}`;
      },
    }));
    return [
      {
        kind: 'choice',
        id: 'pick',
        prompt: (c) => c.t('nominate.pick_prompt'),
        when: (_c, d) => !!d.open?.length,
        options: (c, d): Option[] => [{ id: 'new', label: c.t('nominate.pick_new') }, ...(d.open ?? [])],
        after: async (c, d) => {
          if (d.pick === 'new') return;
          const n = d.pick ? await c.store.nominations.get(d.pick) : null;
          if (!n || !openToOfficer(n, d.unitId ?? null)) {
            d.pick = 'new';
            return;
          }
          Object.assign(d, loaded(c, n, d.unitId));
        },
      },
      {
        kind: 'choice',
        id: 'scope',
        when: (_c, d) => seenByStaff(d) && Object.keys(d.storedParts ?? {}).length > 0,
        prompt: (c, d) => c.t('nominate.scope_prompt', { title: String(d.title) }),
        options: (c, d) => [
          ...(missingLabels(c, { parts: partsOf(c, d), ...splitAward(d.award) }, d.level ?? null) ? [{ id: 'missing', label: c.t('nominate.scope_missing') }] : []),
          { id: 'all', label: c.t('nominate.scope_all') },
        ],
      },
      { ...yearStep(), when: (c, d) => isNew(d) && campaignYears(c).length > 1 },
      {
        kind: 'choice',
        id: 'nomineeType',
        when: (_c, d) => isNew(d),
        prompt: (c) => c.t('nominate.nominee_prompt'),
        options: (c, d) => [
          { id: 'self', label: c.t('nominate.nominee_self', { unit: String(d.unitName) }) },
          { id: 'collective', label: c.t('nominate.nominee_collective') },
          { id: 'individual', label: c.t('nominate.nominee_individual') },
        ],
        summary: (c, d) => c.t('nominate.nominee_line', { nominee: nomineeOf(d).name }),
      },
      {
        kind: 'text',
        id: 'nomineeName',
        max: 200,
        when: (_c, d) => isNew(d) && d.nomineeType !== 'self',
        prompt: (c, d) => c.t(d.nomineeType === 'individual' ? 'nominate.person_name_prompt' : 'nominate.collective_name_prompt'),
      },
      {
        kind: 'text',
        id: 'nomineePosition',
        max: 120,
        when: (_c, d) => isNew(d) && d.nomineeType === 'individual',
        prompt: (c) => c.t('nominate.position_prompt'),
        summary: (c, d) => c.t('nominate.position_line', { position: String(d.nomineePosition) }),
      },
      {
        kind: 'text',
        id: 'nomineeUnit',
        max: 200,
        when: (_c, d) => isNew(d) && d.nomineeType === 'individual',
        prompt: (c) => c.t('nominate.person_unit_prompt'),
        summary: (c, d) => c.t('nominate.person_unit_line', { unit: String(d.nomineeUnit) }),
      },
      {
        kind: 'choice',
        id: 'award',
        when: (_c, d) => isNew(d),
        prompt: (c) => c.t('nominate.award_prompt'),
        options: (c, d) => awardOptions(c, yearOf(d)),
        feedback: quotaWarning,
        summary: (c, d) => c.t('nominate.award_line', { award: awardOptions(c, yearOf(d)).find((o) => o.id === d.award)?.label ?? String(d.award) }),
      },
      {
        kind: 'text',
        id: 'summaryText',
        max: 2000,
        when: (_c, d) => isNew(d),
        prompt: (c) => c.t('nominate.summary_prompt'),
        // Its start only: the whole text is the officer's own, and the summary must fit a phone screen.
        summary: (c, d) => c.t('nominate.summary_line', { text: preview(String(d.summaryText), SUMMARY_PREVIEW) }),
      },
      ...parts,
      {
        kind: 'confirm',
        id: 'confirm',
        prompt: (c, d) => (d.status === 'submitted' ? c.t('nominate.confirm_sent', { title: String(d.title) }) : c.t('nominate.confirm', { year: yearOf(d) })),
        extra: async (c, d) =>
          [
            missingText(c, d, true),
            ...(d.status === 'submitted' ? [lateWarning(c, d)] : [await quotaWarning(c, d), lateSubmitWarning(c, d)]),
            await checkText(c, { id: d.nominationId ?? '', campaignId: c.campaign.id, unitId: String(d.unitId), year: yearOf(d), ...splitAward(d.award), nominee: nomineeOf(d), parts: partsOf(c, d), status: 'draft' }, { missing: false, quotaOver: false }),
          ]
            .filter(Boolean)
            .join('\n'),
        // A sent dossier stays sent: its parts are saved in place.
        actions: (c, d) =>
          d.status === 'submitted'
            ? [
                { id: 'save', label: c.t('nominate.action_save_sent') },
                { id: 'cancel', label: c.t('confirm.cancel') },
              ]
            : [
                { id: 'submit', label: c.t('nominate.action_submit') },
                { id: 'draft', label: c.t('nominate.action_draft') },
                { id: 'cancel', label: c.t('confirm.cancel') },
              ],
      },
    ];
  },
  async complete(ctx, d, action) {
    try {
      return await save(ctx, d, action);
    } catch (err) {
      // The dossier moved on while this conversation was paused (submitted elsewhere, accepted by staff).
      if (isStoreError(err, 'not_editable')) return [{ text: ctx.t('nominate.not_editable') }];
      throw err;
    }
  },
});

function lateWarning(ctx: FlowContext, d: Answers): string | null {
  return pastDossierDeadline(ctx, { year: yearOf(d), ...splitAward(d.award) }) ? ctx.t('nominate.late_warning') : null;
}

async function save(ctx: FlowContext, d: z.output<typeof schema>, action: string): Promise<Reply[]> {
  if (action === 'save' && d.nominationId) return completeSent(ctx, d.nominationId, partsOf(ctx, d));
  const { awardId, reviewId } = splitAward(d.award);
  const fields = { nominee: nomineeOf(d), awardId, reviewId, summary: d.summaryText };
  let n: Nomination;
  if (d.nominationId) {
    n = await ctx.store.nominations.update(d.nominationId, fields, ctx.actor);
  } else {
    n = await ctx.store.nominations.createDraft(
      { campaignId: ctx.campaign.id, year: d.year, unitId: d.unitId, createdBy: ctx.identity.personId ?? ctx.actor.id, ...fields },
      ctx.actor,
    );
  }
  const stored = n.parts;
  for (const [partId, file] of Object.entries(partsOf(ctx, d))) {
    if (stored[partId]?.sha256 !== file.sha256) n = await ctx.store.nominations.attachPart(n.id, partId, file, ctx.actor);
  }
  if (action !== 'submit') return [{ text: ctx.t('nominate.saved_draft', dossierNames(ctx.lang, ctx.campaign, n)) }];
  n = await ctx.store.nominations.setStatus(n.id, 'submitted', { deadline: nominationDeadline(ctx.campaign, n) }, ctx.actor);
  const c = dossierCompleteness(ctx.campaign, n, d.level ?? null);
  // Staff above the unit hear at once about a dossier submitted with parts missing (jobs/alerts.ts).
  // The submission stands even if that cannot be queued now: the scheduled digests list it too.
  if (!c.complete) await ctx.jobs?.dossierSubmitted(n).catch(() => {});
  const text = c.complete
    ? ctx.t('nominate.submitted', dossierNames(ctx.lang, ctx.campaign, n))
    : ctx.t('nominate.submitted_incomplete', { ...dossierNames(ctx.lang, ctx.campaign, n), parts: c.missingRequired.map((p) => label(ctx, p.label)).join('; ') });
  return [{ text: n.lateAt ? `${text}\n${ctx.t('nominate.submitted_late', { year: n.year })}` : text }];
}
