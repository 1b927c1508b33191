import { z } from 'zod';
import { defineFlow, type FlowContext, type Option } from '../src/engine/flow.js';
import type { Unit } from '../src/domain/entities.js';
import { officeLevels, type UnitLevel } from '../src/domain/levels.js';
import { canInvite, formatVn, isReviewer, type Scope } from '../src/domain/index.js';
import { may, scopeHere } from './lib/access.js';
import { optionSchema, unitExample } from './lib/common.js';
import { reviewOffice } from '../src/domain/roles.js';

const INVITE_DAYS = 7;

const roleSchema = z.enum(['officer', 'staff']);
type InviteRole = z.infer<typeof roleSchema>;
const roleOf = (d: { role?: InviteRole }): InviteRole => d.role ?? 'officer';
const roleLabel = (ctx: FlowContext, role: InviteRole) => ctx.t(role === 'staff' ? 'invite.role_staff' : 'invite.role_officer');

/** Levels a unit must have to receive this kind of invite. */
const levelsFor = (ctx: FlowContext, role: InviteRole): readonly UnitLevel[] => (role === 'staff' ? officeLevels(ctx.campaign) : ctx.campaign.unitLevels);

/** An invite of `role` for `unit`: a unit of the right level, and the reviewer may invite there (canInvite). */
const mayInvite = (ctx: FlowContext, scope: Scope, role: InviteRole, unit: Unit): boolean =>
  levelsFor(ctx, role).includes(unit.level) && canInvite(ctx.identity, scope, role, unit.id);

/** Units matching the typed name that this reviewer may invite for, labelled with their parent. */
async function candidates(ctx: FlowContext, role: InviteRole, text: string): Promise<Option[]> {
  const found = await ctx.store.units.findByName(text, { limit: 50, levels: levelsFor(ctx, role) });
  const scope = await scopeHere(ctx);
  const out: Option[] = [];
  for (const u of found) {
    if (out.length >= 8) break;
    if (!mayInvite(ctx, scope, role, u)) continue;
    const parent = u.parentId ? await ctx.store.units.get(u.parentId) : null;
    out.push({ id: u.id, label: parent ? `${u.name} (${parent.name})` : u.name });
  }
  return out;
}

/** Cấp mã mời: staff and admins issue one-time codes for officers of their units, or for fellow staff. */
const schema = z.object({
  role: roleSchema,
  unitQuery: z.string(),
  /** Units found for the query, offered by the next step. */
  matches: z.array(optionSchema),
  unit: z.string(),
});

export const invite = defineFlow({
  id: 'invite',
  title: 'invite.title',
  command: '/moi',
  available: may(isReviewer),
  schema,
  steps: () => [
    {
      kind: 'choice',
      id: 'role',
      prompt: (c) => c.t('invite.role_prompt'),
      options: (c) => [
        { id: 'officer', label: c.t('invite.role_officer') },
        { id: 'staff', label: c.t('invite.role_staff') },
      ],
      summary: (c, d) => c.t('invite.role_line', { role: roleLabel(c, roleOf(d)) }),
    },
    {
      kind: 'text',
      id: 'unitQuery',
      max: 200,
      prompt: async (c, d) => c.t('invite.unit_prompt', { example: await unitExample(c, reviewOffice(c.identity), levelsFor(c, roleOf(d))) }),
      parse: async (text, c, d) => {
        const matches = await candidates(c, roleOf(d), text);
        if (matches.length === 0) return { ok: false, error: c.t('invite.unit_none', { text: text.slice(0, 60) }) };
        d.matches = matches;
        return { ok: true, value: text };
      },
    },
    {
      kind: 'choice',
      id: 'unit',
      prompt: (c) => c.t('invite.unit_pick'),
      options: (_c, d) => d.matches ?? [],
      summary: (c, d) => c.t('invite.unit_line', { unit: d.matches?.find((o) => o.id === d.unit)?.label ?? String(d.unit) }),
    },
    {
      kind: 'confirm',
      id: 'confirm',
      prompt: (c) => c.t('invite.confirm', { days: INVITE_DAYS }),
      actions: (c) => [
        { id: 'create', label: c.t('invite.action_create') },
        { id: 'cancel', label: c.t('confirm.cancel') },
      ],
    },
  ],
  async complete(ctx, d) {
    const role = d.role;
    const unit = await ctx.store.units.get(d.unit);
    // Checked again: the role may have been changed with "sửa 1" after the unit was picked.
    if (!unit || !mayInvite(ctx, await scopeHere(ctx), role, unit)) return [{ text: ctx.t('invite.unit_mismatch') }];
    const { code, invite: created } = await ctx.store.invites.issue({ role, unitId: unit.id, ttlDays: INVITE_DAYS, createdBy: ctx.actor.id }, ctx.actor);
    return [
      {
        text: ctx.t('invite.created', {
          code,
          role: roleLabel(ctx, role),
          unit: unit.name,
          date: formatVn(new Date(created.expiresAt), ctx.lang, true),
        }),
      },
    ];
  },
});
