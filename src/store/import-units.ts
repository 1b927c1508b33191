import { parse } from 'csv-parse/sync';
import { unitSchema, type Unit } from '../domain/entities.js';
import { allowedParents, KNOWN_LEVELS, levelsOf, mayBeParent, type Hierarchy, type KnownLevel, type UnitLevel } from '../domain/levels.js';
import { fold } from '../domain/text.js';
import { levelName } from '../i18n.js';
import type { Store } from './store.js';
import { addUnitsWrites, codeKey } from './units.js';
import { encode } from './codec.js';
import type { Actor } from './tx.js';

/**
 * Level names accepted in a CSV besides the campaign's own ids and labels (folded: no
 * diacritics, lower case, `_`/`-` as spaces). A name that can mean several levels means
 * the first of them the campaign has: "phường" is a ward in a two-level campaign and a
 * commune in the 2021–2025 tree, which has no ward.
 */
const NAMES: [names: string[], levels: KnownLevel[]][] = [
  [['tỉnh', 'thành phố trực thuộc trung ương', 'cấp tỉnh'], ['province']],
  [['sở', 'sở ban ngành', 'ban ngành tỉnh', 'đoàn thể tỉnh', 'cơ quan cấp tỉnh'], ['department']],
  [['huyện', 'quận', 'thị xã', 'thành phố thuộc tỉnh', 'cấp huyện'], ['district']],
  [['ban ngành huyện', 'đoàn thể huyện', 'cơ quan cấp huyện'], ['district_agency']],
  [['phòng', 'phòng ban'], ['district_agency', 'commune_agency']],
  [['xã', 'thị trấn', 'cấp xã'], ['commune']],
  [['phường'], ['ward', 'commune']],
  [['đặc khu'], ['special_zone', 'commune']],
  [['cơ quan cấp xã', 'ban chỉ đạo', 'đơn vị cấp xã', 'văn phòng hđnd ubnd'], ['commune_agency']],
  [['xóm', 'thôn', 'ấp', 'bản', 'tổ dân phố', 'khu phố'], ['hamlet']],
  [['tổ công nghệ số', 'tổ công nghệ số cộng đồng', 'tổ cnscđ', 'tổ cns', 'tech team'], ['tech_team']],
  [['doanh nghiệp', 'công ty', 'hợp tác xã'], ['enterprise']],
  [['tổ chức', 'tổ chức khác'], ['organization']],
  [['cụm thi đua', 'cụm'], ['cluster', 'organization']],
  [['khối thi đua', 'khối'], ['bloc', 'organization']],
];
const levelKey = (s: string) => fold(s.replace(/[_-]+/g, ' ')).trim();
const ALIASES = new Map<string, KnownLevel[]>();
for (const [names, levels] of NAMES) for (const n of names) ALIASES.set(levelKey(n), levels);
for (const id of KNOWN_LEVELS) if (!ALIASES.has(levelKey(id))) ALIASES.set(levelKey(id), [id]);

/**
 * A level of this campaign from its id, its label, or a Vietnamese name ("Xã", "xa",
 * "tổ công nghệ số"); null if none of the campaign's levels is meant.
 */
export function parseLevel(text: string, hierarchy: Hierarchy): UnitLevel | null {
  const key = levelKey(text);
  if (!key) return null;
  const own = hierarchy.levels.find((l) => levelKey(l.id) === key || (l.label && (levelKey(l.label.vi) === key || levelKey(l.label.en) === key)));
  if (own) return own.id;
  const ids = levelsOf(hierarchy);
  return ALIASES.get(key)?.find((l) => ids.includes(l)) ?? null;
}

/** The known levels a name means, whether or not this campaign has them ("huyện" → district). */
function knownAs(text: string): readonly KnownLevel[] {
  return ALIASES.get(levelKey(text)) ?? [];
}

/** `province (Tỉnh), commune (Xã), …`: the campaign's levels, for error messages. */
function levelHelp(hierarchy: Hierarchy): string {
  return levelsOf(hierarchy)
    .map((id) => `${id} (${levelName(hierarchy, id, 'vi')})`)
    .join(', ');
}

const OFFICE_ID = /^[a-z0-9][a-z0-9_-]{0,39}$/;

/** Header names accepted for each column (folded). */
const COLUMNS = {
  name: ['name', 'ten', 'ten don vi'],
  level: ['level', 'cap', 'loai', 'cap don vi'],
  parent: ['parent', 'parent code', 'cha', 'ma cha', 'don vi cha', 'ma don vi cha', 'truc thuoc'],
  code: ['code', 'ma', 'ma don vi'],
  offices: ['offices', 'office', 'co quan', 'co quan xet duyet'],
} as const;
type Column = keyof typeof COLUMNS;

export interface ImportRowError {
  /** Line in the file (the header is line 1). */
  row: number;
  message: string;
}

export type ImportResult =
  | { ok: true; count: number; units: Unit[] }
  | {
      ok: false;
      /** One line per problem: `row 5: level "x" is not one of …`. */
      errors: string[];
      rows: ImportRowError[];
    };

function failed(rows: ImportRowError[]): ImportResult {
  const sorted = [...rows].sort((a, b) => a.row - b.row);
  return { ok: false, errors: formatImportErrors(sorted), rows: sorted };
}

interface Row {
  line: number;
  name: string;
  level: UnitLevel | null;
  levelText: string;
  parent: string;
  code: string;
  /** Campaign office ids this unit holds (`;`-separated in the file). */
  offices: string[];
}

/** Formats errors as `row 5: level "xa" is not one of …`. */
export function formatImportErrors(errors: ImportRowError[]): string[] {
  return errors.map((e) => (e.row > 0 ? `row ${e.row}: ${e.message}` : e.message));
}

/**
 * Imports a unit list (columns name, level, parent, code; parent = the parent's code,
 * empty for a root; parents may be anywhere in the file or already in the store). Levels
 * and which may sit under which are the store's campaign hierarchy (`store.hierarchy`).
 * Every row is checked first; any error imports nothing. On success all units, their
 * indexes and audit entries are written by one atomic script.
 */
export interface ImportOptions {
  /** Check everything, write nothing (the result's units have placeholder ids). */
  dryRun?: boolean;
}

/** CSV rows with their file line, headers folded ("Mã cha mới" → "ma cha moi"); the one reader of units:import and units:merge. */
export type CsvRecord = { record: Record<string, string>; info: { lines: number } };
export function readCsvRecords(csvText: string, opts: { comments?: boolean } = {}): CsvRecord[] | ImportRowError {
  try {
    return parse(csvText, {
      bom: true,
      ...(opts.comments && { comment: '#' }),
      columns: (header: string[]) => header.map((h) => fold(h).replace(/[_-]+/g, ' ').trim()),
      skip_empty_lines: true,
      trim: true,
      relax_column_count: true,
      info: true,
    }) as CsvRecord[];
  } catch (err) {
    return { row: 0, message: `not a readable CSV file: ${(err as Error).message}` };
  }
}

export async function importUnitsCsv(store: Store, csvText: string, actor: Actor, opts: ImportOptions = {}): Promise<ImportResult> {
  const records = readCsvRecords(csvText);
  if (!Array.isArray(records)) return failed([records]);
  const errors: ImportRowError[] = [];
  const hierarchy = store.hierarchy;
  const header = records[0] ? Object.keys(records[0].record) : parseHeader(csvText);
  const colName: Partial<Record<Column, string>> = {};
  for (const col of Object.keys(COLUMNS) as Column[]) {
    const found = header.find((h) => (COLUMNS[col] as readonly string[]).includes(h));
    if (found !== undefined) colName[col] = found;
  }
  const missing = (['name', 'level', 'code'] as Column[]).filter((c) => colName[c] === undefined);
  if (missing.length) return failed([{ row: 1, message: `missing column(s): ${missing.join(', ')} (expected name, level, parent, code)` }]);
  if (records.length === 0) return failed([{ row: 0, message: 'the file has no units' }]);

  const cell = (r: Record<string, string>, c: Column) => (colName[c] === undefined ? '' : (r[colName[c]] ?? '').trim());
  const rows: Row[] = records.map(({ record, info }) => ({
    line: info.lines,
    name: cell(record, 'name'),
    levelText: cell(record, 'level'),
    level: parseLevel(cell(record, 'level'), hierarchy),
    parent: cell(record, 'parent'),
    code: cell(record, 'code'),
    offices: cell(record, 'offices').split(';').map((o) => o.trim()).filter(Boolean),
  }));

  // Codes: present, unique in the file, unused in the store.
  const byCode = new Map<string, Row>();
  for (const r of rows) {
    if (!r.name) errors.push({ row: r.line, message: 'name is missing' });
    if (r.name.length > 200) errors.push({ row: r.line, message: 'name is longer than 200 characters' });
    if (!r.levelText) errors.push({ row: r.line, message: `level is missing (one of ${levelHelp(hierarchy)})` });
    else if (!r.level) {
      const meant = knownAs(r.levelText);
      const what = meant.length ? ` (${meant.join(' / ')})` : '';
      errors.push({ row: r.line, message: `level "${r.levelText}"${what} is not a level of this campaign; its levels are ${levelHelp(hierarchy)}` });
    }
    for (const o of r.offices)
      if (!OFFICE_ID.test(o)) errors.push({ row: r.line, message: `office "${o.slice(0, 40)}" is not an office id (a-z 0-9 _ -, separated by ;)` });
    if (!r.code) errors.push({ row: r.line, message: 'code is missing' });
    else if (r.code.length > 32) errors.push({ row: r.line, message: `code "${r.code}" is longer than 32 characters` });
    else {
      const first = byCode.get(codeKey(r.code));
      if (first) errors.push({ row: r.line, message: `code "${r.code}" is already used on row ${first.line}` });
      else byCode.set(codeKey(r.code), r);
    }
  }
  const fileCodes = [...byCode.keys()];
  const existing = new Map<string, string>(); // code key → unit id, for codes already in the store
  const { redis, k } = store.context;
  for (let i = 0; i < fileCodes.length; i += 1000) {
    const chunk = fileCodes.slice(i, i + 1000);
    const ids = await redis.hmget(k.unitCodes, ...chunk);
    chunk.forEach((c, j) => ids[j] && existing.set(c, ids[j]));
  }
  for (const [c, r] of byCode) if (existing.has(c)) errors.push({ row: r.line, message: `code "${r.code}" is already used by unit ${existing.get(c)} in the store` });

  // Parents: in the file or in the store, of an allowed level, no loops.
  const externalCodes = [...new Set(rows.filter((r) => r.parent && !byCode.has(codeKey(r.parent))).map((r) => codeKey(r.parent)))];
  const external = new Map<string, Unit>();
  for (let i = 0; i < externalCodes.length; i += 1000) {
    const chunk = externalCodes.slice(i, i + 1000);
    const ids = await redis.hmget(k.unitCodes, ...chunk);
    const units = await store.units.getMany(ids.filter((x): x is string => !!x));
    const byId = new Map(units.map((u) => [u.id, u]));
    chunk.forEach((c, j) => {
      const u = ids[j] ? byId.get(ids[j]) : undefined;
      if (u) external.set(c, u);
    });
  }
  for (const r of rows) {
    if (!r.parent) continue;
    const pk = codeKey(r.parent);
    if (r.code && pk === codeKey(r.code)) {
      errors.push({ row: r.line, message: `a unit cannot be its own parent ("${r.parent}")` });
      continue;
    }
    const inFile = byCode.get(pk);
    const parentLevel = inFile ? inFile.level : (external.get(pk)?.level ?? null);
    if (!inFile && !external.has(pk)) {
      errors.push({ row: r.line, message: `parent "${r.parent}" is neither in the file nor in the store` });
      continue;
    }
    if (r.level && parentLevel && !mayBeParent(hierarchy, r.level, parentLevel))
      errors.push({
        row: r.line,
        message: `a ${r.level} cannot be under "${r.parent}" (a ${parentLevel}); in this campaign its parent must be ${allowedParents(hierarchy, r.level).join(' or ') || 'none (a root)'}`,
      });
  }
  // Loops among rows of the file (A under B under A).
  for (const r of rows) {
    const seen = new Set<Row>([r]);
    let cur = r.parent ? byCode.get(codeKey(r.parent)) : undefined;
    while (cur && !seen.has(cur)) {
      seen.add(cur);
      cur = cur.parent ? byCode.get(codeKey(cur.parent)) : undefined;
    }
    if (cur === r && codeKey(r.parent) !== codeKey(r.code)) errors.push({ row: r.line, message: `parent chain loops back to "${r.code}"` });
  }
  if (errors.length) return failed(errors);

  // Everything checked: build the units and write them in one atomic change.
  const ids = opts.dryRun ? rows.map((_, i) => `new_${i + 1}`) : await store.context.nextIds('unit', rows.length);
  const idOf = new Map<string, string>();
  rows.forEach((r, i) => idOf.set(codeKey(r.code), ids[i]!));
  const at = store.context.now().toISOString();
  const units: { unit: Unit; json: string }[] = [];
  for (const [i, r] of rows.entries()) {
    const pk = r.parent ? codeKey(r.parent) : null;
    const parentId = pk === null ? null : (idOf.get(pk) ?? external.get(pk)?.id ?? null);
    const { value: unit, json } = encode(unitSchema, { id: ids[i]!, code: r.code, name: r.name, level: r.level, parentId, ...(r.offices.length && { offices: [...new Set(r.offices)] }), createdAt: at }, 'unit');
    units.push({ unit, json });
  }
  if (opts.dryRun) return { ok: true, count: units.length, units: units.map((u) => u.unit) };
  const tx = store.context.tx();
  for (const u of external.values()) tx.exists(k.unit(u.id), 'bad_parent', `parent unit ${u.code} disappeared during the import`);
  addUnitsWrites(store.context, tx, units, actor, 'unit.import', at);
  await tx.exec(redis);
  return { ok: true, count: units.length, units: units.map((u) => u.unit) };
}

function parseHeader(csvText: string): string[] {
  const firstLine = csvText.replace(/^\uFEFF/, '').split(/\r?\n/)[0] ?? '';
  return firstLine.split(',').map((h) => fold(h.replace(/^"|"$/g, '')).replace(/[_-]+/g, ' '));
}
