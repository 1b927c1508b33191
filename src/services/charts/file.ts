import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Campaign } from '../../campaign/schema.js';
import type { Lang } from '../../domain/entities.js';
import { CHARTS_DIR } from '../../files.js';
import { levelName, t } from '../../i18n.js';
import type { Store } from '../../store/index.js';
import { staffDeadlineLines } from '../deadlines.js';
import { officeOverview, type UnitProgress } from '../overview.js';
import { MANY_UNITS, progressChartOption, TOP_BEHIND, type ProgressChartOptions } from './option.js';
import { chartPng, optionSvg } from './render.js';

export const PNG_MIME = 'image/png';

/** A written chart as a reply's file: a picture to look at (`inline`). */
export type ChartFile = { path: string; name: string; mime: string; inline: true };

/** The one line sent with a chart: what it shows ("mỗi đơn vị một thanh …", or per level and the ten behind). */
export function chartCaption(lang: Lang, year: number, units: number): string {
  return units > MANY_UNITS ? t(lang, 'chart.caption_many', { year, count: TOP_BEHIND }) : t(lang, 'chart.caption', { year });
}

export interface YearChartInput {
  campaign: Campaign;
  /** The office's name as staff know it; null: the whole campaign. */
  officeName: string | null;
  year: number;
  lang: Lang;
  now: Date;
  /** officeOverview's rows for that office and year. */
  rows: readonly UnitProgress[];
}

/**
 * The chart options /thongke and the staff digests use: "Thống kê năm 2024 — ‹office›", then
 * the same count line as /thongke's text and the year's deadlines with the days left.
 */
export function yearChartOptions(input: YearChartInput): ProgressChartOptions {
  const { campaign, lang, rows, year } = input;
  const count = (f: (r: UnitProgress) => boolean) => rows.filter(f).length;
  return {
    lang,
    title: t(lang, 'chart.title', { year, office: input.officeName ?? t(lang, 'export.all_units') }),
    subtitle: [
      t(lang, 'overview.counts', {
        registered: count((r) => r.registered),
        reported: count((r) => r.reported),
        incomplete: count((r) => r.incomplete.length > 0),
        total: rows.length,
      }),
      ...staffDeadlineLines(campaign, lang, input.now, year),
    ],
    levels: { order: campaign.unitLevels, name: (level) => levelName(campaign, level, lang) },
  };
}

/**
 * Renders the year's progress chart to DATA_DIR/charts (cleaned up with the exports) and
 * returns it as a reply's file; null when the office has no unit to draw.
 */
export async function writeYearChart(dataDir: string, input: YearChartInput): Promise<ChartFile | null> {
  if (input.rows.length === 0) return null;
  const { option, width, height } = progressChartOption(input.rows, yearChartOptions(input));
  const name = `bieu-do-thong-ke-${input.year}.png`;
  // Named by what it shows: the same figures, title and day (staff asking again, a digest to
  // several listeners) reuse the picture instead of drawing it again.
  const hash = createHash('sha256').update(JSON.stringify([option, width, height])).digest('hex').slice(0, 24);
  const rel = path.join(CHARTS_DIR, `${input.campaign.id}-${hash}-${name}`);
  const abs = path.join(dataDir, rel);
  const png = (await fs.readFile(abs).catch(() => null)) ?? chartPng(optionSvg(option, width, height));
  // Written even when it was there: its file time is then the last time it was sent, which
  // the cleanup ages it by. Aside then renamed: a concurrent reader never sees half a PNG.
  await fs.mkdir(path.dirname(abs), { recursive: true });
  const tmp = `${abs}.${process.pid}.${Math.random().toString(36).slice(2, 8)}.tmp`;
  await fs.writeFile(tmp, png);
  await fs.rename(tmp, abs);
  return { path: rel, name, mime: PNG_MIME, inline: true };
}

/** The office's chart for a year as a reply (caption and picture), from officeOverview (the rows /thongke lists); null without units. */
export async function officeYearChart(
  deps: { store: Store; campaign: Campaign; dataDir: string },
  officeUnitId: string | null,
  year: number,
  lang: Lang,
  now: Date,
): Promise<{ text: string; file: ChartFile } | null> {
  const rows = await officeOverview(deps.store, deps.campaign, officeUnitId, year, lang);
  const office = officeUnitId ? await deps.store.units.get(officeUnitId) : null;
  const file = await writeYearChart(deps.dataDir, { campaign: deps.campaign, officeName: office?.name ?? null, year, lang, now, rows });
  return file && { text: chartCaption(lang, year, rows.length), file };
}
