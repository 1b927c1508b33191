import { defineFlow, type FlowContext } from '../src/engine/flow.js';
import type { AuditEntry } from '../src/store/index.js';
import type { FileRef, Nomination } from '../src/domain/entities.js';
import { formatVn } from '../src/domain/index.js';
import { isReviewer } from '../src/domain/roles.js';
import { may } from './lib/access.js';
import { label } from './lib/common.js';
import { reviewable } from './lib/review.js';
import { dossierNames } from './lib/dossier.js';

type Snapshot = Partial<Pick<Nomination, 'status' | 'returnReason'>> & { parts?: Record<string, FileRef | null> };

/** What a change did, in words staff use: "Gửi hồ sơ", "Thêm tệp: Biên bản họp xét…", "Trả lại — lý do: …". */
function actionText(ctx: FlowContext, e: AuditEntry): string {
  const before = (e.before ?? {}) as Snapshot;
  const after = (e.after ?? {}) as Snapshot;
  const kind = e.action.replace(/^nomination\./, '');
  switch (kind) {
    case 'create':
      return ctx.t('history.action_create');
    case 'update':
      return ctx.t('history.action_update');
    case 'attach_part': {
      const parts = ctx.campaign.dossierParts.filter((p) => after.parts?.[p.id] && after.parts[p.id]!.sha256 !== before.parts?.[p.id]?.sha256);
      return ctx.t('history.action_attach_part', { parts: parts.map((p) => label(ctx, p.label)).join('; ') || '—' });
    }
    case 'submitted':
      return ctx.t(before.status === 'returned' ? 'history.action_resubmitted' : 'history.action_submitted');
    case 'returned':
      return ctx.t('history.action_returned', { reason: after.returnReason ?? '—' });
    case 'accepted':
      return ctx.t('history.action_accepted');
    default:
      return e.action;
  }
}

/** Who made a change, by role, and through which channel ("cán bộ đơn vị, qua Zalo"). */
function whoText(ctx: FlowContext, e: AuditEntry): string {
  const role = e.role && ['officer', 'staff', 'admin', 'individual'].includes(e.role) ? e.role : 'system';
  const channel = ['telegram', 'zalo', 'sim'].includes(e.channel) ? ctx.t(`channel.${e.channel as 'sim'}`) : ctx.t(e.channel === 'web' ? 'history.channel_web' : 'history.channel_cli');
  return ctx.t('history.by', { role: ctx.t(`history.role_${role as 'officer'}`), channel });
}

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
    const lines = entries.map((e) => ctx.t('history.line', { at: formatVn(new Date(e.at), ctx.lang, true), action: actionText(ctx, e), who: whoText(ctx, e) }));
    return [{ text: [ctx.t('history.header', dossierNames(ctx.lang, ctx.campaign, found.n)), ...lines].join('\n') }];
  },
});
