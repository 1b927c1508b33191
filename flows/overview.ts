import { defineFlow } from '../src/engine/flow.js';
import { isReviewer, reviewOffice } from '../src/domain/roles.js';
import { may } from './lib/access.js';
import { officeOverview } from '../src/services/overview.js';
import { campaignYears } from './lib/common.js';
import { capped, deadlineLine } from './lib/staff.js';

/** Thống kê: per unit under the office, registered / reported / dossiers complete. */
export const overview = defineFlow({
  id: 'overview',
  title: 'overview.title',
  command: '/thongke',
  available: may(isReviewer),
  async render(ctx) {
    const year = campaignYears(ctx)[0]!;
    const rows = await officeOverview(ctx.store, ctx.campaign, reviewOffice(ctx.identity), year);
    const count = (f: (r: (typeof rows)[number]) => boolean) => rows.filter(f).length;
    const yes = (b: boolean) => (b ? '✓' : '✗');
    const lines = rows.map((r) =>
      ctx.t('overview.unit_line', {
        unit: r.unit.name,
        registered: yes(r.registered),
        reported: r.reported ? (r.reportLate ? ctx.t('overview.late') : '✓') : '✗',
        dossiers: r.nominations === 0 ? '—' : `${r.nominations - r.incomplete.length}/${r.nominations}`,
      }),
    );
    return [
      {
        text: [
          ctx.t('overview.header', { year, total: rows.length }),
          ctx.t('overview.counts', {
            registered: count((r) => r.registered),
            reported: count((r) => r.reported),
            incomplete: count((r) => r.incomplete.length > 0),
            total: rows.length,
          }),
          deadlineLine(ctx, year),
          ctx.t('overview.legend'),
          ...capped(ctx, lines),
        ].join('\n'),
      },
    ];
  },
});
