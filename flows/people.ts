import { z } from 'zod';
import { defineFlow, type FlowContext, type Option } from '../src/engine/flow.js';
import type { Identity } from '../src/domain/entities.js';
import { isStoreError } from '../src/store/index.js';
import { canRevoke, isReviewer } from '../src/domain/roles.js';
import { may, scopeHere } from './lib/access.js';
import { confirmActions, optionSchema } from './lib/common.js';

const key = (i: Pick<Identity, 'channel' | 'userId'>) => `${i.channel}:${i.userId}`;

/** A listed person: short option id for the button, the identity it stands for in `ref`. */
const personSchema = optionSchema.extend({ ref: z.string() });
type PersonOption = z.infer<typeof personSchema>;

const schema = z.object({ people: z.array(personSchema), pick: z.string() });

/** The people this reviewer may revoke, admins first (not the reviewer). */
async function peopleInScope(ctx: FlowContext): Promise<PersonOption[]> {
  const scope = await scopeHere(ctx);
  const out: PersonOption[] = [];
  const all = await ctx.store.identities.all();
  for (const i of [...all.filter((x) => x.role === 'admin'), ...all.filter((x) => x.role !== 'admin')]) {
    if (!canRevoke(ctx.identity, scope, i)) continue;
    const unit = i.unitId ? await ctx.store.units.get(i.unitId) : null;
    const person = i.personId ? await ctx.store.people.get(i.personId) : null;
    const who = person?.name ?? `${i.channel} …${i.userId.slice(-4)}`;
    out.push({
      id: String(out.length + 1),
      label:
        i.role === 'admin' || !i.unitId
          ? ctx.t('people.admin_line', { who })
          : ctx.t('people.line', { role: ctx.t(`people.role_${i.role as 'officer' | 'staff'}`), unit: unit?.name ?? i.unitId, who }),
      ref: key(i),
    });
  }
  return out;
}

/** Cán bộ: staff list the people acting for their units and can revoke one; admins also see and revoke other admins. */
export const people = defineFlow({
  id: 'people',
  title: 'people.title',
  command: '/canbo',
  available: may(isReviewer),
  schema,
  async begin(ctx) {
    const list = await peopleInScope(ctx);
    if (list.length === 0) return { refuse: ctx.t('people.none') };
    return { data: { people: list } };
  },
  steps: () => [
    {
      kind: 'choice',
      id: 'pick',
      prompt: (c) => c.t('people.pick'),
      options: (_c, d): Option[] => (d.people ?? []).map(({ id, label }) => ({ id, label })),
      summary: (_c, d) => d.people?.find((o) => o.id === d.pick)?.label ?? null,
    },
    { kind: 'confirm', id: 'confirm', prompt: (c) => c.t('people.confirm_revoke'), actions: confirmActions },
  ],
  async complete(ctx, d) {
    const picked = d.people.find((o) => o.id === d.pick);
    if (!picked) return [{ text: ctx.t('error.not_allowed') }];
    const [channel, ...rest] = picked.ref.split(':');
    const userId = rest.join(':');
    const target = await ctx.store.identities.get(channel as Identity['channel'], userId);
    // Checked again at the moment of the change: the list may be stale.
    if (!target || !canRevoke(ctx.identity, await scopeHere(ctx), target)) return [{ text: ctx.t('error.not_allowed') }];
    try {
      await ctx.store.identities.revoke(target.channel, target.userId, ctx.actor);
    } catch (err) {
      if (isStoreError(err, 'last_admin')) return [{ text: ctx.t('people.last_admin') }];
      throw err;
    }
    return [{ text: ctx.t('people.revoked', { who: picked.label }) }];
  },
});
