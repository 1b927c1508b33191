import path from 'node:path';
import { defineFlow } from '../src/engine/flow.js';
import { exportSheets, writeXlsx } from '../src/services/export.js';
import { writeCouncilZip } from '../src/services/export-zip.js';
import { isReviewer, reviewOffice } from '../src/domain/roles.js';
import { may } from './lib/access.js';
import { campaignYears } from './lib/common.js';
import { flowLink } from './links.js';

/**
 * Xuất báo cáo: the staff member's scope as an XLSX workbook, sent as a document, with a
 * button for the council pack. `/xuat <year> zip` (or the button, `<year>:zip`) sends the
 * pack: the workbook and one folder per dossier with its files, as a ZIP.
 */
export const exportFlow = defineFlow({
  id: 'export',
  title: 'export.title',
  command: '/xuat',
  available: may(isReviewer),
  async render(ctx) {
    const words = (ctx.args ?? '').trim().toLowerCase().split(/[\s:]+/);
    const arg = Number(words[0]);
    const zip = words.includes('zip');
    const year = ctx.campaign.reportingYears.includes(arg) ? arg : campaignYears(ctx)[0]!;
    const office = reviewOffice(ctx.identity);
    const unit = office ? await ctx.store.units.get(office) : null;
    const stamp = ctx.now.toISOString().replace(/[-:]/g, '').slice(0, 15);
    const base = `${ctx.campaign.id}-${year}-${unit?.code ?? 'all'}`;
    const scope = unit?.name ?? ctx.t('export.all_units');
    if (zip) {
      const rel = path.join('exports', `${base}-${stamp}.zip`);
      const made = await writeCouncilZip(ctx.store, ctx.files, ctx.campaign, office, year, ctx.lang, ctx.now, ctx.files.absolute({ path: rel }), `${base}.xlsx`);
      const text = [ctx.t('export.zip_ready', { year, scope, dossiers: made.dossiers, files: made.files })];
      if (made.missing.length) text.push(ctx.t('export.zip_missing', { count: made.missing.length }));
      return [{ text: text.join('\n'), file: { path: rel, name: path.basename(rel), mime: 'application/zip' } }];
    }
    const rel = path.join('exports', `${base}-${stamp}.xlsx`);
    await writeXlsx(await exportSheets(ctx.store, ctx.campaign, office, year, ctx.lang, ctx.now), ctx.files.absolute({ path: rel }));
    return [
      {
        text: ctx.t('export.ready', { year, scope }),
        file: { path: rel, name: path.basename(rel), mime: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' },
      },
      { text: ctx.t('export.zip_offer', { year }), choices: [{ payload: flowLink('export', `${year}:zip`), label: ctx.t('export.zip_button') }] },
    ];
  },
});
