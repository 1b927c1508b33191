import { defineFlow, type FlowContext } from '../src/engine/flow.js';
import type { Reply } from '../src/engine/types.js';
import type { UnitProgress } from '../src/services/overview.js';
import { isReviewer, reviewOffice } from '../src/domain/roles.js';
import { may } from './lib/access.js';
import { badYearText, cappedRows, deadlineLines, staffYears } from './lib/staff.js';

/**
 * Thống kê: per unit under the office, registered / reported / dossiers complete, for
 * each reporting year with something due or submitted, or the year typed ("/thongke 2023");
 * then, per year, the same figures as a chart (a picture: src/services/charts).
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
    const text = { text: [...head, ...view.years.flatMap(({ year, rows }, i) => [...(i > 0 ? [''] : []), ...section(year, rows)])].join('\n') };
    const charts: Reply[] = [];
    for (const { year, rows } of view.years) {
      const chart = await yearChart(ctx, year, rows);
      if (chart) charts.push(chart);
    }
    return [text, ...charts];
  },
});

/** The year's chart with a one-line caption; none for an office without units, or when it cannot be drawn (the text says it all). */
async function yearChart(ctx: FlowContext, year: number, rows: UnitProgress[]): Promise<Reply | null> {
  const office = reviewOffice(ctx.identity);
  const officeName = office ? ((await ctx.store.units.get(office))?.name ?? null) : null;
  // Loaded on first use: the renderer is ~70 MB, and the worker (which runs conversations for Zalo) rarely draws.
  const { chartCaption, writeYearChart } = await import('../src/services/charts/index.js');
  const file = await writeYearChart(ctx.files.dataDir, { campaign: ctx.campaign, officeName, year, lang: ctx.lang, now: ctx.now, rows }).catch(() => null);
  return file && { text: chartCaption(ctx.lang, year, rows.length), file };
}
