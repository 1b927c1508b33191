import type { Unit } from '../domain/entities.js';
import { officeUnitFor } from '../domain/chain.js';
import { byIdNumber, type StoreContext } from './context.js';
import { sscanAll } from './codec.js';
import type { Tx } from './tx.js';

/** Units holding campaign offices (the unit list's `offices` column): the index and its reads. */

/** Adds new units to the index of the offices they hold (`P:units:office:<id>`). */
export function addOfficeIndexWrites(ctx: StoreContext, tx: Tx, units: readonly Unit[]): void {
  const byOffice = new Map<string, string[]>();
  for (const unit of units) for (const o of unit.offices ?? []) byOffice.set(o, [...(byOffice.get(o) ?? []), unit.id]);
  for (const [officeId, ids] of byOffice) tx.many('SADD', ctx.k.unitsOfOffice(officeId), ids);
}

export function officeReads(ctx: StoreContext, get: (id: string) => Promise<Unit | null>, getMany: (ids: string[]) => Promise<Unit[]>) {
  /** The units tagged with a campaign office id, in creation order. */
  async function tagged(officeId: string): Promise<Unit[]> {
    return (await getMany(await sscanAll(ctx.redis, ctx.k.unitsOfOffice(officeId)))).sort(byIdNumber);
  }
  return {
    tagged,
    /** The unit holding office `officeId` for a dossier of `unitId` (src/domain/chain.ts, officeUnitFor); null when none does. */
    async officeUnit(unitId: string, officeId: string): Promise<Unit | null> {
      const path = new Map<string, Unit>();
      for (let id: string | null = unitId; id !== null && !path.has(id); ) {
        const u = await get(id);
        if (!u) break;
        path.set(u.id, u);
        id = u.parentId;
      }
      return officeUnitFor(unitId, officeId, path, await tagged(officeId));
    },
  };
}
