import { z } from 'zod';
import { defineFlow } from '../src/engine/flow.js';
import { canRegister, registrant } from '../src/domain/roles.js';
import { may } from './lib/access.js';
import type { FlowContext } from '../src/engine/context.js';
import { confirmActions, defaultYear, label, yearOf, yearSchema, yearStep } from './lib/common.js';

const schema = z.object({
  year: yearSchema,
  /** Content area ids, in the campaign's order. */
  areas: z.array(z.string()).min(1),
  /** null: skipped. */
  commitments: z.string().nullable(),
});

type Draft = Partial<z.input<typeof schema>>;

/** Registering again for a year starts from what was saved for it (the areas then show ticked). */
async function fromSaved(ctx: FlowContext, d: Draft): Promise<void> {
  const subject = registrant(ctx.identity);
  if (!subject || !d.year) return;
  const saved = await ctx.store.registrations.get(ctx.campaign.id, Number(d.year), subject);
  if (!saved) return;
  const known = new Set(ctx.campaign.contentAreas.map((a) => a.id));
  const areas = saved.contentAreas.filter((id) => known.has(id));
  if (areas.length) d.areas = areas;
  d.commitments = saved.commitments;
}

/** Đăng ký thi đua: a unit (by its officer) or an individual commits to content areas for a year. */
export const register = defineFlow({
  id: 'register',
  title: 'register.title',
  command: '/dangky',
  available: may(canRegister),
  schema,
  async begin(ctx) {
    const data: Draft = defaultYear(ctx);
    await fromSaved(ctx, data);
    return { data };
  },
  steps: () => [
    { ...yearStep<Draft>(), after: fromSaved },
    {
      kind: 'multi',
      id: 'areas',
      prompt: (ctx) => ctx.t('register.areas_prompt'),
      options: (ctx) => ctx.campaign.contentAreas.map((a) => ({ id: a.id, label: label(ctx, a.label) })),
      summary: (ctx, d) =>
        ctx.t('register.areas_line', {
          areas: ctx.campaign.contentAreas
            .filter((a) => d.areas?.includes(a.id))
            .map((a) => label(ctx, a.label))
            .join('; '),
        }),
    },
    {
      kind: 'text',
      id: 'commitments',
      max: 1000,
      optional: true,
      prompt: (ctx) => ctx.t('register.commitments_prompt'),
      summary: (ctx, d) => ctx.t('register.commitments_line', { text: d.commitments ?? ctx.t('common.none') }),
    },
    {
      kind: 'confirm',
      id: 'confirm',
      prompt: (ctx, d) => ctx.t('register.confirm', { year: yearOf(d) }),
      actions: confirmActions,
    },
  ],
  async complete(ctx, d) {
    const subject = registrant(ctx.identity)!;
    const existing = await ctx.store.registrations.get(ctx.campaign.id, d.year, subject);
    await ctx.store.registrations.upsert(
      {
        campaignId: ctx.campaign.id,
        year: d.year,
        subject,
        contentAreas: d.areas,
        commitments: d.commitments,
        registeredBy: ctx.identity.personId ?? ctx.actor.id,
      },
      ctx.actor,
    );
    return [{ text: ctx.t(existing ? 'register.updated' : 'register.done', { year: d.year }) }];
  },
});
