import fs from 'node:fs';
import path from 'node:path';
import { formatInTimeZone } from 'date-fns-tz';
import type { Campaign } from '../campaign/schema.js';
import type { Lang, Unit } from '../domain/entities.js';
import { currentStep, dossierCompleteness, dossierNumber, formatVn, isActiveUnit, isInScope, judgeReport, lastStep, lineage, mergedInto, officeUnitFor, quotaUse, standardFor, VN_TZ } from '../domain/index.js';
import { reviewScope } from './scope.js';
import type { Store } from '../store/index.js';
import { levelName as campaignLevelName, t } from '../i18n.js';
import { unitNamer } from './unit-names.js';

/** A cell: text, a number, an instant (written as a real date, Vietnam wall-clock), or empty. */
export type Cell = string | number | Date | null;

/** One table of the export: Vietnamese (or English) headers and plain cell values. */
export interface Sheet {
  name: string;
  /** Lines above the table in the workbook (campaign, scope, year, time of export); not in CSV. */
  title?: string[];
  headers: string[];
  rows: AsyncIterable<Cell[]> | Iterable<Cell[]>;
}

const H = {
  vi: {
    registrations: 'Đăng ký',
    reports: 'Báo cáo chỉ tiêu',
    nominations: 'Hồ sơ khen thưởng',
    number: 'Số hồ sơ',
    idle: 'Chưa thực hiện',
    unit: 'Đơn vị',
    code: 'Mã',
    level: 'Cấp',
    subject: 'Đơn vị / cá nhân',
    year: 'Năm',
    areas: 'Nội dung đăng ký',
    commitments: 'Cam kết',
    registeredAt: 'Ngày đăng ký',
    submittedAt: 'Ngày nộp',
    late: 'Nộp muộn',
    overall: 'Đạt tất cả tiêu chuẩn',
    narrative: 'Thuyết minh',
    nominee: 'Đối tượng đề nghị',
    type: 'Loại',
    award: 'Hình thức',
    review: 'Đợt xét',
    status: 'Trạng thái',
    step: 'Bước xét duyệt',
    missing: 'Thành phần còn thiếu',
    complete: 'Hồ sơ đủ',
    quota: 'Chỉ tiêu (đã dùng/tối đa)',
    registered: 'Đã đăng ký',
    reported: 'Đã báo cáo',
    nominated: 'Có hồ sơ',
    yes: 'Có',
    no: 'Không',
    collective: 'Tập thể',
    individual: 'Cá nhân',
    person: 'Cá nhân',
    position: 'Chức vụ',
    summary: 'Tóm tắt thành tích',
    present: 'Thành phần đã có',
    returnReason: 'Lý do trả lại',
    standard: 'Chuẩn',
    met: 'Đạt',
    scope: 'Phạm vi',
    allUnits: 'Tất cả đơn vị',
    exportedAt: 'Xuất lúc',
    dossierNo: 'Hồ sơ số',
  },
  en: {
    registrations: 'Registrations',
    reports: 'Indicator reports',
    nominations: 'Award dossiers',
    number: 'Dossier no.',
    idle: 'No activity',
    unit: 'Unit',
    code: 'Code',
    level: 'Level',
    subject: 'Unit / individual',
    year: 'Year',
    areas: 'Areas',
    commitments: 'Commitments',
    registeredAt: 'Registered',
    submittedAt: 'Submitted',
    late: 'Late',
    overall: 'All standards met',
    narrative: 'Note',
    nominee: 'Nominee',
    type: 'Type',
    award: 'Award',
    review: 'Review',
    status: 'Status',
    step: 'Review step',
    missing: 'Missing parts',
    complete: 'Complete',
    quota: 'Quota (used/limit)',
    registered: 'Registered',
    reported: 'Reported',
    nominated: 'Has dossier',
    yes: 'Yes',
    no: 'No',
    collective: 'Collective',
    individual: 'Individual',
    person: 'Individual',
    position: 'Position',
    summary: 'Achievement summary',
    present: 'Parts present',
    returnReason: 'Return reason',
    standard: 'Standard',
    met: 'Met',
    scope: 'Scope',
    allUnits: 'All units',
    exportedAt: 'Exported at',
    dossierNo: 'Dossier',
  },
} as const;

/** The sheets of one scope (what an office oversees, services/scope.ts, or everything for admins) for one year. */
export async function exportSheets(store: Store, campaign: Campaign, officeUnitId: string | null, year: number, lang: Lang, now: Date): Promise<Sheet[]> {
  const h = H[lang];
  const all = await store.units.all();
  const scope = await reviewScope(store, officeUnitId);
  const byId = new Map(all.map((u) => [u.id, u]));
  // A merged unit's records show under its successor's name, and a successor with its former units.
  const unitName = unitNamer(lang, all);
  const into = mergedInto(all);
  const units = all.filter((u) => isInScope(scope, u.id) && campaign.unitLevels.includes(u.level)).sort((a, b) => a.name.localeCompare(b.name, 'vi'));
  // A person's registration belongs to no unit: only the whole campaign's scope holds it.
  const registrations = (await store.registrations.list(campaign.id, year)).filter((r) => isInScope(scope, r.subject.type === 'person' ? null : r.subject.unitId));
  const reports = (await store.reports.list(campaign.id, year)).filter((r) => isInScope(scope, r.unitId));
  const allNominations = await store.nominations.list(campaign.id, year);
  const nominations = allNominations.filter((n) => isInScope(scope, n.unitId));
  const yesNo = (b: boolean) => (b ? h.yes : h.no);
  const when = (iso: string) => new Date(iso);
  const label = (l: { vi: string; en: string }) => l[lang];
  // The level as people call it in this campaign, never its id.
  const levelName = (u: Unit | undefined) => (u ? campaignLevelName(campaign, u.level, lang) : '');
  const office = officeUnitId ? await store.units.get(officeUnitId) : null;
  const title = [label(campaign.name), `${h.scope}: ${office?.name ?? h.allUnits}`, `${h.year}: ${year}`, `${h.exportedAt}: ${formatVn(now, lang, true)}`];

  const people = new Map<string, string>();
  for (const r of registrations) if (r.subject.type === 'person') people.set(r.subject.personId, (await store.people.get(r.subject.personId))?.name ?? r.subject.personId);
  const subjectName = (s: (typeof registrations)[number]['subject']) => (s.type === 'unit' ? unitName(s.unitId) : `${people.get(s.personId)} (${h.person})`);

  // Each indicator once, with the standard of the row's own level (in Đồng Tháp 90% for a department, 60% for a commune …).
  const indicatorIds = [...new Map(campaign.standards.flatMap((s) => s.indicators).map((i) => [i.id, i])).values()];
  const reportRows = reports.map((r) => {
    const unit = byId.get(r.unitId);
    const verdict = unit ? judgeReport(campaign, unit.level, r.values) : null;
    const own = unit ? standardFor(campaign, unit.level) : undefined;
    const cells = indicatorIds.flatMap((i) => {
      const v = verdict?.indicators.find((x) => x.id === i.id);
      const min = own?.indicators.find((x) => x.id === i.id)?.min;
      return [r.values[i.id] ?? null, min === undefined ? null : `≥ ${min}%`, v ? yesNo(v.passed) : null];
    });
    return [unitName(r.unitId), unit?.code ?? '', levelName(unit), when(r.submittedAt), yesNo(r.late), ...cells, verdict ? yesNo(verdict.passed) : null, r.narrative];
  });

  const reviewLabel = (awardId: string, reviewId: string) => {
    const award = campaign.awards.find((a) => a.id === awardId);
    return { award: award ? label(award.label) : awardId, review: award?.reviews.find((r) => r.id === reviewId)?.label ?? null };
  };
  const tagged = all.filter((u) => u.offices?.length);
  /** Where the review chain has the dossier: "thẩm định — Sở Nội vụ", or the authority it was proposed to. */
  const stepCell = (n: (typeof nominations)[number]): string => {
    if (n.status === 'accepted') {
      const authority = lastStep(campaign, n).authority;
      return authority ? t(lang, 'chain.proposed', { authority: authority[lang] }) : '';
    }
    const step = currentStep(campaign, n);
    if (!step?.office) return '';
    return `${t(lang, `chain.step_${step.step}`)} — ${officeUnitFor(n.unitId, step.office.id, byId, tagged)?.name ?? step.office.name[lang]}`;
  };
  const nominationRows = [...nominations].sort((a, b) => Number(dossierNumber(a)) - Number(dossierNumber(b))).map((n) => {
    const c = dossierCompleteness(campaign, n, byId.get(n.unitId)?.level ?? null);
    const use = quotaUse(campaign, n.awardId, n.reviewId, allNominations, year);
    const side = n.nominee.type === 'individual' ? use.individual : use.collective;
    const names = reviewLabel(n.awardId, n.reviewId);
    return [
      // The number staff read and type (/hoso 12), never the internal id.
      `${h.dossierNo} ${dossierNumber(n)}`,
      unitName(n.unitId),
      n.nominee.name,
      n.nominee.type === 'individual' ? h.individual : h.collective,
      n.nominee.type === 'individual' ? n.nominee.position || null : null,
      names.award,
      names.review ? label(names.review) : n.reviewId,
      n.summary || null,
      t(lang, `status.dossier_${n.status}`),
      stepCell(n),
      yesNo(c.complete),
      c.present.map((p) => label(p.label)).join('; '),
      c.missingRequired.map((p) => label(p.label)).join('; '),
      `${side.used}/${side.limit ?? '∞'}`,
      n.submittedAt ? when(n.submittedAt) : null,
      yesNo(!!n.lateAt),
      n.returnReason,
    ];
  });

  const registered = new Set(registrations.flatMap((r) => (r.subject.type === 'unit' ? [r.subject.unitId] : [])));
  const reported = new Set(reports.map((r) => r.unitId));
  const nominated = new Set(nominations.map((n) => n.unitId));
  const idle = units.filter((u) => isActiveUnit(u) && ![...lineage(u.id, into)].some((id) => registered.has(id) || reported.has(id) || nominated.has(id)));
  const unitRow = (u: Unit) => [unitName(u.id), u.code, levelName(u)];

  return [
    {
      name: h.registrations,
      title,
      headers: [h.subject, h.year, h.areas, h.commitments, h.registeredAt],
      rows: registrations.map((r) => [
        subjectName(r.subject),
        r.year,
        r.contentAreas.map((id) => campaign.contentAreas.find((a) => a.id === id)).map((a) => (a ? label(a.label) : '')).join('; '),
        r.commitments,
        when(r.createdAt),
      ]),
    },
    {
      name: h.reports,
      title,
      headers: [h.unit, h.code, h.level, h.submittedAt, h.late, ...indicatorIds.flatMap((i) => [`${label(i.label)} (%)`, `${h.standard}: ${label(i.label)}`, `${h.met}: ${label(i.label)}`]), h.overall, h.narrative],
      rows: reportRows,
    },
    {
      name: h.nominations,
      title,
      headers: [h.number, h.unit, h.nominee, h.type, h.position, h.award, h.review, h.summary, h.status, h.step, h.complete, h.present, h.missing, h.quota, h.submittedAt, h.late, h.returnReason],
      rows: nominationRows,
    },
    {
      name: h.idle,
      title,
      headers: [h.unit, h.code, h.level],
      rows: idle.map(unitRow),
    },
  ];
}

/** An instant as a spreadsheet date showing Vietnam wall-clock time (spreadsheets have no time zones). */
const vnCellDate = (d: Date) => new Date(formatInTimeZone(d, VN_TZ, "yyyy-MM-dd'T'HH:mm:ss'Z'"));

const cellWidth = (v: Cell) => (v === null ? 0 : v instanceof Date ? 16 : Math.max(...String(v).split('\n').map((l) => l.length)));

/**
 * Writes the sheets as one workbook, streamed row by row to disk: the title block, the header
 * row (frozen, with the title), wrapped columns as wide as their content (at most 60).
 */
export async function writeXlsx(sheets: Sheet[], file: string): Promise<void> {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  // Loaded on first use (a large library the worker never needs).
  const { default: ExcelJS } = await import('exceljs');
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: file, useStyles: true });
  for (const s of sheets) {
    const rows: Cell[][] = [];
    for await (const row of s.rows) rows.push(row);
    const title = s.title ?? [];
    const head = title.length ? title.length + 2 : 1;
    const ws = wb.addWorksheet(s.name.slice(0, 31), { views: [{ state: 'frozen', ySplit: head }] });
    ws.columns = s.headers.map((header, i) => ({
      width: Math.min(60, Math.max(10, Math.min(30, header.length + 2), ...rows.map((r) => cellWidth(r[i] ?? null) + 2))),
      style: { alignment: { wrapText: true, vertical: 'top' } },
    }));
    title.forEach((line, i) => {
      const r = ws.addRow([line]);
      r.font = { bold: i === 0, size: i === 0 ? 13 : 11 };
      r.alignment = { wrapText: false };
      r.commit();
    });
    if (title.length) ws.addRow([]).commit();
    const header = ws.addRow(s.headers);
    header.font = { bold: true };
    header.commit();
    for (const row of rows) {
      const r = ws.addRow(row.map((v) => (v instanceof Date ? vnCellDate(v) : v)));
      row.forEach((v, i) => {
        if (v instanceof Date) r.getCell(i + 1).numFmt = 'dd/mm/yyyy hh:mm';
      });
      r.commit();
    }
    ws.commit();
  }
  await wb.commit();
}

const csvCell = (v: Cell) => {
  const s = v === null ? '' : v instanceof Date ? formatVn(v, 'vi', true) : String(v);
  // Leading = + - @ would be run as formulas by spreadsheet programs.
  const safe = /^[=+\-@]/.test(s) ? `'${s}` : s;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
};

/** One sheet as CSV with a BOM so Excel opens the Vietnamese text as UTF-8. */
export async function writeCsv(sheet: Sheet, file: string): Promise<void> {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const out = fs.createWriteStream(file);
  out.write(`\ufeff${sheet.headers.map(csvCell).join(',')}\r\n`);
  for await (const row of sheet.rows) {
    if (!out.write(`${row.map(csvCell).join(',')}\r\n`)) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
}
