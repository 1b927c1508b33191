import type { Flow, FlowContext, Option } from '../src/engine/flow.js';
import type { Identity } from '../src/domain/entities.js';
import { formatVn } from '../src/domain/index.js';
import { isStoreError } from '../src/store/index.js';
import { confirmActions } from './common.js';
import { reviewable, scopeOf } from './review.js';

const isStaff = (ctx: FlowContext) => ctx.identity.role === 'admin' || (ctx.identity.role === 'staff' && ctx.identity.unitId !== null);
const key = (i: Pick<Identity, 'channel' | 'userId'>) => `${i.channel}:${i.userId}`;

/** A listed person: short option id for the button, the identity it stands for in `ref`. */
type PersonOption = Option & { ref: string };

/** Whether this reviewer may revoke `i`: officers and staff of units under their office; for admins, anyone, other admins too. */
function mayRevoke(ctx: FlowContext, scope: Set<string> | null, i: Identity): boolean {
  if (key(i) === key(ctx.identity)) return false;
  if (i.role === 'admin') return ctx.identity.role === 'admin';
  return (i.role === 'officer' || i.role === 'staff') && i.unitId !== null && (!scope || scope.has(i.unitId));
}

/** The people this reviewer may revoke, admins first (not the reviewer). */
async function peopleInScope(ctx: FlowContext): Promise<PersonOption[]> {
  const scope = await scopeOf(ctx);
  const out: PersonOption[] = [];
  const all = await ctx.store.identities.all();
  for (const i of [...all.filter((x) => x.role === 'admin'), ...all.filter((x) => x.role !== 'admin')]) {
    if (!mayRevoke(ctx, scope, i)) continue;
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
export const people: Flow = {
  id: 'people',
  title: 'people.title',
  command: '/canbo',
  available: isStaff,
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
      options: (_c, d) => (d.people as Option[]).map(({ id, label }) => ({ id, label })),
      summary: (_c, d) => (d.people as Option[]).find((o) => o.id === d.pick)?.label ?? null,
    },
    { kind: 'confirm', id: 'confirm', prompt: (c) => c.t('people.confirm_revoke'), actions: confirmActions },
  ],
  async complete(ctx, d) {
    const picked = (d.people as PersonOption[]).find((o) => o.id === d.pick)!;
    const [channel, ...rest] = picked.ref.split(':');
    const userId = rest.join(':');
    const target = await ctx.store.identities.get(channel as Identity['channel'], userId);
    // Checked again at the moment of the change: the list may be stale.
    if (!target || !mayRevoke(ctx, await scopeOf(ctx), target)) return [{ text: ctx.t('error.not_allowed') }];
    try {
      await ctx.store.identities.revoke(target.channel, target.userId, ctx.actor);
    } catch (err) {
      if (isStoreError(err, 'last_admin')) return [{ text: ctx.t('people.last_admin') }];
      throw err;
    }
    return [{ text: ctx.t('people.revoked', { who: picked.label }) }];
  },
};

/** Lịch sử hồ sơ: every change to one dossier, who made it and when (Vietnam time). */
export const dossierHistory: Flow = {
  id: 'history',
  title: 'history.title',
  command: '/lichsu',
  hidden: true,
  available: isStaff,
  steps: () => [],
  complete: async () => [],
  async render(ctx) {
    const found = await reviewable(ctx, ctx.args);
    if (!found.ok) return [{ text: found.error }];
    const entries = await ctx.store.audit.forEntity(found.n.id);
    const lines = entries.map((e) => {
      const after = (e.after ?? {}) as { status?: string; returnReason?: string | null };
      const status = after.status ? ctx.t(`status.dossier_${after.status as 'draft'}`) : '';
      return ctx.t('history.line', {
        at: formatVn(new Date(e.at), ctx.lang, true),
        action: e.action,
        status,
        role: e.role ?? '—',
        channel: e.channel,
      }) + (after.returnReason ? ` — ${ctx.t('status.return_reason', { reason: after.returnReason })}` : '');
    });
    return [{ text: [ctx.t('history.header', { id: found.n.id, nominee: found.n.nominee.name }), ...lines].join('\n') }];
  },
};
