import { describe, expect, it } from 'vitest';
import type { Unit } from '../../src/domain/entities.js';
import { currentSuccessor, lineage, parseCivilDate, predecessors, subtree } from '../../src/domain/index.js';

const at = '2021-01-01T00:00:00.000Z';
const unit = (id: string, parentId: string | null, merged?: { intoId: string; on: string }): Unit => ({
  id,
  code: id.toUpperCase(),
  name: id,
  level: 'commune',
  parentId,
  createdAt: at,
  ...(merged && { merged: { ...merged, source: 'NQ' } }),
});

describe('merged units', () => {
  // district d holds old communes a, b (merged into n1 in 2025) and c (merged into b in 2019, before b's own merger).
  const units = [
    unit('p', null),
    unit('d', 'p'),
    unit('a', 'd', { intoId: 'n1', on: '2025-07-01' }),
    unit('b', 'd', { intoId: 'n1', on: '2025-07-01' }),
    unit('c', 'd', { intoId: 'b', on: '2019-12-11' }),
    unit('h', 'a'),
    unit('n1', 'p'),
    unit('loop1', null, { intoId: 'loop2', on: '2025-07-01' }),
    unit('loop2', null, { intoId: 'loop1', on: '2025-07-01' }),
  ];
  const byId = new Map(units.map((u) => [u.id, u]));

  it('a successor holds every unit merged into it, through earlier mergers too, and what was below them', () => {
    expect(predecessors('n1', units).map((u) => u.id).sort()).toEqual(['a', 'b', 'c']);
    expect([...lineage('n1', units)].sort()).toEqual(['a', 'b', 'c', 'n1']);
    expect(subtree('n1', units).map((u) => u.id).sort()).toEqual(['a', 'b', 'c', 'h', 'n1']);
    // Still under their old parent as well: nothing of the old tree is lost.
    expect(subtree('d', units).map((u) => u.id).sort()).toEqual(['a', 'b', 'c', 'd', 'h']);
    expect(currentSuccessor(byId.get('c')!, byId).id).toBe('n1');
  });

  it('loops in bad data end the walks', () => {
    expect(predecessors('loop1', units).map((u) => u.id)).toEqual(['loop2']);
    expect(currentSuccessor(byId.get('loop1')!, byId).id).toBe('loop2');
    expect(subtree('loop1', units).map((u) => u.id).sort()).toEqual(['loop1', 'loop2']);
  });

  it('dates: dd/mm/yyyy or yyyy-mm-dd, real days only', () => {
    expect(parseCivilDate('01/07/2025')).toEqual({ year: 2025, month: 7, day: 1 });
    expect(parseCivilDate('1/7/2025')).toEqual({ year: 2025, month: 7, day: 1 });
    expect(parseCivilDate('2025-07-01')).toEqual({ year: 2025, month: 7, day: 1 });
    for (const bad of ['31/06/2025', '2025/07/01', '07-01-2025', '29/02/2025', '', '01/07/25', '2025-7-1']) expect(parseCivilDate(bad), bad).toBeNull();
    expect(parseCivilDate('29/02/2024')).toEqual({ year: 2024, month: 2, day: 29 });
  });
});
