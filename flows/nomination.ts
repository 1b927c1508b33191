import type { Data, Flow, FlowContext, Option, Step } from '../src/engine/flow.js';
import type { FileRef, Nomination, Nominee } from '../src/domain/entities.js';
import type { Reply } from '../src/engine/types.js';
import { senderLabel } from '../src/files.js';
import { dossierCompleteness, quotaUse, reviewsOpenIn } from '../src/domain/index.js';
import { isStoreError } from '../src/store/index.js';
import { campaignYears, defaultYear, isOfficer, label, yearOf, yearStep } from './common.js';

const partField = (partId: string) => `p_${partId}`;
/** Award and review travel together as one choice: "<awardId>.<reviewId>". */
const awardKey = (awardId: string, reviewId: string) => `${awardId}.${reviewId}`;
const splitAward = (key: unknown) => {
  const [awardId = '', reviewId = ''] = String(key).split('.');
  return { awardId, reviewId };
};

function nomineeOf(d: Data): Nominee {
  if (d.nomineeType === 'individual')
    return { type: 'individual', name: String(d.nomineeName), position: String(d.nomineePosition ?? ''), unitName: String(d.nomineeUnit ?? '') };
  if (d.nomineeType === 'collective') return { type: 'collective', unitId: null, name: String(d.nomineeName) };
  return { type: 'collective', unitId: String(d.unitId), name: String(d.unitName) };
}

function partsOf(ctx: FlowContext, d: Data): Record<string, FileRef> {
  const parts: Record<string, FileRef> = { ...((d.storedParts as Record<string, FileRef> | undefined) ?? {}) };
  for (const p of ctx.campaign.dossierParts) {
    const f = d[partField(p.id)] as FileRef | null | undefined;
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
async function quotaWarning(ctx: FlowContext, d: Data): Promise<string | null> {
  const { awardId, reviewId } = splitAward(d.award);
  // Quotas in the plans are for the whole campaign (e.g. 2 collectives for the commune), not per unit.
  const all = await ctx.store.nominations.list(ctx.campaign.id, yearOf(d));
  const others = all.filter((n) => n.id !== d.nominationId);
  const use = quotaUse(ctx.campaign, awardId, reviewId, others, yearOf(d));
  const side = nomineeOf(d).type === 'individual' ? use.individual : use.collective;
  if (side.limit === null || side.used + 1 <= side.limit) return null;
  return ctx.t('nominate.quota_warning', { limit: side.limit, used: side.used, kind: ctx.t(`nominate.kind_${nomineeOf(d).type}`) });
}

function missingText(ctx: FlowContext, d: Data): string {
  const c = dossierCompleteness(ctx.campaign, { parts: partsOf(ctx, d) } as Pick<Nomination, 'parts'> as Nomination);
  return c.missingRequired.length
    ? ctx.t('nominate.missing', { parts: c.missingRequired.map((p) => label(ctx, p.label)).join('; ') })
    : ctx.t('nominate.complete');
}

const isNew = (d: Data) => !d.nominationId;

/** Đề nghị khen thưởng: nominee, award, summary, then each dossier part as a file or "later". */
export const nomination: Flow = {
  id: 'nominate',
  title: 'nominate.title',
  command: '/dexuat',
  available: isOfficer,
  async begin(ctx) {
    const unit = await ctx.store.units.get(ctx.identity.unitId!);
    if (!unit) return { refuse: ctx.t('common.unit_missing') };
    return { data: { ...defaultYear(ctx), unitId: unit.id, unitName: unit.name, open: await openNominations(ctx, unit.id) } };
  },
  steps(ctx) {
    const parts: Step[] = ctx.campaign.dossierParts.map((p, n, all) => ({
      kind: 'file',
      id: partField(p.id),
      when: (_c, d) => !(d.storedParts as Record<string, FileRef> | undefined)?.[p.id],
      prompt: (c) =>
        c.t(p.required ? 'nominate.part_prompt_required' : 'nominate.part_prompt_optional', { n: n + 1, total: all.length, part: label(c, p.label) }),
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
        when: (_c, d) => Array.isArray(d.open) && d.open.length > 0,
        options: (c, d) => [{ id: 'new', label: c.t('nominate.pick_new') }, ...(d.open as Option[])],
        after: async (c, d) => {
          if (d.pick === 'new') return;
          const n = await c.store.nominations.get(String(d.pick));
          if (!n || n.unitId !== d.unitId || (n.status !== 'draft' && n.status !== 'returned')) {
            d.pick = 'new';
            return;
          }
          Object.assign(d, {
            nominationId: n.id,
            year: String(n.year),
            nomineeType: n.nominee.type === 'individual' ? 'individual' : n.nominee.unitId === d.unitId ? 'self' : 'collective',
            nomineeName: n.nominee.name,
            nomineePosition: n.nominee.type === 'individual' ? n.nominee.position : undefined,
            nomineeUnit: n.nominee.type === 'individual' ? n.nominee.unitName : undefined,
            award: awardKey(n.awardId, n.reviewId),
            summaryText: n.summary,
            storedParts: n.parts,
          });
        },
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
        summary: (c, d) => c.t('nominate.summary_line', { text: String(d.summaryText) }),
      },
      ...parts,
      {
        kind: 'confirm',
        id: 'confirm',
        prompt: (c, d) => c.t('nominate.confirm', { year: yearOf(d) }),
        extra: async (c, d) => [missingText(c, d), await quotaWarning(c, d)].filter(Boolean).join('\n'),
        actions: (c) => [
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
};

async function save(ctx: FlowContext, d: Data, action: string): Promise<Reply[]> {
  const { awardId, reviewId } = splitAward(d.award);
  const fields = { nominee: nomineeOf(d), awardId, reviewId, summary: String(d.summaryText ?? '') };
  let n: Nomination;
  if (d.nominationId) {
    n = await ctx.store.nominations.update(String(d.nominationId), fields, ctx.actor);
  } else {
    n = await ctx.store.nominations.createDraft(
      { campaignId: ctx.campaign.id, year: yearOf(d), unitId: String(d.unitId), createdBy: ctx.identity.personId ?? ctx.actor.id, ...fields },
      ctx.actor,
    );
  }
  const stored = n.parts;
  for (const [partId, file] of Object.entries(partsOf(ctx, d))) {
    if (stored[partId]?.sha256 !== file.sha256) n = await ctx.store.nominations.attachPart(n.id, partId, file, ctx.actor);
  }
  if (action !== 'submit') return [{ text: ctx.t('nominate.saved_draft', { id: n.id }) }];
  n = await ctx.store.nominations.setStatus(n.id, 'submitted', {}, ctx.actor);
  const c = dossierCompleteness(ctx.campaign, n);
  // Staff above the unit hear at once about a dossier submitted with parts missing (jobs/alerts.ts).
  // The submission stands even if that cannot be queued now: the scheduled digests list it too.
  if (!c.complete) await ctx.jobs?.dossierSubmitted(n).catch(() => {});
  return [
    {
      text: c.complete
        ? ctx.t('nominate.submitted', { id: n.id })
        : ctx.t('nominate.submitted_incomplete', { id: n.id, parts: c.missingRequired.map((p) => label(ctx, p.label)).join('; ') }),
    },
  ];
}

/** Lists the unit's drafts and returned dossiers so the officer can continue one. */
export async function openNominations(ctx: FlowContext, unitId: string): Promise<Option[]> {
  const out: Option[] = [];
  for (const year of ctx.campaign.reportingYears) {
    for (const n of await ctx.store.nominations.listByUnit(ctx.campaign.id, year, unitId)) {
      if (n.status === 'draft' || n.status === 'returned')
        out.push({ id: n.id, label: ctx.t(n.status === 'draft' ? 'nominate.pick_draft' : 'nominate.pick_returned', { name: n.nominee.name, year: n.year }) });
    }
  }
  return out;
}
