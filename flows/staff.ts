import type { Flow, FlowContext } from '../src/engine/flow.js';
import { daysLeft, dossierDeadline, dossierDueDay, formatDeadline } from '../src/domain/index.js';
import { officeOverview } from '../src/services/overview.js';
import { campaignYears, label } from './common.js';

/** How many units one message lists before summarising the rest. */
const MAX_LINES = 40;

const isStaff = (ctx: FlowContext) => ctx.identity.role === 'staff' || ctx.identity.role === 'admin';
const officeOf = (ctx: FlowContext) => (ctx.identity.role === 'admin' ? null : ctx.identity.unitId);

function deadlineLine(ctx: FlowContext, year: number): string {
  const due = dossierDeadline(ctx.campaign, year);
  return ctx.t('staff.dossier_deadline', { date: formatDeadline(due, ctx.lang), days: daysLeft(ctx.now, dossierDueDay(ctx.campaign, year)) });
}

function capped(ctx: FlowContext, lines: string[]): string[] {
  return lines.length <= MAX_LINES ? lines : [...lines.slice(0, MAX_LINES), ctx.t('staff.more', { count: lines.length - MAX_LINES })];
}

/** Thống kê: per unit under the office, registered / reported / dossiers complete. */
export const overview: Flow = {
  id: 'overview',
  title: 'staff.overview_title',
  command: '/thongke',
  available: isStaff,
  steps: () => [],
  complete: async () => [],
  async render(ctx) {
    const year = campaignYears(ctx)[0]!;
    const rows = await officeOverview(ctx.store, ctx.campaign, officeOf(ctx), year);
    const count = (f: (r: (typeof rows)[number]) => boolean) => rows.filter(f).length;
    const yes = (b: boolean) => (b ? '✓' : '✗');
    const lines = rows.map((r) =>
      ctx.t('staff.unit_line', {
        unit: r.unit.name,
        registered: yes(r.registered),
        reported: r.reported ? (r.reportLate ? ctx.t('staff.late') : '✓') : '✗',
        dossiers: r.nominations === 0 ? '—' : `${r.nominations - r.incomplete.length}/${r.nominations}`,
      }),
    );
    return [
      {
        text: [
          ctx.t('staff.overview_header', { year, total: rows.length }),
          ctx.t('staff.overview_counts', {
            registered: count((r) => r.registered),
            reported: count((r) => r.reported),
            incomplete: count((r) => r.incomplete.length > 0),
            total: rows.length,
          }),
          deadlineLine(ctx, year),
          ctx.t('staff.legend'),
          ...capped(ctx, lines),
        ].join('\n'),
      },
    ];
  },
};

/** Hồ sơ thiếu: units whose dossiers miss required parts, and exactly which. */
export const missing: Flow = {
  id: 'missing',
  title: 'staff.missing_title',
  command: '/thieu',
  available: isStaff,
  steps: () => [],
  complete: async () => [],
  async render(ctx) {
    const year = campaignYears(ctx)[0]!;
    const rows = (await officeOverview(ctx.store, ctx.campaign, officeOf(ctx), year)).filter((r) => r.incomplete.length > 0);
    if (rows.length === 0) return [{ text: ctx.t('staff.nothing_missing', { year }) }];
    const lines = rows.flatMap((r) =>
      r.incomplete.map((x) =>
        ctx.t('staff.missing_line', {
          unit: r.unit.name,
          id: x.nomination.id,
          nominee: x.nomination.nominee.name,
          parts: x.missing.map((p) => label(ctx, p.label)).join('; '),
        }),
      ),
    );
    return [{ text: [ctx.t('staff.missing_header', { year, count: rows.length }), deadlineLine(ctx, year), ...capped(ctx, lines)].join('\n') }];
  },
};
