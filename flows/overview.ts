import { defineFlow } from '../src/engine/flow.js';
import type { UnitProgress } from '../src/services/overview.js';
import { isReviewer } from '../src/domain/roles.js';
import { may } from './lib/access.js';
import { badYearText, cappedRows, deadlineLines, staffYears } from './lib/staff.js';

/**
 * Thống kê: per unit under the office, registered / reported / dossiers complete, for
 * each reporting year with something due or submitted, or the year typed ("/thongke 2023").
 */
export const overview = defineFlow({
  id: 'overview',
  title: 'overview.title',
  command: '/thongke',
  available: may(isReviewer),
  async render(ctx) {
    const view = await staffYears(ctx);
    if ('bad' in view) return [{ text: badYearText(ctx, '/thongke', view.bad) }];
    const yes = (b: boolean) => (b ? '✓' : '✗');
    const section = (year: number, rows: UnitProgress[]) => {
      const count = (f: (r: UnitProgress) => boolean) => rows.filter(f).length;
      const line = (r: UnitProgress) =>
        ctx.t('overview.unit_line', {
          unit: r.name,
          registered: yes(r.registered),
          reported: r.reported ? (r.reportLate ? ctx.t('overview.late') : '✓') : '✗',
          dossiers: r.nominations === 0 ? '—' : `${r.nominations - r.incomplete.length}/${r.nominations}`,
        });
      return [
        ctx.t('overview.header', { year, total: rows.length }),
        ctx.t('overview.counts', {
          registered: count((r) => r.registered),
          reported: count((r) => r.reported),
          incomplete: count((r) => r.incomplete.length > 0),
          total: rows.length,
        }),
        ...deadlineLines(ctx, year),
        ctx.t('overview.legend'),
        ...cappedRows(ctx, rows, line),
      ];
    };
    const head = view.allPassed ? [ctx.t('staff.all_passed')] : [];
    return [{ text: [...head, ...view.years.flatMap(({ year, rows }, i) => [...(i > 0 ? [''] : []), ...section(year, rows)])].join('\n') }];
  },
});
