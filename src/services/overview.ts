import type { Campaign, DossierPart } from '../campaign/schema.js';
import { DOSSIER_STATUSES, type DossierStatus, type Lang, type Nomination, type Unit } from '../domain/entities.js';
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
  /** The dossiers by status (draft, submitted, returned, accepted): the dashboard's columns. */
  byStatus: Record<DossierStatus, number>;
  /** Submitted or draft dossiers that miss required parts. */
  incomplete: { nomination: Nomination; missing: DossierPart[] }[];
}

/**
 * Where every unit an office oversees (its subtree and the units it serves, services/scope.ts)
 * stands for one year: the staff's view of the campaign.
 * A unit merged into another is not a row of its own: its records count in its successor's row.
 */
export async function officeOverview(store: Store, campaign: Campaign, officeUnitId: string | null, year: number, lang: Lang = 'vi'): Promise<UnitProgress[]> {
  const all = await store.units.all();
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
  return units
    .map((unit) => {
      const mine = lineage(unit.id, into);
      const reps = reports.filter((r) => mine.has(r.unitId));
      const verdicts = reps.flatMap((r) => {
        const level = byId.get(r.unitId)?.level ?? unit.level;
        return campaign.standards.some((s) => s.level === level) ? [judgeReport(campaign, level, r.values).passed] : [];
      });
      const noms = nominations.filter((n) => mine.has(n.unitId));
      return {
        unit,
        name: name(unit.id),
        registered: [...mine].some((id) => registered.has(id)),
        reported: reps.length > 0,
        reportLate: reps.some((r) => r.late),
        reportPassed: verdicts.length ? verdicts.every(Boolean) : null,
        nominations: noms.length,
        byStatus: Object.fromEntries(DOSSIER_STATUSES.map((s) => [s, noms.filter((n) => n.status === s).length])) as Record<DossierStatus, number>,
        incomplete: noms
          .filter((n) => n.status !== 'accepted')
          .map((n) => ({ nomination: n, missing: dossierCompleteness(campaign, n, unit.level).missingRequired }))
          .filter((x) => x.missing.length > 0),
      };
    })
    .sort((a, b) => a.unit.name.localeCompare(b.unit.name, 'vi'));
}
