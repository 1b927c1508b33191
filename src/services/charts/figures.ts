import type { UnitProgress } from '../overview.js';

/** One unit's bar: what is done and what is missing, from the same rows /thongke lists. */
export interface UnitFigures {
  unitId: string;
  name: string;
  level: string;
  registered: 0 | 1;
  reported: 0 | 1;
  /** Dossiers with every required part (accepted ones count as complete). */
  complete: number;
  /** Dossiers still missing required parts. */
  incomplete: number;
  /** Not registered + not reported + incomplete dossiers: the sort key, most first. */
  missing: number;
}

/** The counts of one level (or of the whole office): the figures of /thongke's count line. */
export interface LevelFigures {
  level: string;
  total: number;
  registered: number;
  reported: number;
  /** Units with at least one incomplete dossier. */
  incomplete: number;
}

export function unitFigures(r: UnitProgress): UnitFigures {
  const registered = r.registered ? 1 : 0;
  const reported = r.reported ? 1 : 0;
  const incomplete = r.incomplete.length;
  return {
    unitId: r.unit.id,
    name: r.name,
    level: r.unit.level,
    registered,
    reported,
    complete: r.nominations - incomplete,
    incomplete,
    missing: 1 - registered + (1 - reported) + incomplete,
  };
}

/** The units, most missing first; ties in the order given (officeOverview sorts by name). */
export const byMissing = (rows: readonly UnitProgress[]): UnitFigures[] =>
  rows.map(unitFigures).sort((a, b) => b.missing - a.missing);

/** Counts per level, in the order `levels` gives (the campaign's unitLevels); levels without units are left out. */
export function levelFigures(rows: readonly UnitProgress[], levels: readonly string[]): LevelFigures[] {
  const by = new Map<string, LevelFigures>();
  for (const r of rows) {
    const f = by.get(r.unit.level) ?? { level: r.unit.level, total: 0, registered: 0, reported: 0, incomplete: 0 };
    by.set(r.unit.level, f);
    f.total++;
    if (r.registered) f.registered++;
    if (r.reported) f.reported++;
    if (r.incomplete.length > 0) f.incomplete++;
  }
  const order = [...levels, ...[...by.keys()].filter((l) => !levels.includes(l))];
  return order.flatMap((l) => (by.has(l) ? [by.get(l)!] : []));
}
