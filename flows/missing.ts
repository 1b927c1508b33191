import { defineFlow } from '../src/engine/flow.js';
import { isReviewer, reviewOffice } from '../src/domain/roles.js';
import { may } from './lib/access.js';
import { officeOverview } from '../src/services/overview.js';
import { campaignYears, label } from './lib/common.js';
import { capped, deadlineLine } from './lib/staff.js';

/** Hồ sơ thiếu: units whose dossiers miss required parts, and exactly which. */
export const missing = defineFlow({
  id: 'missing',
  title: 'missing.title',
  command: '/thieu',
  available: may(isReviewer),
  async render(ctx) {
    const year = campaignYears(ctx)[0]!;
    const rows = (await officeOverview(ctx.store, ctx.campaign, reviewOffice(ctx.identity), year)).filter((r) => r.incomplete.length > 0);
    if (rows.length === 0) return [{ text: ctx.t('missing.nothing', { year }) }];
    const lines = rows.flatMap((r) =>
      r.incomplete.map((x) =>
        ctx.t('missing.line', {
          unit: r.unit.name,
          id: x.nomination.id,
          nominee: x.nomination.nominee.name,
          parts: x.missing.map((p) => label(ctx, p.label)).join('; '),
        }),
      ),
    );
    return [{ text: [ctx.t('missing.header', { year, count: rows.length }), deadlineLine(ctx, year), ...capped(ctx, lines)].join('\n') }];
  },
});
