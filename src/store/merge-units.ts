import { identitySchema, unitSchema, type Identity, type Unit } from '../domain/entities.js';
import { allowedParents, mayBeParent, type UnitLevel } from '../domain/levels.js';
import { isoCivil, parseCivilDate } from '../domain/mergers.js';
import { decode, encode, mget } from './codec.js';
import { formatImportErrors, parseLevel, readCsvRecords, type ImportRowError } from './import-units.js';
import type { Store } from './store.js';
import { mutate, type Actor, type Tx } from './tx.js';
import { addUnitsWrites, codeKey } from './units.js';

/**
 * `units:merge`: a dated mapping old unit → successor from CSV (columns old, new, date,
 * source; new_name, new_level, new_parent create the successor when it is not in the store).
 * Every row is checked first; any problem changes nothing. Then one atomic script marks the
 * old units merged, creates the successors, and moves the officers and staff of each old
 * unit to its successor, with audit entries. Records (registrations, reports, dossiers)
 * stay the old unit's own: they count for the successor through the unit tree.
 */

const COLUMNS = {
  old: ['old', 'old code', 'from', 'ma cu', 'ma don vi cu', 'don vi cu'],
  new: ['new', 'new code', 'into', 'ma moi', 'ma don vi moi', 'don vi moi'],
  date: ['date', 'effective', 'effective date', 'on', 'ngay', 'ngay hieu luc', 'tu ngay'],
  source: ['source', 'nguon', 'can cu', 'van ban'],
  newName: ['new name', 'ten moi', 'ten don vi moi'],
  newLevel: ['new level', 'cap moi', 'cap don vi moi'],
  newParent: ['new parent', 'ma cha moi', 'don vi cha moi', 'truc thuoc moi'],
} as const;
type Column = keyof typeof COLUMNS;

interface Row {
  line: number;
  old: string;
  new: string;
  date: string;
  source: string;
  newName: string;
  newLevel: string;
  newParent: string;
}

/** A unit this file creates, from the first row that names it. */
interface Created {
  row: Row;
  level: UnitLevel | null;
}

export interface MergedUnit {
  unit: Unit;
  into: Unit;
  /** Officers and staff now acting for `into`. */
  moved: Identity[];
}

export type MergeResult =
  | { ok: true; created: Unit[]; merged: MergedUnit[] }
  | { ok: false; errors: string[]; rows: ImportRowError[] };

export interface MergeOptions {
  dryRun?: boolean;
}

function failed(rows: ImportRowError[]): MergeResult {
  const sorted = [...rows].sort((a, b) => a.row - b.row);
  return { ok: false, errors: formatImportErrors(sorted), rows: sorted };
}

function readRows(csvText: string): Row[] | ImportRowError {
  const records = readCsvRecords(csvText, { comments: true });
  if (!Array.isArray(records)) return records;
  if (records.length === 0) return { row: 0, message: 'the file has no rows (columns: old, new, date, source[, new_name, new_level, new_parent])' };
  const header = Object.keys(records[0]!.record);
  const col: Partial<Record<Column, string>> = {};
  for (const c of Object.keys(COLUMNS) as Column[]) {
    const found = header.find((h) => (COLUMNS[c] as readonly string[]).includes(h));
    if (found !== undefined) col[c] = found;
  }
  const missing = (['old', 'new', 'date', 'source'] as Column[]).filter((c) => col[c] === undefined);
  if (missing.length) return { row: 1, message: `missing column(s): ${missing.join(', ')} (expected old, new, date, source, and new_name, new_level, new_parent for a new unit)` };
  const cell = (r: Record<string, string>, c: Column) => (col[c] === undefined ? '' : (r[col[c]] ?? '').trim());
  return records.map(({ record, info }) => ({
    line: info.lines,
    old: cell(record, 'old'),
    new: cell(record, 'new'),
    date: cell(record, 'date'),
    source: cell(record, 'source'),
    newName: cell(record, 'newName'),
    newLevel: cell(record, 'newLevel'),
    newParent: cell(record, 'newParent'),
  }));
}

async function unitsByCode(store: Store, codes: string[]): Promise<Map<string, Unit>> {
  const out = new Map<string, Unit>();
  const { redis, k } = store.context;
  for (let i = 0; i < codes.length; i += 1000) {
    const chunk = codes.slice(i, i + 1000);
    if (chunk.length === 0) continue;
    const ids = await redis.hmget(k.unitCodes, ...chunk);
    const units = new Map((await store.units.getMany(ids.filter((x): x is string => !!x))).map((u) => [u.id, u]));
    chunk.forEach((c, j) => {
      const u = ids[j] ? units.get(ids[j]) : undefined;
      if (u) out.set(c, u);
    });
  }
  return out;
}

export async function mergeUnitsCsv(store: Store, csvText: string, actor: Actor, opts: MergeOptions = {}): Promise<MergeResult> {
  const rows = readRows(csvText);
  if (!Array.isArray(rows)) return failed([rows]);
  const errors: ImportRowError[] = [];
  const err = (r: Row, message: string) => errors.push({ row: r.line, message });
  const codes = [...new Set(rows.flatMap((r) => [r.old, r.new, r.newParent]).filter(Boolean).map(codeKey))];
  const stored = await unitsByCode(store, codes);

  // Successors this file creates: named (name and level) on at least one row, the same on every row.
  const created = new Map<string, Created>();
  for (const r of rows) {
    if (!r.new || !(r.newName || r.newLevel || r.newParent)) continue;
    const key = codeKey(r.new);
    const first = created.get(key);
    if (stored.has(key)) err(r, `new unit "${r.new}" is already in the store: leave new_name, new_level and new_parent empty`);
    else if (first && (first.row.newName !== r.newName || first.row.newLevel !== r.newLevel || first.row.newParent !== r.newParent))
      err(r, `new unit "${r.new}" is described differently on row ${first.row.line}`);
    else if (!first) {
      const level = parseLevel(r.newLevel, store.hierarchy);
      if (!r.newName) err(r, `new unit "${r.new}" needs new_name`);
      else if (r.newName.length > 200) err(r, 'new_name is longer than 200 characters');
      if (r.new.length > 32) err(r, `code "${r.new}" is longer than 32 characters`);
      if (!r.newLevel) err(r, `new unit "${r.new}" needs new_level (e.g. xã, phường, tỉnh)`);
      else if (!level) err(r, `new_level "${r.newLevel}" is not a known level`);
      created.set(key, { row: r, level });
    }
  }
  // A new unit's parent: in the store (still taking part) or created here, of a level that may hold it.
  for (const { row: r, level } of created.values()) {
    if (!r.newParent) continue;
    const pk = codeKey(r.newParent);
    const parentLevel = stored.get(pk)?.level ?? created.get(pk)?.level ?? null;
    if (!stored.has(pk) && !created.has(pk)) err(r, `new_parent "${r.newParent}" is neither in the store nor created by this file`);
    else if (stored.get(pk)?.merged) err(r, `new_parent "${r.newParent}" has itself been merged`);
    else if (level && parentLevel && !mayBeParent(store.hierarchy, level, parentLevel))
      err(r, `a ${level} cannot be under "${r.newParent}" (a ${parentLevel}); its parent must be ${allowedParents(store.hierarchy, level).join(' or ') || 'none'}`);
  }

  const oldRows = new Map<string, Row>();
  for (const r of rows) {
    if (!r.old) err(r, 'old unit code is missing');
    if (!r.new) err(r, 'new unit code is missing');
    if (!r.date) err(r, 'date is missing (dd/mm/yyyy or yyyy-mm-dd)');
    else if (!parseCivilDate(r.date)) err(r, `date "${r.date}" is not a day written dd/mm/yyyy or yyyy-mm-dd`);
    if (!r.source) err(r, 'source is missing (the resolution that decided the merger, e.g. NQ 1669/NQ-UBTVQH15 khoản 93)');
    else if (r.source.length > 300) err(r, 'source is longer than 300 characters');
    if (!r.old) continue;
    const ok = codeKey(r.old);
    const old = stored.get(ok);
    const twice = oldRows.get(ok);
    if (twice) err(r, `unit "${r.old}" is merged twice (also on row ${twice.line})`);
    else oldRows.set(ok, r);
    if (!old) err(r, created.has(ok) ? `unit "${r.old}" is created by this file and cannot be merged by it` : `unknown unit code "${r.old}"`);
    else if (old.merged) err(r, `unit "${r.old}" was already merged on ${old.merged.on}`);
    if (!r.new) continue;
    const nk = codeKey(r.new);
    if (nk === ok) err(r, `unit "${r.old}" cannot be merged into itself`);
    else if (!stored.has(nk) && !created.has(nk)) err(r, `unknown new unit code "${r.new}" (not in the store; give new_name and new_level to create it)`);
    else if (stored.get(nk)?.merged) err(r, `new unit "${r.new}" has itself been merged; merge into its successor`);
  }
  // A unit both merged and receiving units in one file: a loop, or a chain to write directly.
  for (const r of rows) {
    if (!r.old || !r.new || codeKey(r.old) === codeKey(r.new)) continue;
    const next = oldRows.get(codeKey(r.new));
    if (!next) continue;
    const seen = new Set([codeKey(r.old)]);
    let cur: Row | undefined = next;
    while (cur && cur.new && !seen.has(codeKey(cur.old))) {
      seen.add(codeKey(cur.old));
      cur = oldRows.get(codeKey(cur.new));
    }
    err(r, cur && seen.has(codeKey(cur.old)) && codeKey(cur.old) === codeKey(r.old)
      ? `merging loops back to "${r.old}" (${r.old} → ${r.new} → … → ${r.old})`
      : `new unit "${r.new}" is itself merged on row ${next.line}; merge into its successor directly`);
  }
  if (errors.length) return failed(errors);
  return apply(store, rows, stored, created, actor, opts);
}

async function apply(store: Store, rows: Row[], stored: Map<string, Unit>, created: Map<string, Created>, actor: Actor, opts: MergeOptions): Promise<MergeResult> {
  const { redis, k } = store.context;
  const fresh = opts.dryRun ? [...created.keys()].map((_, i) => `new_${i + 1}`) : await store.context.nextIds('unit', created.size);
  const newId = new Map([...created.keys()].map((key, i) => [key, fresh[i]!]));
  const idOf = (code: string) => stored.get(codeKey(code))?.id ?? newId.get(codeKey(code))!;
  return mutate(redis, async () => {
    const at = store.context.now().toISOString();
    const tx: Tx = store.context.tx();
    const newUnits = new Map<string, { unit: Unit; json: string }>();
    for (const [key, { row, level }] of created) {
      const parentId = row.newParent ? idOf(row.newParent) : null;
      if (row.newParent && stored.has(codeKey(row.newParent))) tx.exists(k.unit(parentId!), 'bad_parent', `parent unit ${row.newParent} disappeared during the merge`);
      const { value: unit, json } = encode(unitSchema, { id: newId.get(key), code: row.new, name: row.newName, level, parentId, createdAt: at }, 'unit');
      newUnits.set(key, { unit, json });
    }
    if (newUnits.size) addUnitsWrites(store.context, tx, [...newUnits.values()], actor, 'unit.create', at);

    const raws = await mget(redis, rows.map((r) => k.unit(stored.get(codeKey(r.old))!.id)));
    const merged: MergedUnit[] = [];
    for (const [i, r] of rows.entries()) {
      const before = decode(unitSchema, raws[i] ?? null, 'unit');
      // Changed since the check (another merge ran at the same time): nothing is written.
      if (!before || before.merged) return { tx: null, result: failed([{ row: r.line, message: `unit "${r.old}" was merged or removed while this file was being checked; nothing changed` }]) };
      const into = stored.get(codeKey(r.new)) ?? newUnits.get(codeKey(r.new))!.unit;
      const { value: after, json } = encode(unitSchema, { ...before, merged: { intoId: into.id, on: isoCivil(parseCivilDate(r.date)!), source: r.source } }, 'unit');
      if (stored.has(codeKey(r.new))) tx.eq(k.unit(into.id), JSON.stringify(into));
      tx.eq(k.unit(before.id), raws[i]!);
      tx.call('SET', k.unit(before.id), json);
      tx.call('SADD', k.unitMergedFrom(into.id), before.id);
      tx.call('SADD', k.unitParents, into.id);
      tx.audit({ actor, action: 'unit.merge', entity: 'unit', entityId: before.id, before, after, at });
      merged.push({ unit: after, into, moved: await moveIdentities(store, tx, before.id, into.id, actor, at) });
    }
    const result: MergeResult = { ok: true, created: [...newUnits.values()].map((u) => u.unit), merged };
    return { tx: opts.dryRun ? null : tx, result };
  });
}

/** Officers and staff of `fromId` act for `toId` from now on (guarded on their records as read). */
async function moveIdentities(store: Store, tx: Tx, fromId: string, toId: string, actor: Actor, at: string): Promise<Identity[]> {
  const { redis, k } = store.context;
  const members = await redis.smembers(k.identitiesOfUnit(fromId));
  const raws = await mget(redis, members.map((m) => k.identity(m.slice(0, m.indexOf(':')), m.slice(m.indexOf(':') + 1))));
  const moved: Identity[] = [];
  members.forEach((m, i) => {
    const before = decode(identitySchema, raws[i] ?? null, 'identity');
    if (!before || before.unitId !== fromId) return;
    const { value: after, json } = encode(identitySchema, { ...before, unitId: toId }, 'identity');
    const key = k.identity(before.channel, before.userId);
    tx.eq(key, raws[i]!);
    tx.call('SET', key, json);
    tx.call('SREM', k.identitiesOfUnit(fromId), m);
    tx.call('SADD', k.identitiesOfUnit(toId), m);
    tx.audit({ actor, action: 'identity.move', entity: 'identity', entityId: m, before, after, at });
    moved.push(after);
  });
  return moved;
}
