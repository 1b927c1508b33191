import * as fontkit from 'fontkit';
import { FONT_FILES } from './font.js';

/**
 * Text widths from the bundled font's own advances, for ECharts' layout on the server (it
 * has no canvas to measure with: its guess is too narrow for Be Vietnam Pro, and legends
 * and labels would overlap once resvg draws them). Kerning is left out: a pixel or two.
 */
type Face = { unitsPerEm: number; glyphsForString(s: string): { advanceWidth: number }[] };

let faces: { regular: Face; bold: Face } | null = null;
const load = (file: string) => fontkit.openSync(file) as unknown as Face;

/** A CSS font shorthand as ECharts writes it: "bold 18px Be Vietnam Pro", "14px sans-serif". */
export function measureText(text: string, font = '12px sans-serif'): { width: number } {
  faces ??= { regular: load(FONT_FILES[0]!), bold: load(FONT_FILES[1]!) };
  const size = Number(font.split(' ').find((w) => w.endsWith('px'))?.slice(0, -2)) || 12;
  const face = /\b(bold|bolder|[6-9]00)\b/.test(font) ? faces.bold : faces.regular;
  const units = face.glyphsForString(text).reduce((sum, g) => sum + g.advanceWidth, 0);
  return { width: (units * size) / face.unitsPerEm };
}
