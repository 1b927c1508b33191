/**
 * Progress charts, rendered on the server: Apache ECharts' SSR SVG, then PNG with resvg,
 * with the bundled Be Vietnam Pro font only (assets/fonts). What chat and web both use:
 *
 * - `progressChartOption(rows, opts)` → `{ option, width, height }`: the ECharts option of a
 *   progress chart of officeOverview's rows (src/services/overview.ts): one stacked bar per
 *   unit (registered, reported, complete dossiers; then not registered, not reported,
 *   incomplete dossiers), most missing first; over MANY_UNITS units, the counts per level
 *   and the TOP_BEHIND units furthest behind. A web page can give it to ECharts in the browser.
 * - `progressChartSvg(rows, opts: { title, lang, subtitle?, levels?, width? })` → SVG string.
 * - `chartPng(svg, zoom = 1.5)` → PNG Buffer (well under Zalo's 1 MB image limit).
 * - `yearChartOptions({ campaign, officeName, year, lang, now, rows })`: the title, /thongke's
 *   count line and the year's deadlines with the days left, as /thongke and the digests show them.
 * - `writeYearChart(dataDir, input)` → Reply.file (image/png, `inline`: channels send it as a
 *   picture) written under DATA_DIR/charts; `officeYearChart(deps, officeUnitId, year, lang, now)`
 *   → `{ text, file }`, a whole reply from officeOverview; `chartCaption` its line of text.
 * - `unitFigures`, `byMissing`, `levelFigures`: the figures behind the bars.
 */
export { byMissing, levelFigures, unitFigures, type LevelFigures, type UnitFigures } from './figures.js';
export { FONT_FAMILY, FONT_FILES } from './font.js';
export { LEVEL_SERIES, MANY_UNITS, progressChartOption, TOP_BEHIND, UNIT_SERIES, type ProgressChartOptions } from './option.js';
export { chartPng, progressChartSvg } from './render.js';
export { chartCaption, officeYearChart, PNG_MIME, writeYearChart, yearChartOptions, type ChartFile, type YearChartInput } from './file.js';
