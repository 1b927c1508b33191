import type { Unit } from './entities.js';
import { isValidCivilDate, type CivilDate } from './time.js';

/**
 * Merged units (sắp xếp đơn vị hành chính, e.g. NQ 1669/NQ-UBTVQH15): a unit merged into a
 * successor is kept, with `merged = {intoId, on, source}`. Its registrations, reports and
 * dossiers stay its own records and count for the successor: the successor's subtree
 * includes it (units.ts `subtree`), and read models show both names.
 */

type Lookup = ReadonlyMap<string, Unit>;

/** `dd/mm/yyyy`, `d/m/yyyy` or `yyyy-mm-dd` (a Vietnam calendar day) → CivilDate; null if not a real day. */
export function parseCivilDate(text: string): CivilDate | null {
  const t = text.trim();
  const vn = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(t);
  const iso = /^(\d{4})-(\d{2})-(\d{2})$/.exec(t);
  const [year, month, day] = vn ? [+vn[3]!, +vn[2]!, +vn[1]!] : iso ? [+iso[1]!, +iso[2]!, +iso[3]!] : [NaN, NaN, NaN];
  return isValidCivilDate(year, month, day) ? { year, month, day } : null;
}

export function isoCivil(d: CivilDate): string {
  return `${d.year}-${String(d.month).padStart(2, '0')}-${String(d.day).padStart(2, '0')}`;
}

export function civilOf(iso: string): CivilDate {
  const [year, month, day] = iso.split('-').map(Number) as [number, number, number];
  return { year, month, day };
}

/** Units merged into each successor (direct only), from a list of units. */
export function mergedInto(units: Iterable<Unit>): Map<string, Unit[]> {
  const out = new Map<string, Unit[]>();
  for (const u of units) {
    if (!u.merged) continue;
    const list = out.get(u.merged.intoId);
    if (list) list.push(u);
    else out.set(u.merged.intoId, [u]);
  }
  return out;
}

/**
 * Every unit merged into `unitId`, directly or through an earlier merger, nearest first. Cycle-safe.
 * Pass `mergedInto(units)` instead of the units when asking for many units.
 */
export function predecessors(unitId: string, units: Iterable<Unit> | ReadonlyMap<string, Unit[]>): Unit[] {
  const into = units instanceof Map ? (units as ReadonlyMap<string, Unit[]>) : mergedInto(units as Iterable<Unit>);
  const out: Unit[] = [];
  const seen = new Set([unitId]);
  const queue = [unitId];
  for (let i = 0; i < queue.length; i++)
    for (const p of into.get(queue[i]!) ?? []) {
      if (seen.has(p.id)) continue;
      seen.add(p.id);
      out.push(p);
      queue.push(p.id);
    }
  return out;
}

/** The unit a merged unit's history now counts for (following later mergers too); the unit itself when not merged. */
export function currentSuccessor(unit: Unit, byId: Lookup): Unit {
  let cur = unit;
  const seen = new Set<string>([unit.id]);
  while (cur.merged) {
    const next = byId.get(cur.merged.intoId);
    if (!next || seen.has(next.id)) break;
    seen.add(next.id);
    cur = next;
  }
  return cur;
}

/** The unit and everything merged into it: whose records count as this unit's. */
export function lineage(unitId: string, units: Iterable<Unit> | ReadonlyMap<string, Unit[]>): Set<string> {
  return new Set([unitId, ...predecessors(unitId, units).map((u) => u.id)]);
}

/** Whether the unit still takes part (is offered for onboarding, invites, registration). */
export const isActiveUnit = (u: Pick<Unit, 'merged'>): boolean => !u.merged;
