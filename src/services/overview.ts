import type { Campaign, DossierPart } from '../campaign/schema.js';
import type { Lang, Nomination, Unit } from '../domain/entities.js';
import { dossierCompleteness, isActiveUnit, isInScope, judgeReport, lineage, mergedInto } from '../domain/index.js';
import { unitNamer } from './unit-names.js';
import { reviewScope } from './scope.js';
import type { Store } from '../store/index.js';

export interface UnitProgress {
  unit: Unit;
  /** The unit's name, with the units merged into it (services/unit-names.ts). */
  name: string;
  registered: boolean;
  reported: boolean;
  reportLate: boolean;
  /** null when not reported or the level has no standard. */
  reportPassed: boolean | null;
  nominations: number;
  /** Submitted or draft dossiers that miss required parts. */
  incomplete: { nomination: Nomination; missing: DossierPart[] }[];
}

/** Results of the latest data version, per store and campaign (see officeOverview). */
interface Snapshot {
  version: string;
  units?: Promise<Unit[]>;
  rows: Map<string, UnitProgress[]>;
}
const snapshots = new WeakMap<Store, WeakMap<Campaign, Snapshot>>();
/** Office views kept per data version (a province's is one list of every unit). */
const MAX_VIEWS = 32;
const collator = new Intl.Collator('vi');

/**
 * Where every unit an office oversees (its subtree and the units it serves, services/scope.ts)
 * stands for one year: the staff's view of the campaign.
 * A unit merged into another is not a row of its own: its records count in its successor's row.
 *
 * Kept per data version (the audit stream's latest id: every change to the records is
 * audited in its own script), so a view asked again, or for another year, before anything
 * changed is not recomputed. The rows are shared between callers: read them, do not change them.
 */
export async function officeOverview(store: Store, campaign: Campaign, officeUnitId: string | null, year: number, lang: Lang = 'vi'): Promise<UnitProgress[]> {
  const version = await store.audit.version();
  let byCampaign = snapshots.get(store);
  if (!byCampaign) snapshots.set(store, (byCampaign = new WeakMap()));
  let snap = byCampaign.get(campaign);
  if (snap?.version !== version) byCampaign.set(campaign, (snap = { version, rows: new Map() }));
  const key = `${officeUnitId ?? '*'}|${year}|${lang}`;
  const hit = snap.rows.get(key);
  if (hit) return hit.slice();
  // Read after the version: data at least as new as the version it is kept under.
  const units = (snap.units ??= store.units.all());
  const rows = await computeOverview(store, campaign, await units, officeUnitId, year, lang).catch((err: unknown) => {
    snap.units = undefined;
    throw err;
  });
  if (snap.rows.size >= MAX_VIEWS) snap.rows.delete(snap.rows.keys().next().value!);
  snap.rows.set(key, rows);
  return rows.slice();
}

/** Indexes of a list's items by unit id, in list order. */
function positionsByUnit(items: readonly { unitId: string }[]): Map<string, number[]> {
  const out = new Map<string, number[]>();
  items.forEach((x, i) => {
    const list = out.get(x.unitId);
    if (list) list.push(i);
    else out.set(x.unitId, [i]);
  });
  return out;
}

async function computeOverview(store: Store, campaign: Campaign, all: Unit[], officeUnitId: string | null, year: number, lang: Lang): Promise<UnitProgress[]> {
  const byId = new Map(all.map((u) => [u.id, u]));
  const scope = await reviewScope(store, officeUnitId);
  const units = all.filter((u) => isInScope(scope, u.id) && u.id !== officeUnitId && isActiveUnit(u) && campaign.unitLevels.includes(u.level));
  const [registrations, reports, nominations] = await Promise.all([
    store.registrations.list(campaign.id, year),
    store.reports.list(campaign.id, year),
    store.nominations.list(campaign.id, year),
  ]);
  const registered = new Set(registrations.flatMap((r) => (r.subject.type === 'unit' ? [r.subject.unitId] : [])));
  const name = unitNamer(lang, all);
  const into = mergedInto(all);
  const reportsAt = positionsByUnit(reports);
  const nominationsAt = positionsByUnit(nominations);
  const judged = new Set(campaign.standards.map((s) => s.level));
  // The records of a unit and of every unit merged into it, in the lists' order.
  const of = <T>(list: readonly T[], at: Map<string, number[]>, mine: readonly string[]): T[] => {
    if (mine.length === 1) return (at.get(mine[0]!) ?? []).map((i) => list[i]!);
    return mine.flatMap((id) => at.get(id) ?? []).sort((a, b) => a - b).map((i) => list[i]!);
  };
  return units
    .map((unit) => {
      const mine = into.size ? [...lineage(unit.id, into)] : [unit.id];
      const reps = of(reports, reportsAt, mine);
      const verdicts = reps.flatMap((r) => {
        const level = byId.get(r.unitId)?.level ?? unit.level;
        return judged.has(level) ? [judgeReport(campaign, level, r.values).passed] : [];
      });
      const noms = of(nominations, nominationsAt, mine);
      return {
        unit,
        name: name(unit.id),
        registered: mine.some((id) => registered.has(id)),
        reported: reps.length > 0,
        reportLate: reps.some((r) => r.late),
        reportPassed: verdicts.length ? verdicts.every(Boolean) : null,
        nominations: noms.length,
        incomplete: noms
          .filter((n) => n.status !== 'accepted')
          .map((n) => ({ nomination: n, missing: dossierCompleteness(campaign, n, unit.level).missingRequired }))
          .filter((x) => x.missing.length > 0),
      };
    })
    .sort((a, b) => collator.compare(a.unit.name, b.unit.name));
}
