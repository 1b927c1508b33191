import { officeScope, servedUnits, type Scope } from '../domain/index.js';
import type { Store } from '../store/index.js';

/**
 * What a reviewing office oversees (staff's worklist, /thongke, /thieu, exports, dossiers
 * they may open): its own subtree, and every unit it holds a campaign office for (the
 * units whose dossiers the review chain sends to it, src/domain/chain.ts). null: the whole
 * campaign (admins). Inviting and revoking stay within the subtree (roles.ts scopeOf).
 */
export async function reviewScope(store: Store, officeUnitId: string | null): Promise<Scope> {
  const base = await officeScope(officeUnitId, store.units);
  if (officeUnitId === null || base === 'all') return base;
  const office = await store.units.get(officeUnitId);
  if (!office?.offices?.length) return base;
  return new Set([...base, ...servedUnits(officeUnitId, await store.units.all())]);
}
