import {
  AlignmentType,
  BorderStyle,
  Document,
  Footer,
  Packer,
  Paragraph,
  Table,
  TableBorders,
  TableCell,
  TableRow,
  TextRun,
  VerticalAlign,
  WidthType,
  type FileChild,
} from 'docx';

/**
 * The administrative layout every draft shares (thể thức văn bản hành chính, Nghị định
 * 30/2020/NĐ-CP): A4, Times New Roman 13–14 pt, the issuing body and the national motto side
 * by side, the number and place/date line, and a footer naming the template followed.
 */

const FONT = 'Times New Roman';
/** Half-points. */
const BODY = 26;
const SMALL = 24;
/** Twentieths of a point: 1 mm ≈ 56.7. */
const mm = (n: number) => Math.round(n * 56.7);

export interface Run {
  text: string;
  bold?: boolean;
  italics?: boolean;
  size?: number;
}

const run = (r: Run) => new TextRun({ text: r.text, bold: r.bold, italics: r.italics, size: r.size ?? BODY, font: FONT });

export function para(content: string | Run | Run[], opts: { align?: 'left' | 'center' | 'right' | 'justify'; indent?: boolean; after?: number; before?: number } = {}): Paragraph {
  const runs = typeof content === 'string' ? [{ text: content }] : Array.isArray(content) ? content : [content];
  const align = { left: AlignmentType.LEFT, center: AlignmentType.CENTER, right: AlignmentType.RIGHT, justify: AlignmentType.JUSTIFIED }[opts.align ?? 'justify'];
  return new Paragraph({
    alignment: align,
    indent: opts.indent ? { firstLine: mm(10) } : undefined,
    spacing: { after: opts.after ?? 80, before: opts.before ?? 0, line: 300 },
    children: runs.map(run),
  });
}

export const heading = (text: string) => para({ text, bold: true }, { before: 120 });
export const centered = (text: string, bold = true) => para({ text, bold }, { align: 'center', after: 40 });

const cell = (children: Paragraph[], width: number, borders = true) =>
  new TableCell({
    children,
    width: { size: width, type: WidthType.PERCENTAGE },
    verticalAlign: VerticalAlign.TOP,
    ...(borders ? {} : { borders: TableBorders.NONE }),
  });

/** A bordered table: the header row bold, each cell one or more lines. */
export function grid(headers: string[], rows: string[][], widths: number[]): Table {
  const line = (text: string, bold = false) => para({ text, bold, size: SMALL }, { align: bold ? 'center' : 'left', after: 20 });
  const toCell = (text: string, i: number, bold = false) => cell(text.split('\n').map((l) => line(l, bold)), widths[i] ?? 10);
  return new Table({
    width: { size: 100, type: WidthType.PERCENTAGE },
    rows: [
      new TableRow({ tableHeader: true, children: headers.map((h, i) => toCell(h, i, true)) }),
      ...rows.map((r) => new TableRow({ children: r.map((c, i) => toCell(c, i)) })),
    ],
  });
}

/** Two columns without borders (issuing body | motto; recipients | signature). */
export function sideBySide(left: Paragraph[], right: Paragraph[], leftWidth = 42): Table {
  return new Table({
    width: { size: 100, type: WidthType.PERCENTAGE },
    borders: TableBorders.NONE,
    rows: [new TableRow({ children: [cell(left, leftWidth, false), cell(right, 100 - leftWidth, false)] })],
  });
}

export interface Masthead {
  /** The body above the issuer (cơ quan chủ quản), upper case; null when none. */
  parent: string | null;
  issuer: string;
  /** "Số: …/TTr-…", or null for documents without a number (a report signed by its subject). */
  number: string | null;
  motto: [string, string];
  placeDate: string;
}

/** The issuing body and number on the left, the national motto and place/date on the right. */
export function masthead(m: Masthead): Table {
  const c = (text: string, bold: boolean, size = SMALL) => para({ text, bold, size }, { align: 'center', after: 0 });
  const left = [...(m.parent ? [c(m.parent.toUpperCase(), false)] : []), c(m.issuer.toUpperCase(), true), c('———', false), ...(m.number ? [c(m.number, false)] : [])];
  const right = [c(m.motto[0], true), c(m.motto[1], true, BODY), c('———————', false), para({ text: m.placeDate, italics: true, size: BODY }, { align: 'center', after: 0 })];
  return sideBySide(left, right, 40);
}

/** The "DỰ THẢO" mark in a box at the top, so a draft is never mistaken for a signed document. */
export function draftMark(text: string): Paragraph {
  const border = { style: BorderStyle.SINGLE, size: 8, color: '000000', space: 2 };
  return new Paragraph({
    alignment: AlignmentType.RIGHT,
    border: { top: border, bottom: border, left: border, right: border },
    spacing: { after: 120 },
    children: [new TextRun({ text, bold: true, size: BODY, font: FONT })],
  });
}

/** Signature block: a title, an instruction in italics, room to sign, and no name or seal claimed. */
export function signature(title: string, hint: string, name: string): Paragraph[] {
  return [
    para({ text: title, bold: true }, { align: 'center', after: 0 }),
    para({ text: hint, italics: true, size: SMALL }, { align: 'center', after: 1000 }),
    para({ text: name, bold: true }, { align: 'center' }),
  ];
}

/** The whole document: A4, administrative margins, and the footer line on every page. */
export async function pack(children: FileChild[], footer: string): Promise<Buffer> {
  const doc = new Document({
    creator: 'thidua-bot',
    styles: { default: { document: { run: { font: FONT, size: BODY } } } },
    sections: [
      {
        properties: { page: { size: { width: mm(210), height: mm(297) }, margin: { top: mm(20), bottom: mm(20), left: mm(30), right: mm(15) } } },
        footers: { default: new Footer({ children: [para({ text: footer, italics: true, size: 18 }, { align: 'left', after: 0 })] }) },
        children,
      },
    ],
  });
  return Packer.toBuffer(doc);
}
