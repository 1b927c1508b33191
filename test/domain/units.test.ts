import { describe, expect, it } from 'vitest';
import {
  ancestors,
  checkUnitTree,
  DEFAULT_HIERARCHY,
  isUnder,
  subtree,
  wouldCreateCycle,
  type Unit,
  type UnitLevel,
} from '../../src/domain/index.js';

const u = (id: string, level: UnitLevel, parentId: string | null): Pick<Unit, 'id' | 'level' | 'parentId'> => ({ id, level, parentId });
const tree = [
  u('hd', 'province', null),
  u('so-tt', 'department', 'hd'),
  u('tk', 'district', 'hd'),
  u('tk-vh', 'district_agency', 'tk'),
  u('xa-a', 'commune', 'tk'),
  u('xom-1', 'hamlet', 'xa-a'),
  u('xom-2', 'hamlet', 'xa-a'),
  u('to-1', 'tech_team', 'xom-1'),
  u('xa-b', 'commune', 'tk'),
  u('orphan', 'hamlet', 'missing'),
];
const byId = new Map(tree.map((x) => [x.id, x]));
const ids = (xs: { id: string }[]) => xs.map((x) => x.id);

describe('ancestors / isUnder', () => {
  it('walks up, nearest first, not including the unit', () => {
    expect(ids(ancestors('to-1', byId))).toEqual(['xom-1', 'xa-a', 'tk', 'hd']);
    expect(ids(ancestors('hd', byId))).toEqual([]);
    expect(ids(ancestors('nobody', byId))).toEqual([]);
    expect(ids(ancestors('orphan', byId))).toEqual([]); // parent not in the list
  });
  it('accepts a plain record too', () => {
    expect(ids(ancestors('xom-2', Object.fromEntries(byId)))).toEqual(['xa-a', 'tk', 'hd']);
    expect(ancestors('toString', {})).toEqual([]);
  });
  it('a unit is under itself and its ancestors, not its siblings or children', () => {
    expect(isUnder('xom-1', 'xom-1', byId)).toBe(true);
    expect(isUnder('to-1', 'tk', byId)).toBe(true);
    expect(isUnder('to-1', 'hd', byId)).toBe(true);
    expect(isUnder('xa-b', 'xa-a', byId)).toBe(false);
    expect(isUnder('tk', 'xa-a', byId)).toBe(false);
    expect(isUnder('so-tt', 'tk', byId)).toBe(false);
    expect(isUnder('unknown', 'unknown', byId)).toBe(true);
    expect(isUnder('unknown', 'hd', byId)).toBe(false);
  });
});

describe('subtree', () => {
  it('the office and everything below it', () => {
    expect(ids(subtree('xa-a', tree))).toEqual(['xa-a', 'xom-1', 'xom-2', 'to-1']);
    expect(ids(subtree('tk', tree)).sort()).toEqual(['tk', 'tk-vh', 'xa-a', 'xa-b', 'xom-1', 'xom-2', 'to-1'].sort());
    expect(subtree('hd', tree)).toHaveLength(9); // all but the orphan
    expect(ids(subtree('to-1', tree))).toEqual(['to-1']);
    expect(ids(subtree('missing', tree))).toEqual(['orphan']); // the office itself is not in the list
    expect(subtree('nobody', tree)).toEqual([]);
  });
});

describe('cycles', () => {
  // a → b → c → a, and d under c; plus a self-parented unit.
  const loop = [u('a', 'commune', 'c'), u('b', 'commune', 'a'), u('c', 'commune', 'b'), u('d', 'hamlet', 'c'), u('s', 'hamlet', 's')];
  const loopById = new Map(loop.map((x) => [x.id, x]));

  it('ancestors stop where the chain loops', () => {
    expect(ids(ancestors('a', loopById))).toEqual(['c', 'b']);
    expect(ids(ancestors('d', loopById))).toEqual(['c', 'b', 'a']);
    expect(ids(ancestors('s', loopById))).toEqual([]);
  });
  it('isUnder terminates', () => {
    expect(isUnder('d', 'a', loopById)).toBe(true);
    expect(isUnder('a', 'd', loopById)).toBe(false);
    expect(isUnder('s', 'a', loopById)).toBe(false);
  });
  it('subtree visits each unit once', () => {
    expect(ids(subtree('a', loop))).toEqual(['a', 'b', 'c', 'd']);
    expect(ids(subtree('s', loop))).toEqual(['s']);
  });
  it('wouldCreateCycle', () => {
    expect(wouldCreateCycle('tk', 'xom-1', byId)).toBe(true);
    expect(wouldCreateCycle('tk', 'tk', byId)).toBe(true);
    expect(wouldCreateCycle('xom-2', 'xa-b', byId)).toBe(false);
    expect(wouldCreateCycle('xom-2', null, byId)).toBe(false);
  });
  it('checkUnitTree reports loops, missing parents, wrong levels and duplicates', () => {
    expect(checkUnitTree(tree, DEFAULT_HIERARCHY)).toEqual([{ code: 'missing_parent', unitId: 'orphan', parentId: 'missing' }]);
    const issues = checkUnitTree([...loop, u('h', 'hamlet', 'hd2'), u('hd2', 'province', null), u('a', 'commune', null)], DEFAULT_HIERARCHY);
    expect(issues).toEqual(
      expect.arrayContaining([
        { code: 'cycle', unitId: 'a' },
        { code: 'cycle', unitId: 'b' },
        { code: 'cycle', unitId: 'c' },
        { code: 'cycle', unitId: 's' },
        { code: 'invalid_parent', unitId: 'h', parentId: 'hd2', level: 'hamlet', parentLevel: 'province' },
        { code: 'duplicate_id', unitId: 'a' },
      ]),
    );
    expect(issues.some((i) => i.unitId === 'd' && i.code === 'cycle')).toBe(false); // under a loop, not in it
    expect(issues.filter((i) => i.code === 'cycle')).toHaveLength(4);
  });
});
