import fs from 'node:fs';
import path from 'node:path';
import ExcelJS from 'exceljs';
import type { Campaign } from '../campaign/schema.js';
import type { Lang, Unit } from '../domain/entities.js';
import { dossierCompleteness, dossierNumber, formatVn, isInScope, judgeReport, officeScope, quotaUse } from '../domain/index.js';
import type { Store } from '../store/index.js';
import { t } from '../i18n.js';

/** One table of the export: Vietnamese (or English) headers and plain cell values. */
export interface Sheet {
  name: string;
  headers: string[];
  rows: AsyncIterable<(string | number | null)[]> | Iterable<(string | number | null)[]>;
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
  },
} as const;

/** The sheets of one scope (an office's subtree, or everything for admins) for one year. */
export async function exportSheets(store: Store, campaign: Campaign, officeUnitId: string | null, year: number, lang: Lang): Promise<Sheet[]> {
  const h = H[lang];
  const all = await store.units.all();
  const scope = await officeScope(officeUnitId, store.units);
  const byId = new Map(all.map((u) => [u.id, u]));
  const units = all.filter((u) => isInScope(scope, u.id) && campaign.unitLevels.includes(u.level)).sort((a, b) => a.name.localeCompare(b.name, 'vi'));
  // A person's registration belongs to no unit: only the whole campaign's scope holds it.
  const registrations = (await store.registrations.list(campaign.id, year)).filter((r) => isInScope(scope, r.subject.type === 'person' ? null : r.subject.unitId));
  const reports = (await store.reports.list(campaign.id, year)).filter((r) => isInScope(scope, r.unitId));
  const allNominations = await store.nominations.list(campaign.id, year);
  const nominations = allNominations.filter((n) => isInScope(scope, n.unitId));
  const yesNo = (b: boolean) => (b ? h.yes : h.no);
  const when = (iso: string) => formatVn(new Date(iso), lang, true);
  const label = (l: { vi: string; en: string }) => l[lang];

  const people = new Map<string, string>();
  for (const r of registrations) if (r.subject.type === 'person') people.set(r.subject.personId, (await store.people.get(r.subject.personId))?.name ?? r.subject.personId);
  const subjectName = (s: (typeof registrations)[number]['subject']) => (s.type === 'unit' ? (byId.get(s.unitId)?.name ?? s.unitId) : `${people.get(s.personId)} (${h.person})`);

  const indicatorIds = [...new Map(campaign.standards.flatMap((s) => s.indicators).map((i) => [i.id, i])).values()];
  const reportRows = reports.map((r) => {
    const unit = byId.get(r.unitId);
    const verdict = unit ? judgeReport(campaign, unit.level, r.values) : null;
    const cells = indicatorIds.flatMap((i) => {
      const v = verdict?.indicators.find((x) => x.id === i.id);
      return [r.values[i.id] ?? null, v ? yesNo(v.passed) : null];
    });
    return [unit?.name ?? r.unitId, unit?.code ?? '', unit?.level ?? '', when(r.submittedAt), yesNo(r.late), ...cells, verdict ? yesNo(verdict.passed) : null, r.narrative];
  });

  const reviewLabel = (awardId: string, reviewId: string) => {
    const award = campaign.awards.find((a) => a.id === awardId);
    return { award: award ? label(award.label) : awardId, review: award?.reviews.find((r) => r.id === reviewId)?.label ?? null };
  };
  const nominationRows = [...nominations].sort((a, b) => Number(dossierNumber(a)) - Number(dossierNumber(b))).map((n) => {
    const c = dossierCompleteness(campaign, n);
    const use = quotaUse(campaign, n.awardId, n.reviewId, allNominations, year);
    const side = n.nominee.type === 'individual' ? use.individual : use.collective;
    const names = reviewLabel(n.awardId, n.reviewId);
    return [
      // The number staff read and type (/hoso 12), never the internal id.
      Number(dossierNumber(n)),
      byId.get(n.unitId)?.name ?? n.unitId,
      n.nominee.name,
      n.nominee.type === 'individual' ? h.individual : h.collective,
      names.award,
      names.review ? label(names.review) : n.reviewId,
      t(lang, `status.dossier_${n.status}`),
      yesNo(c.complete),
      c.missingRequired.map((p) => label(p.label)).join('; '),
      `${side.used}/${side.limit ?? '∞'}`,
      n.submittedAt ? when(n.submittedAt) : null,
    ];
  });

  const registered = new Set(registrations.flatMap((r) => (r.subject.type === 'unit' ? [r.subject.unitId] : [])));
  const reported = new Set(reports.map((r) => r.unitId));
  const nominated = new Set(nominations.map((n) => n.unitId));
  const idle = units.filter((u) => !registered.has(u.id) && !reported.has(u.id) && !nominated.has(u.id));
  const unitRow = (u: Unit) => [u.name, u.code, u.level];

  return [
    {
      name: h.registrations,
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
      headers: [h.unit, h.code, h.level, h.submittedAt, h.late, ...indicatorIds.flatMap((i) => [`${label(i.label)} (%)`, `≥ ${i.min}%`]), h.overall, h.narrative],
      rows: reportRows,
    },
    {
      name: h.nominations,
      headers: [h.number, h.unit, h.nominee, h.type, h.award, h.review, h.status, h.complete, h.missing, h.quota, h.submittedAt],
      rows: nominationRows,
    },
    {
      name: h.idle,
      headers: [h.unit, h.code, h.level],
      rows: idle.map(unitRow),
    },
  ];
}

/** Writes the sheets as one workbook, streamed row by row to disk (never the whole workbook in memory). */
export async function writeXlsx(sheets: Sheet[], file: string): Promise<void> {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: file, useStyles: true });
  for (const s of sheets) {
    const ws = wb.addWorksheet(s.name.slice(0, 31), { views: [{ state: 'frozen', ySplit: 1 }] });
    ws.columns = s.headers.map((header) => ({ header, width: Math.min(60, Math.max(12, header.length + 4)) }));
    ws.getRow(1).font = { bold: true };
    ws.getRow(1).commit();
    for await (const row of s.rows) ws.addRow(row).commit();
    ws.commit();
  }
  await wb.commit();
}

const csvCell = (v: string | number | null) => {
  const s = v === null ? '' : String(v);
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
