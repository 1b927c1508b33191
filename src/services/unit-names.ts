import type { Lang, Unit } from '../domain/entities.js';
import { civilOf, currentSuccessor, mergedInto } from '../domain/mergers.js';
import { formatCivilDate } from '../domain/time.js';
import { t } from '../i18n.js';

/**
 * How a unit is named where history shows (exports, status, overview): a successor with the
 * units merged into it — "Xã Tứ Kỳ (trước 01/07/2025: thị trấn Tứ Kỳ, xã Quang Phục)" —
 * and a merged unit's records under its successor — "Xã Tứ Kỳ (trước 01/07/2025: xã Quang Phục)".
 */
export interface UnitNamer {
  (unitId: string): string;
}

/** "UBND xã Quang Phục" → "xã Quang Phục": the unit as named in a list of former units. */
function shortName(name: string): string {
  const s = name.replace(/^(UBND|Ủy ban nhân dân|Uỷ ban nhân dân)\s+/i, '');
  return s.charAt(0).toLocaleLowerCase('vi') + s.slice(1);
}

function former(lang: Lang, name: string, merged: readonly Unit[]): string {
  const byDate = new Map<string, string[]>();
  for (const u of merged) byDate.set(u.merged!.on, [...(byDate.get(u.merged!.on) ?? []), shortName(u.name)]);
  const parts = [...byDate].sort(([a], [b]) => (a < b ? -1 : 1)).map(([on, names]) => t(lang, 'unit.former_part', { date: formatCivilDate(civilOf(on), lang), names: names.sort((a, b) => a.localeCompare(b, 'vi')).join(', ') }));
  return t(lang, 'unit.with_former', { name, former: parts.join('; ') });
}

export function unitNamer(lang: Lang, units: Iterable<Unit>): UnitNamer {
  const list = [...units];
  const byId = new Map(list.map((u) => [u.id, u]));
  const into = mergedInto(list);
  return (unitId) => {
    const unit = byId.get(unitId);
    if (!unit) return unitId;
    if (unit.merged) {
      const successor = currentSuccessor(unit, byId);
      return successor === unit ? unit.name : former(lang, successor.name, [unit]);
    }
    const merged = into.get(unit.id);
    return merged?.length ? former(lang, unit.name, merged) : unit.name;
  };
}
