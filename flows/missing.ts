import { defineFlow } from '../src/engine/flow.js';
import { label } from './lib/common.js';
import { isReviewer } from '../src/domain/roles.js';
import { may } from './lib/access.js';
import { badYearText, capped, deadlineLines, staffYears } from './lib/staff.js';
import { dossierNumber } from './lib/dossier.js';

/** Hồ sơ thiếu: units whose dossiers miss required parts, and exactly which, for each year shown (or the year typed). */
export const missing = defineFlow({
  id: 'missing',
  title: 'missing.title',
  command: '/thieu',
  available: may(isReviewer),
  async render(ctx) {
    const view = await staffYears(ctx);
    if ('bad' in view) return [{ text: badYearText(ctx, '/thieu', view.bad) }];
    const sections = view.years.map(({ year, rows: all }) => {
      const rows = all.filter((r) => r.incomplete.length > 0);
      if (rows.length === 0) return [ctx.t('missing.nothing', { year })];
      const lines = rows.flatMap((r) =>
        r.incomplete.map((x) =>
          ctx.t('missing.line', {
            unit: r.name,
            number: dossierNumber(x.nomination),
            nominee: x.nomination.nominee.name,
            parts: x.missing.map((p) => label(ctx, p.label)).join('; '),
          }),
        ),
      );
      // Only the deadline the missing parts are for, before the list it introduces.
      return [...deadlineLines(ctx, year, ['dossier']), ctx.t('missing.header', { year, count: rows.length }), ...capped(ctx, lines)];
    });
    const head = view.allPassed ? [ctx.t('staff.all_passed')] : [];
    return [{ text: [...head, ...sections.flatMap((s, i) => [...(i > 0 ? [''] : []), ...s])].join('\n') }];
  },
});
