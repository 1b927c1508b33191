import { z } from 'zod';
import type { FlowContext, Option, Step } from '../../src/engine/flow.js';
import { vnDate } from '../../src/domain/index.js';
import type { Localized } from '../../src/campaign/schema.js';
import type { UnitLevel } from '../../src/domain/levels.js';

export const label = (ctx: FlowContext, l: Localized) => l[ctx.lang];

/** Reporting years offered, most relevant first: this year, then the latest past one. */
export function campaignYears(ctx: FlowContext): number[] {
  const thisYear = vnDate(ctx.now).year;
  const years = [...ctx.campaign.reportingYears].sort((a, b) => b - a);
  const current = years.filter((y) => y <= thisYear);
  return current.length ? [...current, ...years.filter((y) => y > thisYear)] : years;
}

/** A reporting year: stored as the choice's id ("2024") while stepping, a number once complete. */
export const yearSchema = z.string().regex(/^\d{4}$/).transform(Number);

/** Pre-fills the year when the campaign has only one, so the step is skipped. */
export function defaultYear(ctx: FlowContext): { year?: string } {
  const years = campaignYears(ctx);
  return years.length === 1 ? { year: String(years[0]) } : {};
}

/** The year chosen so far (for prompts while stepping; complete() receives it parsed). */
export const yearOf = (data: { year?: string }) => Number(data.year);

export function yearStep<D extends { year?: string }>(): Step<D> {
  return {
    kind: 'choice',
    id: 'year',
    prompt: (ctx) => ctx.t('common.year_prompt'),
    when: (ctx) => campaignYears(ctx).length > 1,
    options: (ctx) => campaignYears(ctx).map<Option>((y) => ({ id: String(y), label: String(y) })),
    summary: (ctx, data) => ctx.t('common.year_line', { year: String(data.year) }),
  };
}

export const confirmActions = (ctx: FlowContext): Option[] => [
  { id: 'confirm', label: ctx.t('confirm.ok') },
  { id: 'cancel', label: ctx.t('confirm.cancel') },
];

/** Options offered by an earlier step, kept in the answers (matches found by name …). */
export const optionSchema = z.object({ id: z.string(), label: z.string() });

/** The start of a long text, for summaries and lists. */
export const preview = (text: string, max = 200) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

/**
 * A real unit name for a prompt's "ví dụ: …", from this deployment's unit tree: the first unit
 * below `under` (the whole tree when null) of one of `levels` (any level when none fits), so a
 * Hải Dương officer is never told "ví dụ: Bình Thành". Falls back to `under` itself, then to ''.
 */
export async function unitExample(ctx: FlowContext, under: string | null, levels: readonly UnitLevel[] = []): Promise<string> {
  let layer = under ? await ctx.store.units.children(under) : await ctx.store.units.roots();
  let first = '';
  for (let depth = 0; depth < 6 && layer.length; depth++) {
    const hit = layer.find((u) => levels.includes(u.level));
    if (hit) return hit.name;
    first ||= layer[0]!.name;
    // Down one branch only (a few reads per prompt, whatever the size of the tree).
    let next: typeof layer = [];
    for (const u of layer.slice(0, 3)) if ((next = await ctx.store.units.children(u.id)).length) break;
    layer = next;
  }
  return first || (under ? ((await ctx.store.units.get(under))?.name ?? '') : '');
}
