import type { Campaign, DossierPart } from '../campaign/schema.js';
import type { Lang, Nomination, Unit } from '../domain/entities.js';
import { dossierCompleteness, isActiveUnit, isInScope, judgeReport, lineage, mergedInto } from '../domain/index.js';
import type { Scope } from '../domain/roles.js';
import { mirroredUnits, syncMirror, yearRecords, type RecordsMirror, type YearRecords } from './records-mirror.js';
import { unitNamer, type UnitNamer } from './unit-names.js';
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

/** What depends on the units alone, kept while they do not change. */
interface UnitsView {
  unitsVersion: number;
  all: Unit[];
  byId: Map<string, Unit>;
  /** Every unit by name (Vietnamese order), creation order among equal names: the rows' order. */
  sorted: Unit[];
  into: Map<string, Unit[]>;
  namers: Map<Lang, UnitNamer>;
  scopes: Map<string, Promise<Scope>>;
}

interface State {
  mirror?: RecordsMirror;
  /** Syncs run one after another. */
  queue: Promise<unknown>;
  view?: UnitsView;
  /** Views of the mirror's version, per campaign. */
  rows: WeakMap<Campaign, { version: string; byKey: Map<string, UnitProgress[]> }>;
}
const states = new WeakMap<Store, State>();
/** Office views kept per data version (a province's is one list of every unit). */
const MAX_VIEWS = 32;
const collator = new Intl.Collator('vi');

/**
 * Where every unit an office oversees (its subtree and the units it serves, services/scope.ts)
 * stands for one year: the staff's view of the campaign.
 * A unit merged into another is not a row of its own: its records count in its successor's row.
 *
 * Read from an in-process copy of the records kept up to date from the audit stream
 * (records-mirror.ts), and kept per data version: asked again before anything changed,
 * a view is not recomputed. The rows are shared between callers: read them, do not change them.
 */
export async function officeOverview(store: Store, campaign: Campaign, officeUnitId: string | null, year: number, lang: Lang = 'vi'): Promise<UnitProgress[]> {
  let state = states.get(store);
  if (!state) states.set(store, (state = { queue: Promise.resolve(), rows: new WeakMap() }));
  const st = state;
  const run = st.queue.then(async () => {
    const mirror = (st.mirror = await syncMirror(store, st.mirror));
    let cached = st.rows.get(campaign);
    if (cached?.version !== mirror.version) st.rows.set(campaign, (cached = { version: mirror.version, byKey: new Map() }));
    const key = `${officeUnitId ?? '*'}|${year}|${lang}`;
    const hit = cached.byKey.get(key);
    if (hit) return hit;
    const view = unitsView(st, mirror);
    let scope = view.scopes.get(officeUnitId ?? '*');
    if (!scope) view.scopes.set(officeUnitId ?? '*', (scope = reviewScope(store, officeUnitId)));
    const rows = computeOverview(campaign, view, await yearRecords(store, mirror, campaign.id, year), officeUnitId, await scope, lang);
    if (cached.byKey.size >= MAX_VIEWS) cached.byKey.delete(cached.byKey.keys().next().value!);
    cached.byKey.set(key, rows);
    return rows;
  });
  st.queue = run.catch(() => {
    // A failed read starts over from the store next time.
    st.mirror = undefined;
    st.view = undefined;
  });
  return (await run).slice();
}

function unitsView(st: State, m: RecordsMirror): UnitsView {
  if (st.view?.unitsVersion === m.unitsVersion) return st.view;
  const all = mirroredUnits(m);
  const sorted = all.slice().sort((a, b) => collator.compare(a.name, b.name));
  return (st.view = { unitsVersion: m.unitsVersion, all, byId: new Map(all.map((u) => [u.id, u])), sorted, into: mergedInto(all), namers: new Map(), scopes: new Map() });
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

function computeOverview(campaign: Campaign, view: UnitsView, records: YearRecords, officeUnitId: string | null, scope: Scope, lang: Lang): UnitProgress[] {
  const { byId, into } = view;
  const { registrations, reports, nominations } = records;
  const registered = new Set(registrations.flatMap((r) => (r.subject.type === 'unit' ? [r.subject.unitId] : [])));
  let name = view.namers.get(lang);
  if (!name) view.namers.set(lang, (name = unitNamer(lang, view.all)));
  const reportsAt = positionsByUnit(reports);
  const nominationsAt = positionsByUnit(nominations);
  const judged = new Set(campaign.standards.map((s) => s.level));
  // The records of a unit and of every unit merged into it, in the lists' order.
  const of = <T>(list: readonly T[], at: Map<string, number[]>, mine: readonly string[]): T[] => {
    if (mine.length === 1) return (at.get(mine[0]!) ?? []).map((i) => list[i]!);
    return mine.flatMap((id) => at.get(id) ?? []).sort((a, b) => a - b).map((i) => list[i]!);
  };
  // Already in the rows' order (view.sorted): nothing to sort.
  return view.sorted
    .filter((u) => isInScope(scope, u.id) && u.id !== officeUnitId && isActiveUnit(u) && campaign.unitLevels.includes(u.level))
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
    });
}
