import { unitSchema, type Unit } from '../domain/entities.js';
import { allowedParents, DEFAULT_HIERARCHY, isLevelOf, levelsOf, mayBeParent, type Hierarchy, type UnitLevel } from '../domain/levels.js';
import { fold } from '../domain/text.js';
import { addOfficeIndexWrites, officeReads } from './unit-offices.js';
import { byIdNumber, type StoreContext } from './context.js';
import { StoreError } from './errors.js';
import { decode, encode, mget, smembersMany, sscanAll } from './codec.js';
import type { Actor, Tx } from './tx.js';

export interface NewUnit {
  code: string;
  name: string;
  level: UnitLevel;
  /** null (or omitted): a root, allowed at any level (a campaign's tree starts at its issuer). */
  parentId?: string | null;
}

export type NameMatch = 'exact' | 'prefix' | 'word' | 'tokens' | 'substring' | 'fuzzy';
const MATCH_ORDER: readonly NameMatch[] = ['exact', 'prefix', 'word', 'tokens', 'substring', 'fuzzy'];

export interface FindOptions {
  /** Default 10. */
  limit?: number;
  /** Only units of these levels. */
  levels?: readonly UnitLevel[];
  /** Also units merged into another (by default only units that still take part are found). */
  includeMerged?: boolean;
}

/**
 * The text a unit name is searched by: `fold` (no diacritics, lower case), punctuation
 * turned into spaces. "Xóm Na Mòn (cũ)" → "xom na mon cu".
 */
export function searchKey(text: string): string {
  return fold(text)
    .replace(/[^\p{L}\p{N} ]+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Upper-case, trimmed: codes are unique regardless of case. */
export function codeKey(code: string): string {
  return code.trim().toUpperCase();
}

/** Start offsets of every word after the first. */
function wordStarts(key: string): number[] {
  const out: number[] = [];
  for (let i = 1; i < key.length; i++) if (key[i - 1] === ' ') out.push(i);
  return out;
}

const SEP = '\x00';
/** ZRANGEBYLEX bounds for "starts with q" (byte 0xff sorts after any UTF-8 byte of text). */
function lexRange(q: string): [Buffer, Buffer] {
  return [Buffer.from(`[${q}`), Buffer.concat([Buffer.from(`[${q}`), Buffer.from([0xff])])];
}
function memberParts(member: string): [text: string, id: string] {
  const i = member.lastIndexOf(SEP);
  return [member.slice(0, i), member.slice(i + 1)];
}

/** Leading designators people leave out: "UBND xã", "xóm", "huyện" … */
const DESIGNATOR = /^(?:(?:ubnd|uy ban nhan dan) )?(?:(?:xa|phuong|dac khu|thi tran|huyen|quan|thi xa|thanh pho|tinh|xom|thon|ap|to dan pho|khu pho) )?/;

/** A search key without its leading designator ("ubnd xa binh thanh" → "binh thanh"). */
export function coreName(key: string): string {
  const core = key.replace(DESIGNATOR, '');
  return core || key;
}

/**
 * Which kind of match `q` is for a unit whose search key is `key` (null: no match).
 * A designator may be left out: "na mon" is an exact match for "Xóm Na Mòn".
 */
export function classifyMatch(key: string, q: string): NameMatch | null {
  const core = coreName(key);
  if (key === q || core === q) return 'exact';
  if (key.startsWith(q) || core.startsWith(q)) return 'prefix';
  if (key.includes(` ${q}`)) return 'word';
  const words = key.split(' ');
  const tokens = q.split(' ');
  if (tokens.every((t) => words.some((w) => w.startsWith(t)))) return 'tokens';
  if (key.includes(q)) return 'substring';
  if (tokens.every((t) => key.includes(t))) return 'fuzzy';
  return null;
}

/**
 * Adds the writes that create units (records, code, tree and name indexes, one audit
 * entry each) to `tx`, batched into a few variadic commands.
 */
export function addUnitsWrites(
  ctx: StoreContext,
  tx: Tx,
  units: readonly { unit: Unit; json: string }[],
  actor: Actor,
  action: string,
  at: string,
): void {
  const { k } = ctx;
  tx.hAbsent(k.unitCodes, units.map((u) => codeKey(u.unit.code)), 'duplicate_code', 'unit code already used');
  tx.mset(units.map(({ unit, json }) => [k.unit(unit.id), json] as const));
  tx.many('HSET', k.unitCodes, units.flatMap(({ unit }) => [codeKey(unit.code), unit.id]), 2);
  tx.many('SADD', k.units, units.map(({ unit }) => unit.id));
  const byParent = new Map<string | null, string[]>();
  for (const { unit } of units) {
    const list = byParent.get(unit.parentId);
    if (list) list.push(unit.id);
    else byParent.set(unit.parentId, [unit.id]);
  }
  for (const [parentId, ids] of byParent) tx.many('SADD', parentId === null ? k.unitRoots : k.unitChildren(parentId), ids);
  tx.many('SADD', k.unitParents, [...byParent.keys()].filter((p): p is string => p !== null));
  addOfficeIndexWrites(ctx, tx, units.map((x) => x.unit));
  const names: (string | number)[] = [];
  const words: (string | number)[] = [];
  for (const { unit } of units) {
    const key = searchKey(unit.name);
    names.push(0, `${key}${SEP}${unit.id}`);
    for (const start of wordStarts(key)) words.push(0, `${key.slice(start)}${SEP}${unit.id}`);
  }
  tx.many('ZADD', k.unitNames, names, 2);
  tx.many('ZADD', k.unitWords, words, 2);
  tx.auditMany(
    { actor, action, entity: 'unit', at },
    units.map(({ unit }) => ({ entityId: unit.id, before: null, after: unit })),
  );
}

/** `hierarchy`: the campaign's levels and parent rules, which every new unit must follow. */
export function unitsRepo(ctx: StoreContext, hierarchy: Hierarchy = DEFAULT_HIERARCHY) {
  const { redis, k } = ctx;

  async function getMany(ids: string[]): Promise<Unit[]> {
    const raws = await mget(redis, ids.map(k.unit));
    const out: Unit[] = [];
    for (const raw of raws) {
      const u = decode(unitSchema, raw, 'unit');
      if (u) out.push(u);
    }
    return out;
  }

  async function get(id: string): Promise<Unit | null> {
    return decode(unitSchema, await redis.get(k.unit(id)), 'unit');
  }

  /** Members of a lex-sorted index that start with q, at most `cap`. */
  async function lexIds(index: string, q: string, cap: number): Promise<[string, string][]> {
    const [lo, hi] = lexRange(q);
    const members = await redis.zrangebylex(index, lo, hi, 'LIMIT', 0, cap);
    return members.map(memberParts);
  }

  /** Server-side filtered scan of every name (the fallback for substrings). */
  async function scanNames(q: string, cap: number): Promise<[string, string][]> {
    const tokens = q.split(' ');
    const longest = tokens.reduce((a, b) => (b.length > a.length ? b : a), '');
    const out: [string, string][] = [];
    let cursor = '0';
    do {
      const [next, flat] = await redis.zscan(k.unitNames, cursor, 'MATCH', `*${longest}*${SEP}*`, 'COUNT', 10000);
      cursor = next;
      for (let i = 0; i < flat.length; i += 2) out.push(memberParts(flat[i]!));
    } while (cursor !== '0' && out.length < cap);
    return out;
  }

  async function findScored(query: string, opts: FindOptions = {}): Promise<{ unit: Unit; match: NameMatch }[]> {
    const limit = opts.limit ?? 10;
    const q = searchKey(query);
    if (!q || limit <= 0) return [];
    const levels = opts.levels ? new Set(opts.levels) : null;
    const cap = Math.max(200, limit * 20);
    const found = new Map<string, { unit: Unit; match: NameMatch; key: string }>();

    const take = async (candidates: [string, string][]) => {
      const fresh = [...new Map(candidates.filter(([, id]) => !found.has(id)).map(([, id]) => [id, true])).keys()];
      for (const unit of await getMany(fresh)) {
        if (levels && !levels.has(unit.level)) continue;
        if (unit.merged && !opts.includeMerged) continue;
        const key = searchKey(unit.name);
        const match = classifyMatch(key, q);
        if (match) found.set(unit.id, { unit, match, key });
      }
    };
    // Exact and prefix matches, and matches at a later word: straight from the sorted indexes.
    await take(await lexIds(k.unitNames, q, cap));
    await take(await lexIds(k.unitWords, q, cap));
    // Several words in another order: candidates where a word starts with the longest one.
    const tokens = q.split(' ');
    const strong = [...found.values()].some((f) => f.match === 'exact' || f.match === 'prefix');
    if (tokens.length > 1 && found.size < limit && !strong) {
      const longest = tokens.reduce((a, b) => (b.length > a.length ? b : a), '');
      const wide = Math.max(500, limit * 50);
      await take([...(await lexIds(k.unitNames, longest, wide)), ...(await lexIds(k.unitWords, longest, wide))]);
    }
    // Nothing at a word boundary: scan every name for substrings (a typo-free fragment).
    if (found.size === 0) await take(await scanNames(q, cap));

    return [...found.values()]
      .sort(
        (a, b) =>
          MATCH_ORDER.indexOf(a.match) - MATCH_ORDER.indexOf(b.match) ||
          a.key.length - b.key.length ||
          (a.key < b.key ? -1 : a.key > b.key ? 1 : 0) ||
          byIdNumber(a.unit, b.unit),
      )
      .slice(0, limit)
      .map(({ unit, match }) => ({ unit, match }));
  }

  return {
    get,
    getMany,

    async getByCode(code: string): Promise<Unit | null> {
      const id = await redis.hget(k.unitCodes, codeKey(code));
      return id ? get(id) : null;
    },

    async create(input: NewUnit, actor: Actor): Promise<Unit> {
      const draft = {
        id: 'u_0',
        code: input.code.trim(),
        name: input.name.trim(),
        level: input.level,
        parentId: input.parentId ?? null,
        createdAt: ctx.now().toISOString(),
      };
      encode(unitSchema, draft, 'unit'); // refuse bad input before an id is spent
      if (!isLevelOf(hierarchy, draft.level))
        throw new StoreError('invalid', `level "${draft.level}" is not a level of this campaign (${levelsOf(hierarchy).join(', ')})`, { level: draft.level });
      if (await redis.hexists(k.unitCodes, codeKey(draft.code)))
        throw new StoreError('duplicate_code', `unit code "${draft.code}" is already used`, { code: draft.code });
      if (draft.parentId !== null) {
        const parent = await get(draft.parentId);
        if (!parent)
          throw new StoreError('bad_parent', `parent unit ${draft.parentId} does not exist`, { parentId: draft.parentId });
        if (!mayBeParent(hierarchy, draft.level, parent.level))
          throw new StoreError(
            'bad_parent',
            `a ${draft.level} cannot be under a ${parent.level} (allowed: ${allowedParents(hierarchy, draft.level).join(', ') || 'none'})`,
            { parentId: parent.id, level: draft.level, parentLevel: parent.level },
          );
      }
      const { value: unit, json } = encode(unitSchema, { ...draft, id: await ctx.nextId('unit') }, 'unit');
      const tx = ctx.tx();
      if (unit.parentId !== null) tx.exists(k.unit(unit.parentId), 'bad_parent', `parent unit ${unit.parentId} does not exist`);
      addUnitsWrites(ctx, tx, [{ unit, json }], actor, 'unit.create', unit.createdAt);
      await tx.exec(redis);
      return unit;
    },

    /**
     * Units whose name matches `query` ignoring diacritics, case and punctuation, best
     * first: exact > prefix > a later word starts with it > all words present as word
     * prefixes in any order > substring > all words present anywhere; shorter names
     * first within a kind. A leading "UBND xã", "xóm", "huyện" … may be left out.
     */
    async findByName(query: string, opts: FindOptions = {}): Promise<Unit[]> {
      return (await findScored(query, opts)).map((m) => m.unit);
    },
    /** findByName with the kind of match of each result. */
    findByNameScored: findScored,

    /** Direct children, by name. */
    async children(id: string): Promise<Unit[]> {
      const units = await getMany(await sscanAll(redis, k.unitChildren(id)));
      return units.sort((a, b) => a.name.localeCompare(b.name, 'vi'));
    },

    /** Root units (no parent), by name. */
    async roots(): Promise<Unit[]> {
      const units = await getMany(await sscanAll(redis, k.unitRoots));
      return units.sort((a, b) => a.name.localeCompare(b.name, 'vi'));
    },

    /** Ids of the unit and everything below it, breadth first ([] if it does not exist). */
    async subtree(id: string): Promise<string[]> {
      if (!(await redis.exists(k.unit(id)))) return [];
      const out = [id];
      const seen = new Set(out);
      let frontier = [id];
      while (frontier.length > 0) {
        const next: string[] = [];
        // Only units known to have children are asked for them (most units are leaves).
        const flags: number[] = [];
        for (let i = 0; i < frontier.length; i += 5000) flags.push(...(await redis.smismember(k.unitParents, frontier.slice(i, i + 5000))));
        const parents = frontier.filter((_, i) => flags[i] === 1);
        // A successor's merged predecessors are below it too (its flag in unitParents covers them).
        for (const members of await smembersMany(redis, parents.flatMap((id) => [k.unitChildren(id), k.unitMergedFrom(id)]))) {
          for (const m of members.sort((a, b) => byIdNumber({ id: a }, { id: b }))) {
            if (seen.has(m)) continue;
            seen.add(m);
            out.push(m);
            next.push(m);
          }
        }
        frontier = next;
      }
      return out;
    },

    ...officeReads(ctx, get, getMany),

    /** Every unit, in creation order. */
    async all(): Promise<Unit[]> {
      return (await getMany(await sscanAll(redis, k.units))).sort(byIdNumber);
    },

    async count(): Promise<number> {
      return redis.scard(k.units);
    },
  };
}
export type UnitsRepo = ReturnType<typeof unitsRepo>;
