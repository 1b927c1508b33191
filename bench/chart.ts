/**
 * Chart rendering: how long one progress chart takes for a large office (target < 300 ms).
 *
 *   npm run bench:chart                       300 units, 5 runs
 *   npm run bench:chart -- --units 40 --runs 3 --out /tmp/chart.png
 *
 * The rows are made up (no Redis: officeOverview is timed by its own callers): N units of
 * the thai-nguyen-2026 campaign's commune and ward levels, some registered, reported, with
 * complete or incomplete dossiers. Times ECharts' SSR SVG and resvg's PNG separately, after
 * one warm-up render (module load); prints the median wall and CPU time and the PNG's size.
 */
import fs from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { loadCampaign } from '../src/campaign/load.js';
import type { Nomination, Unit } from '../src/domain/entities.js';
import type { UnitProgress } from '../src/services/overview.js';
import { chartPng, progressChartSvg, yearChartOptions } from '../src/services/charts/index.js';

const { values } = parseArgs({ options: { units: { type: 'string', default: '300' }, runs: { type: 'string', default: '5' }, out: { type: 'string' } } });
const count = Number(values.units);
const runs = Number(values.runs);
const campaign = loadCampaign('thai-nguyen-2026');
const levels = campaign.unitLevels.filter((l) => l === 'commune' || l === 'ward');
const part = campaign.dossierParts[0]!;
const places = ['Phú Bình', 'Đồng Hỷ', 'Võ Nhai', 'Định Hóa', 'Đại Từ', 'Phổ Yên', 'Sông Công', 'Quyết Thắng', 'Tân Cương', 'Phúc Xuân'];

const nomination = (i: number, k: number) => ({ id: `n_${i}_${k}` }) as Nomination; // only counted by the chart
const rows: UnitProgress[] = Array.from({ length: count }, (_, i) => {
  const level = levels[i % levels.length]!;
  const unit: Unit = { id: `u${i}`, code: `B${i}`, name: `${level === 'ward' ? 'Phường' : 'Xã'} ${places[i % places.length]} ${i + 1}`, level, parentId: null, createdAt: new Date(0).toISOString() };
  const nominations = i % 4;
  const incomplete = Array.from({ length: i % 3 === 0 ? Math.min(nominations, 2) : 0 }, (_, k) => ({ nomination: nomination(i, k), missing: [part] }));
  return { unit, name: unit.name, registered: i % 5 !== 0, reported: i % 3 !== 1, reportLate: false, reportPassed: null, nominations, byStatus: { draft: 0, submitted: nominations, returned: 0, accepted: 0 }, incomplete };
});
const opts = yearChartOptions({ campaign, officeName: 'Sở Nội vụ tỉnh Thái Nguyên', year: 2026, lang: 'vi', now: new Date('2026-11-28T01:00:00Z'), rows });

chartPng(progressChartSvg(rows, opts)); // warm-up: module load, first ECharts instance
const svgMs: number[] = [];
const pngMs: number[] = [];
const cpuMs: number[] = [];
let png: Buffer = Buffer.alloc(0);
for (let r = 0; r < runs; r++) {
  const cpu = process.cpuUsage();
  const t0 = performance.now();
  const svg = progressChartSvg(rows, opts);
  const t1 = performance.now();
  png = chartPng(svg);
  svgMs.push(t1 - t0);
  pngMs.push(performance.now() - t1);
  const used = process.cpuUsage(cpu);
  cpuMs.push((used.user + used.system) / 1000);
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const total = svgMs.map((s, i) => s + pngMs[i]!);
// CPU time as well as wall time: on a shared machine the wall time mostly measures the neighbours.
console.log(
  `chart of ${count} units, ${runs} runs: median ${median(total).toFixed(0)} ms wall (SVG ${median(svgMs).toFixed(0)} + PNG ${median(pngMs).toFixed(0)}), ` +
    `max ${Math.max(...total).toFixed(0)} ms; median CPU ${median(cpuMs).toFixed(0)} ms; PNG ${(png.length / 1024).toFixed(0)} KB; load average ${os.loadavg()[0]!.toFixed(1)} on ${os.cpus().length} CPUs`,
);
console.log(median(total) < 300 ? 'within the 300 ms target' : 'OVER the 300 ms target');
if (values.out) fs.writeFileSync(values.out, png);
