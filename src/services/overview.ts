import type { Campaign, DossierPart } from '../campaign/schema.js';
import { DOSSIER_STATUSES, type DossierStatus, type Lang, type Nomination, type Unit } from '../domain/entities.js';
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
  /** The dossiers by status (draft, submitted, returned, accepted): the dashboard's columns. */
  byStatus: Record<DossierStatus, number>;
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

/** One office's rows for one year and language, and the units whose rows changed since. */
interface View {
  campaign: Campaign;
  unitsVersion: number;
  rows: UnitProgress[];
  /** null: too many to patch, computed again. */
  stale: Set<string> | null;
}

interface State {
  mirror?: RecordsMirror;
  /** Syncs run one after another. */
  queue: Promise<unknown>;
  units?: UnitsView;
  /** By `campaignId|office|year|lang`, least recently used first. */
  views: Map<string, View>;
}
const states = new WeakMap<Store, State>();
/** Office views kept (a province's is one list of every unit). */
const MAX_VIEWS = 32;
/** Rows patched in place up to this many changed units; more, and the view is computed again. */
const MAX_PATCH = 5_000;
const collator = new Intl.Collator('vi');

/**
 * Where every unit an office oversees (its subtree and the units it serves, services/scope.ts)
 * stands for one year: the staff's view of the campaign.
 * A unit merged into another is not a row of its own: its records count in its successor's row.
 *
 * Read from an in-process copy of the records kept up to date from the audit stream
 * (records-mirror.ts). A view asked again is the same rows with only those of the units
 * whose records changed since computed again (all of them when a unit changed). The rows
 * are shared between callers: read them, do not change them.
 */
export async function officeOverview(store: Store, campaign: Campaign, officeUnitId: string | null, year: number, lang: Lang = 'vi'): Promise<UnitProgress[]> {
  let state = states.get(store);
  if (!state) states.set(store, (state = { queue: Promise.resolve(), views: new Map() }));
  const st = state;
  const run = st.queue.then(async () => {
    const { mirror, touched } = await syncMirror(store, st.mirror);
    st.mirror = mirror;
    if (touched.size)
      for (const v of st.views.values()) {
        if (!v.stale) continue;
        for (const id of touched) v.stale.add(id);
        if (v.stale.size > MAX_PATCH) v.stale = null;
      }
    const units = unitsView(st, mirror);
    const key = `${campaign.id}|${officeUnitId ?? '*'}|${year}|${lang}`;
    const view = st.views.get(key);
    st.views.delete(key);
    let rows: UnitProgress[];
    if (view && view.campaign === campaign && view.unitsVersion === units.unitsVersion && view.stale) {
      if (view.stale.size === 0) rows = view.rows;
      else {
        const changed = withSuccessors(view.stale, units.byId);
        const row = rowMaker(campaign, units, await yearRecords(store, mirror, campaign.id, year), lang);
        rows = view.rows.map((r) => (changed.has(r.unit.id) ? row(r.unit) : r));
      }
    } else {
      let scope = units.scopes.get(officeUnitId ?? '*');
      if (!scope) units.scopes.set(officeUnitId ?? '*', (scope = reviewScope(store, officeUnitId)));
      const row = rowMaker(campaign, units, await yearRecords(store, mirror, campaign.id, year), lang);
      const inScope = await scope;
      // units.sorted is already the rows' order: nothing to sort.
      rows = units.sorted.filter((u) => isInScope(inScope, u.id) && u.id !== officeUnitId && isActiveUnit(u) && campaign.unitLevels.includes(u.level)).map(row);
    }
    st.views.set(key, { campaign, unitsVersion: units.unitsVersion, rows, stale: new Set() });
    if (st.views.size > MAX_VIEWS) st.views.delete(st.views.keys().next().value!);
    return rows;
  });
  st.queue = run.catch(() => {
    // A failed read starts over from the store next time.
    st.mirror = undefined;
    st.units = undefined;
    st.views.clear();
  });
  return (await run).slice();
}

/** Stores with fewer units read everything on the first /thongke fast enough. */
const WARM_FROM_UNITS = 10_000;

/**
 * Reads the overview's copy of the records, and makes the top offices' views, ahead of the
 * first /thongke (a web process at start), when the store has at least 10,000 units; false
 * when it did nothing.
 */
export async function warmOverview(store: Store, campaign: Campaign, years: readonly number[]): Promise<boolean> {
  if ((await store.units.count()) < WARM_FROM_UNITS) return false;
  let state = states.get(store);
  if (!state) states.set(store, (state = { queue: Promise.resolve(), views: new Map() }));
  const st = state;
  const run = st.queue.then(async () => {
    // Units changed or records touched since are brought up to date on the next call, as always.
    const { mirror } = await syncMirror(store, st.mirror);
    st.mirror = mirror;
    unitsView(st, mirror);
    for (const year of years) await yearRecords(store, mirror, campaign.id, year);
  });
  st.queue = run.catch(() => {
    st.mirror = undefined;
    st.units = undefined;
    st.views.clear();
  });
  await run;
  // The top office's view (the province's) in Vietnamese: the largest, the one asked first.
  for (const root of await store.units.roots()) for (const year of years) await officeOverview(store, campaign, root.id, year, 'vi');
  return true;
}

/** The units, and every unit they were merged into (their records count in those rows). */
function withSuccessors(ids: Set<string>, byId: ReadonlyMap<string, Unit>): Set<string> {
  const out = new Set<string>();
  for (const id of ids)
    for (let u = byId.get(id); u && !out.has(u.id); u = u.merged ? byId.get(u.merged.intoId) : undefined) out.add(u.id);
  for (const id of ids) out.add(id);
  return out;
}

function unitsView(st: State, m: RecordsMirror): UnitsView {
  if (st.units?.unitsVersion === m.unitsVersion) return st.units;
  const all = mirroredUnits(m);
  const sorted = all.slice().sort((a, b) => collator.compare(a.name, b.name));
  return (st.units = { unitsVersion: m.unitsVersion, all, byId: new Map(all.map((u) => [u.id, u])), sorted, into: mergedInto(all), namers: new Map(), scopes: new Map() });
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

/** How one unit's row is made from the year's records. */
function rowMaker(campaign: Campaign, view: UnitsView, records: YearRecords, lang: Lang): (unit: Unit) => UnitProgress {
  const { byId, into } = view;
  const { registrations, reports, nominations } = records;
  const registered = new Set(registrations.flatMap((r) => (r.subject.type === 'unit' ? [r.subject.unitId] : [])));
  let namer = view.namers.get(lang);
  if (!namer) view.namers.set(lang, (namer = unitNamer(lang, view.all)));
  const name = namer;
  const reportsAt = positionsByUnit(reports);
  const nominationsAt = positionsByUnit(nominations);
  const judged = new Set(campaign.standards.map((s) => s.level));
  // The records of a unit and of every unit merged into it, in the lists' order.
  const of = <T>(list: readonly T[], at: Map<string, number[]>, mine: readonly string[]): T[] => {
    if (mine.length === 1) return (at.get(mine[0]!) ?? []).map((i) => list[i]!);
    return mine.flatMap((id) => at.get(id) ?? []).sort((a, b) => a - b).map((i) => list[i]!);
  };
  return (unit) => {
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
      byStatus: Object.fromEntries(DOSSIER_STATUSES.map((s) => [s, noms.filter((n) => n.status === s).length])) as Record<DossierStatus, number>,
      incomplete: noms
        .filter((n) => n.status !== 'accepted')
        .map((n) => ({ nomination: n, missing: dossierCompleteness(campaign, n, unit.level).missingRequired }))
        .filter((x) => x.missing.length > 0),
    };
  };
}
