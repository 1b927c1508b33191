import * as echarts from 'echarts';
import { Resvg } from '@resvg/resvg-js';
import type { UnitProgress } from '../overview.js';
import { FONT_FAMILY, FONT_FILES } from './font.js';
import { measureText } from './measure.js';
import { progressChartOption, type ProgressChartOptions } from './option.js';

/** ECharts' server-side SVG of a progress chart (progressChartOption). */
export function progressChartSvg(rows: readonly UnitProgress[], opts: ProgressChartOptions): string {
  const { option, width, height } = progressChartOption(rows, opts);
  return optionSvg(option, width, height);
}

// Layout measures text with the font resvg draws it with (measure.ts).
echarts.setPlatformAPI({ measureText });

export function optionSvg(option: echarts.EChartsCoreOption, width: number, height: number): string {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height });
  try {
    chart.setOption(option);
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}

/**
 * An SVG as PNG, drawn at `zoom` × its size (1.5: sharp on phones, and fast), on white, with the
 * bundled font only (no system fonts: the same pixels on every host).
 */
export function chartPng(svg: string, zoom = 1.5): Buffer {
  const resvg = new Resvg(svg, {
    background: '#ffffff',
    fitTo: { mode: 'zoom', value: zoom },
    font: { fontFiles: FONT_FILES, loadSystemFonts: false, defaultFontFamily: FONT_FAMILY },
  });
  return resvg.render().asPng();
}
