import type { Channel, Lang } from '../src/domain/entities.js';
import { t } from '../src/i18n.js';

/** Longest text we put in one message per channel (Telegram 4096, Zalo 2000), with room to spare. */
export const TEXT_LIMIT: Record<Channel, number> = { telegram: 3800, zalo: 1900, sim: 3800 };

/** 1234 → vi "1.234", en "1,234". */
export function formatCount(lang: Lang, n: number): string {
  return new Intl.NumberFormat(lang === 'vi' ? 'vi-VN' : 'en-GB').format(n);
}

/**
 * Lines packed into as few messages as fit `limit` characters each (a line longer than
 * the limit is cut), each part but a lone one ending with "(1/3)".
 */
export function splitLines(lines: readonly string[], limit: number, lang: Lang): string[] {
  const room = limit - 12; // for the "(i/n)" suffix
  const parts: string[][] = [[]];
  let size = 0;
  for (const raw of lines) {
    const line = raw.length > room ? `${raw.slice(0, room - 1)}…` : raw;
    const current = parts[parts.length - 1]!;
    if (current.length > 0 && size + 1 + line.length > room) {
      parts.push([line]);
      size = line.length;
    } else {
      current.push(line);
      size += (current.length > 1 ? 1 : 0) + line.length;
    }
  }
  if (parts.length === 1) return [parts[0]!.join('\n')];
  return parts.map((p, i) => `${p.join('\n')}\n${t(lang, 'alert.part', { n: i + 1, total: parts.length })}`);
}
