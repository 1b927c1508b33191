import type { Campaign, DossierPart } from '../campaign/schema.js';
import type { Nomination, Unit } from '../domain/entities.js';
import { dossierCompleteness, isInScope, judgeReport } from '../domain/index.js';
import { reviewScope } from './scope.js';
import type { Store } from '../store/index.js';

export interface UnitProgress {
  unit: Unit;
  registered: boolean;
  reported: boolean;
  reportLate: boolean;
  /** null when not reported or the level has no standard. */
  reportPassed: boolean | null;
  nominations: number;
  /** Submitted or draft dossiers that miss required parts. */
  incomplete: { nomination: Nomination; missing: DossierPart[] }[];
}

/** Where every unit an office oversees (its subtree and the units it serves, services/scope.ts) stands for one year: the staff's view of the campaign. */
export async function officeOverview(store: Store, campaign: Campaign, officeUnitId: string | null, year: number): Promise<UnitProgress[]> {
  const all = await store.units.all();
  const scope = await reviewScope(store, officeUnitId);
  const units = all.filter((u) => isInScope(scope, u.id) && u.id !== officeUnitId && campaign.unitLevels.includes(u.level));
  const [registrations, reports, nominations] = await Promise.all([
    store.registrations.list(campaign.id, year),
    store.reports.list(campaign.id, year),
    store.nominations.list(campaign.id, year),
  ]);
  const registered = new Set(registrations.flatMap((r) => (r.subject.type === 'unit' ? [r.subject.unitId] : [])));
  const reportByUnit = new Map(reports.map((r) => [r.unitId, r]));
  return units
    .map((unit) => {
      const report = reportByUnit.get(unit.id);
      const mine = nominations.filter((n) => n.unitId === unit.id);
      const verdict = report && campaign.standards.some((s) => s.level === unit.level) ? judgeReport(campaign, unit.level, report.values) : null;
      return {
        unit,
        registered: registered.has(unit.id),
        reported: !!report,
        reportLate: report?.late ?? false,
        reportPassed: verdict ? verdict.passed : null,
        nominations: mine.length,
        incomplete: mine
          .filter((n) => n.status !== 'accepted')
          .map((n) => ({ nomination: n, missing: dossierCompleteness(campaign, n).missingRequired }))
          .filter((x) => x.missing.length > 0),
      };
    })
    .sort((a, b) => a.unit.name.localeCompare(b.unit.name, 'vi'));
}
