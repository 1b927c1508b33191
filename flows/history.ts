import { defineFlow } from '../src/engine/flow.js';
import { formatVn } from '../src/domain/index.js';
import { isReviewer } from '../src/domain/roles.js';
import { may } from './lib/access.js';
import { reviewable } from './lib/review.js';
import { dossierNames } from './lib/dossier.js';

/** Lịch sử hồ sơ: every change to one dossier, who made it and when (Vietnam time). */
export const history = defineFlow({
  id: 'history',
  title: 'history.title',
  command: '/lichsu',
  hidden: true,
  available: may(isReviewer),
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
    return [{ text: [ctx.t('history.header', dossierNames(ctx.lang, ctx.campaign, found.n)), ...lines].join('\n') }];
  },
});
