import path from 'node:path';
import { defineFlow } from '../src/engine/flow.js';
import { exportSheets, writeXlsx } from '../src/services/export.js';
import { isReviewer, reviewOffice } from '../src/domain/roles.js';
import { may } from './lib/access.js';
import { campaignYears } from './lib/common.js';

/** Xuất báo cáo: the staff member's scope as an XLSX workbook, sent as a document. */
export const exportFlow = defineFlow({
  id: 'export',
  title: 'export.title',
  command: '/xuat',
  available: may(isReviewer),
  async render(ctx) {
    const arg = Number(ctx.args);
    const year = ctx.campaign.reportingYears.includes(arg) ? arg : campaignYears(ctx)[0]!;
    const office = reviewOffice(ctx.identity);
    const unit = office ? await ctx.store.units.get(office) : null;
    const stamp = ctx.now.toISOString().replace(/[-:]/g, '').slice(0, 15);
    const rel = path.join('exports', `${ctx.campaign.id}-${year}-${unit?.code ?? 'all'}-${stamp}.xlsx`);
    await writeXlsx(await exportSheets(ctx.store, ctx.campaign, office, year, ctx.lang, ctx.now), ctx.files.absolute({ path: rel }));
    return [
      {
        text: ctx.t('export.ready', { year, scope: unit?.name ?? ctx.t('export.all_units') }),
        file: { path: rel, name: path.basename(rel), mime: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' },
      },
    ];
  },
});
