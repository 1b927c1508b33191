import type { Unit } from './entities.js';
import { mayBeParent, type HierarchySource, type UnitLevel } from './levels.js';

/**
 * The unit tree (province → commune → hamlet …, levels from the campaign). Every walk here is
 * cycle-safe: bad data (a unit that is its own ancestor) ends the walk, never hangs it.
 */

export type UnitNode = Pick<Unit, 'id' | 'parentId'> & Partial<Pick<Unit, 'merged'>>;
/** Units by id: a Map or a plain record. */
export type UnitLookup<U extends UnitNode = UnitNode> = ReadonlyMap<string, U> | Readonly<Record<string, U>>;

function get<U extends UnitNode>(units: UnitLookup<U>, id: string): U | undefined {
  if (units instanceof Map) return units.get(id);
  const rec = units as Readonly<Record<string, U>>;
  return Object.prototype.hasOwnProperty.call(rec, id) ? rec[id] : undefined;
}

/**
 * The ancestors of a unit, nearest first, not including the unit itself. Stops at a
 * root, at a parent id that is not in `units`, or where the chain loops.
 */
export function ancestors<U extends UnitNode>(unitId: string, units: UnitLookup<U>): U[] {
  const out: U[] = [];
  const seen = new Set<string>([unitId]);
  let parentId = get(units, unitId)?.parentId ?? null;
  while (parentId !== null && !seen.has(parentId)) {
    const parent = get(units, parentId);
    if (!parent) break;
    seen.add(parentId);
    out.push(parent);
    parentId = parent.parentId;
  }
  return out;
}

/** Is `unitId` the office unit or below it? (A unit is under itself.) */
export function isUnder(unitId: string, officeUnitId: string, units: UnitLookup): boolean {
  return unitId === officeUnitId || ancestors(unitId, units).some((u) => u.id === officeUnitId);
}

/**
 * The office unit and every unit below it, breadth first (the office first, if it is
 * in `units`). Units in a loop that does not pass through the office are not below it.
 * A unit merged into another is below its successor too (its history counts there).
 */
export function subtree<U extends UnitNode>(officeUnitId: string, units: Iterable<U>): U[] {
  const children = new Map<string, U[]>();
  let office: U | undefined;
  const add = (parentId: string, u: U) => {
    const list = children.get(parentId);
    if (list) list.push(u);
    else children.set(parentId, [u]);
  };
  for (const u of units) {
    if (u.id === officeUnitId) office = u;
    if (u.parentId !== null && u.id !== u.parentId) add(u.parentId, u);
    if (u.merged && u.merged.intoId !== u.id && u.merged.intoId !== u.parentId) add(u.merged.intoId, u);
  }
  const out: U[] = office ? [office] : [];
  const seen = new Set<string>([officeUnitId]);
  const queue = [officeUnitId];
  for (let i = 0; i < queue.length; i++)
    for (const child of children.get(queue[i]!) ?? []) {
      if (seen.has(child.id)) continue;
      seen.add(child.id);
      out.push(child);
      queue.push(child.id);
    }
  return out;
}

/** Would making `newParentId` the parent of `unitId` close a loop? */
export function wouldCreateCycle(unitId: string, newParentId: string | null, units: UnitLookup): boolean {
  return newParentId !== null && isUnder(newParentId, unitId, units);
}

export type UnitTreeIssue =
  | { code: 'missing_parent'; unitId: string; parentId: string }
  | { code: 'invalid_parent'; unitId: string; parentId: string; level: UnitLevel; parentLevel: UnitLevel }
  | { code: 'cycle'; unitId: string }
  | { code: 'duplicate_id'; unitId: string };

/** Problems in a unit list (e.g. after an import): unknown parents, levels the campaign's hierarchy refuses, loops, repeated ids. */
export function checkUnitTree(units: readonly Pick<Unit, 'id' | 'parentId' | 'level'>[], hierarchy: HierarchySource): UnitTreeIssue[] {
  const issues: UnitTreeIssue[] = [];
  const byId = new Map<string, Pick<Unit, 'id' | 'parentId' | 'level'>>();
  for (const u of units) {
    if (byId.has(u.id)) issues.push({ code: 'duplicate_id', unitId: u.id });
    else byId.set(u.id, u);
  }
  for (const u of byId.values()) {
    if (u.parentId === null) continue;
    const parent = byId.get(u.parentId);
    if (!parent) {
      issues.push({ code: 'missing_parent', unitId: u.id, parentId: u.parentId });
      continue;
    }
    if (!mayBeParent(hierarchy, u.level, parent.level))
      issues.push({ code: 'invalid_parent', unitId: u.id, parentId: parent.id, level: u.level, parentLevel: parent.level });
    // In a loop iff walking up from the parent comes back to this unit.
    if (u.parentId === u.id || ancestors(u.parentId, byId).some((a) => a.id === u.id))
      issues.push({ code: 'cycle', unitId: u.id });
  }
  return issues;
}
