import { z } from 'zod';
import { defineFlow, type FlowContext, type Option } from '../src/engine/flow.js';
import type { Identity } from '../src/domain/entities.js';
import { confirmActions, optionSchema, unitExample } from './lib/common.js';
import { formatVn, hasJoined, INDIVIDUAL_KINDS, type IndividualKind } from '../src/domain/index.js';
import { t as translate } from '../src/i18n.js';

const KINDS: IndividualKind[] = ['citizen', 'household', 'civil_servant', 'entrepreneur'];

/** Joining with a code (`code` holds what it grants) or as an individual (the other fields). */
const schema = z.object({
  who: z.enum(['code', 'individual']),
  code: z.object({ role: z.enum(['officer', 'staff', 'admin']), unitId: z.string().nullable() }).optional(),
  name: z.string().optional(),
  kind: z.enum(INDIVIDUAL_KINDS).optional(),
  /** null: skipped. */
  position: z.string().nullable().optional(),
  unitQuery: z.string().optional(),
  /** Units found for the query, offered by the next step. */
  unitMatches: z.array(optionSchema).optional(),
  /** A unit id, or 'none' (not in the list: unitQuery is kept as typed). */
  unitPick: z.string().optional(),
});

/** Who are you? An officer or staff member joins with an invite code; anyone can join as an individual. */
export const onboarding = defineFlow({
  id: 'onboarding',
  title: 'onboarding.title',
  available: (ctx) => !hasJoined(ctx.identity),
  schema,
  steps: () => [
    {
      kind: 'choice',
      id: 'who',
      prompt: (ctx) => ctx.t('onboarding.who'),
      options: (ctx): Option[] => [
        { id: 'code', label: ctx.t('onboarding.who_code') },
        { id: 'individual', label: ctx.t('onboarding.who_individual') },
      ],
    },
    {
      kind: 'text',
      id: 'code',
      max: 40,
      when: (_ctx, d) => d.who === 'code',
      prompt: (ctx) => ctx.t('onboarding.code_prompt'),
      parse: async (text, ctx) => {
        const r = await ctx.store.invites.redeem(text, ctx.actor.id);
        if (r.ok) return { ok: true, value: { role: r.invite.role, unitId: r.invite.unitId } };
        if (r.why === 'unknown') return { ok: false, error: ctx.t('onboarding.code_invalid') };
        const minutes = Math.max(1, Math.ceil(r.retryInMs / 60_000));
        if (r.pauseStarted) await alertAdmins(ctx, new Date(ctx.now.getTime() + r.retryInMs));
        return { ok: false, error: ctx.t(r.scope === 'user' ? 'onboarding.code_wait' : 'onboarding.code_paused', { minutes }) };
      },
    },
    {
      kind: 'text',
      id: 'name',
      max: 120,
      when: (_ctx, d) => d.who === 'individual',
      prompt: (ctx) => ctx.t('onboarding.name_prompt'),
      summary: (ctx, d) => ctx.t('onboarding.name_line', { name: String(d.name) }),
    },
    {
      kind: 'choice',
      id: 'kind',
      when: (_ctx, d) => d.who === 'individual',
      prompt: (ctx) => ctx.t('onboarding.kind_prompt'),
      options: (ctx) => KINDS.map((k) => ({ id: k, label: ctx.t(`kind.${k}`) })),
      summary: (ctx, d) => (d.kind ? ctx.t('onboarding.kind_line', { kind: ctx.t(`kind.${d.kind}`) }) : null),
    },
    {
      kind: 'text',
      id: 'position',
      max: 120,
      optional: true,
      when: (_ctx, d) => d.who === 'individual',
      prompt: (ctx) => ctx.t('onboarding.position_prompt'),
      summary: (ctx, d) => (d.position ? ctx.t('onboarding.position_line', { position: String(d.position) }) : null),
    },
    {
      kind: 'text',
      id: 'unitQuery',
      max: 200,
      when: (_ctx, d) => d.who === 'individual',
      prompt: async (ctx) => ctx.t('onboarding.unit_prompt', { example: await unitExample(ctx, null, ['commune', 'hamlet']) }),
      after: async (ctx, d) => {
        const found = await ctx.store.units.findByName(String(d.unitQuery), { limit: 8 });
        d.unitMatches = found.map((u) => ({ id: u.id, label: u.name }));
      },
      summary: (ctx, d) => ctx.t('onboarding.unit_line', { unit: unitLabel(d) }),
    },
    {
      kind: 'choice',
      id: 'unitPick',
      when: (_ctx, d) => d.who === 'individual' && !!d.unitMatches?.length,
      prompt: (ctx) => ctx.t('onboarding.unit_pick'),
      options: (ctx, d): Option[] => [...(d.unitMatches ?? []), { id: 'none', label: ctx.t('onboarding.unit_none', { text: String(d.unitQuery) }) }],
    },
    {
      kind: 'confirm',
      id: 'confirm',
      when: (_ctx, d) => d.who === 'individual',
      prompt: (ctx) => ctx.t('onboarding.confirm'),
      actions: confirmActions,
    },
  ],
  async complete(ctx, d) {
    const now = ctx.now.toISOString();
    if (d.who === 'code' && d.code) {
      const { role, unitId } = d.code;
      await saveIdentity(ctx, { role, unitId, personId: ctx.identity.personId });
      const unit = unitId ? await ctx.store.units.get(unitId) : null;
      return [{ text: ctx.t(`onboarding.joined_${role}`, { unit: unit?.name ?? '' }) }];
    }
    const picked = d.unitPick && d.unitPick !== 'none' ? d.unitPick : null;
    const person = await ctx.store.people.create(
      {
        name: String(d.name),
        position: d.position ?? null,
        kind: d.kind ?? null,
        unitId: picked,
        unitName: picked ? null : String(d.unitQuery),
        createdAt: now,
      },
      ctx.actor,
    );
    await saveIdentity(ctx, { role: 'individual', unitId: picked, personId: person.id });
    return [{ text: ctx.t('onboarding.joined_individual', { name: person.name }) }];
  },
});

function unitLabel(d: { unitMatches?: Option[]; unitPick?: string; unitQuery?: string }): string {
  const matches = d.unitMatches ?? [];
  return matches.find((m) => m.id === d.unitPick)?.label ?? String(d.unitQuery);
}

/** Too many wrong codes from everyone: someone may be guessing. Told once per pause. */
async function alertAdmins(ctx: FlowContext, until: Date): Promise<void> {
  if (!ctx.notify) return;
  for (const admin of await ctx.store.identities.listByRole('admin')) {
    const text = translate(admin.lang, 'invite.guessing_alert', { time: formatVn(until, admin.lang, true) });
    await ctx.notify(admin, { text }, `invite-pause:${until.toISOString()}:${admin.channel}:${admin.userId}`).catch(() => {});
  }
}

async function saveIdentity(ctx: FlowContext, patch: Pick<Identity, 'role' | 'unitId' | 'personId'>) {
  const saved = await ctx.store.identities.upsert({ ...ctx.identity, ...patch }, ctx.actor);
  // Joined while a deadline's reminders are already going out: the latest one comes at once (jobs/reminders.ts).
  await ctx.jobs?.memberJoined(saved).catch(() => {});
}
