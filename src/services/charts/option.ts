import type { EChartsOption } from 'echarts';
import type { Lang } from '../../domain/entities.js';
import { t } from '../../i18n.js';
import type { UnitProgress } from '../overview.js';
import { byMissing, levelFigures, type UnitFigures } from './figures.js';
import { FONT_FAMILY } from './font.js';

export interface ProgressChartOptions {
  /** "Thống kê năm 2024 — UBND xã Bình Thành". */
  title: string;
  lang: Lang;
  /** Lines under the title: the counts and the deadlines with the days left (services/deadlines.ts). */
  subtitle?: readonly string[];
  /** The campaign's level order and names, for the per-level panel of large offices. */
  levels?: { order: readonly string[]; name: (level: string) => string };
  /** Logical width in px (the PNG is drawn at 1.5 × that). */
  width?: number;
}

/** Up to this many units, one bar per unit; more: counts per level and the ten furthest behind. */
export const MANY_UNITS = 40;
export const TOP_BEHIND = 10;

const WIDTH = 640;
const BAR_ROW = 26;
const LEVEL_ROW = 96;
const NAME_MAX = 30;

/** Series of the per-unit panel (done first, then what is missing) and of the per-level panel. */
export const UNIT_SERIES = ['registered', 'reported', 'complete', 'unregistered', 'unreported', 'incomplete'] as const;
export const LEVEL_SERIES = ['total', 'registered', 'reported', 'units_incomplete'] as const;
type SeriesKey = (typeof UNIT_SERIES)[number] | (typeof LEVEL_SERIES)[number];

const COLORS: Record<SeriesKey, string> = {
  registered: '#2e7d32',
  reported: '#1565c0',
  complete: '#00897b',
  unregistered: '#ef9a9a',
  unreported: '#ffb74d',
  incomplete: '#c62828',
  total: '#90a4ae',
  units_incomplete: '#e65100',
};

const UNIT_VALUE: Record<(typeof UNIT_SERIES)[number], (f: UnitFigures) => number> = {
  registered: (f) => f.registered,
  reported: (f) => f.reported,
  complete: (f) => f.complete,
  unregistered: (f) => 1 - f.registered,
  unreported: (f) => 1 - f.reported,
  incomplete: (f) => f.incomplete,
};

const clip = (s: string) => (s.length > NAME_MAX ? `${s.slice(0, NAME_MAX - 1)}…` : s);

/** Where each panel starts, for a chart of `rows` under a title of `subtitleLines` lines. */
function layout(units: number, levels: number, subtitleLines: number) {
  const top = 46 + subtitleLines * 20 + 16;
  const many = units > MANY_UNITS;
  const unitRows = many ? Math.min(units, TOP_BEHIND) : units;
  const levelHeight = many ? levels * LEVEL_ROW : 0;
  const unitTop = many ? top + levelHeight + 70 : top;
  const unitHeight = Math.max(unitRows, 1) * BAR_ROW;
  return { top, many, levelHeight, unitTop, unitHeight, height: unitTop + unitHeight + 110 };
}

/**
 * The ECharts option of a progress chart: for up to MANY_UNITS units one stacked bar per
 * unit (registered, reported, complete dossiers; then what is missing), most missing at the
 * top; for more, the counts per level and the TOP_BEHIND units most behind.
 */
export function progressChartOption(rows: readonly UnitProgress[], opts: ProgressChartOptions): { option: EChartsOption; width: number; height: number } {
  const { lang } = opts;
  const width = opts.width ?? WIDTH;
  const subtitle = opts.subtitle ?? [];
  const levels = levelFigures(rows, opts.levels?.order ?? []);
  const box = layout(rows.length, levels.length, subtitle.length);
  const units = byMissing(rows).slice(0, box.many ? TOP_BEHIND : undefined);
  const label = (key: SeriesKey) => t(lang, `chart.series_${key}`);
  const text = { fontFamily: FONT_FAMILY, color: '#263238' };
  const grids: EChartsOption['grid'] = [];
  const xAxes: EChartsOption['xAxis'] = [];
  const yAxes: EChartsOption['yAxis'] = [];
  const series: NonNullable<EChartsOption['series']> & unknown[] = [];
  const titles: EChartsOption['title'] = [
    {
      text: opts.title,
      subtext: subtitle.join('\n'),
      left: 12,
      top: 8,
      textStyle: { ...text, fontSize: 18, fontWeight: 'bold', width: width - 24, overflow: 'break' },
      subtextStyle: { ...text, color: '#455a64', fontSize: 14, lineHeight: 20 },
    },
  ];
  const valueAxis = (grid: number) => ({ type: 'value' as const, gridIndex: grid, minInterval: 1, axisLabel: { ...text, fontSize: 12 }, splitLine: { lineStyle: { color: '#eceff1' } } });
  if (box.many) {
    grids.push({ left: 12, right: 36, top: box.top, height: box.levelHeight, containLabel: true });
    xAxes.push(valueAxis(0));
    yAxes.push({ type: 'category', gridIndex: 0, inverse: true, data: levels.map((l) => opts.levels?.name(l.level) ?? l.level), axisLabel: { ...text, fontSize: 14, fontWeight: 'bold' } });
    for (const key of LEVEL_SERIES) {
      const value = key === 'units_incomplete' ? (l: (typeof levels)[number]) => l.incomplete : (l: (typeof levels)[number]) => l[key];
      series.push({ id: `level_${key}`, name: label(key), type: 'bar', xAxisIndex: 0, yAxisIndex: 0, barGap: '15%', itemStyle: { color: COLORS[key] }, label: { show: true, position: 'right', ...text, fontSize: 12 }, data: levels.map(value) });
    }
    titles.push({ text: t(lang, 'chart.top_behind', { count: units.length }), left: 12, top: box.unitTop - 40, textStyle: { ...text, fontSize: 15, fontWeight: 'bold' } });
  }
  const g = grids.length;
  grids.push({ left: 12, right: 24, top: box.unitTop, height: box.unitHeight, containLabel: true });
  xAxes.push(valueAxis(g));
  yAxes.push({ type: 'category', gridIndex: g, inverse: true, data: units.map((u) => clip(u.name)), axisLabel: { ...text, fontSize: 14, interval: 0 } });
  for (const key of UNIT_SERIES)
    series.push({ id: `unit_${key}`, name: label(key), type: 'bar', stack: 'unit', xAxisIndex: g, yAxisIndex: g, barWidth: 16, itemStyle: { color: COLORS[key] }, data: units.map(UNIT_VALUE[key]) });
  const names = [...new Set(series.map((s) => (s as { name: string }).name))];
  return {
    width,
    height: box.height,
    option: {
      animation: false,
      backgroundColor: '#ffffff',
      textStyle: text,
      title: titles,
      grid: grids,
      xAxis: xAxes,
      yAxis: yAxes,
      series,
      legend: { bottom: 8, left: 12, right: 12, data: names, itemWidth: 14, itemHeight: 10, itemGap: 14, textStyle: { ...text, fontSize: 14 } },
    },
  };
}
