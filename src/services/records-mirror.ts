import {
  indicatorReportSchema,
  nominationSchema,
  registrationSchema,
  unitSchema,
  type IndicatorReport,
  type Nomination,
  type Registration,
  type Unit,
} from '../domain/entities.js';
import { byIdNumber, nominationOrder, type AuditEntry, type Store } from '../store/index.js';

/**
 * An in-process copy of the records the staff views read (units, registrations, reports,
 * nominations), kept up to date from the audit stream: every change to them is audited in
 * its own script with the whole record after it, so replaying the entries since the copy's
 * version gives exactly what is stored, without reading 100,000 units again.
 */
export interface RecordsMirror {
  /** The audit entry id the copy is current to. */
  version: string;
  /** Grows whenever a unit changes: what depends on units only is kept per this number. */
  unitsVersion: number;
  units: Map<string, Unit>;
  registrations: Map<string, Registration>;
  reports: Map<string, IndicatorReport>;
  nominations: Map<string, Nomination>;
  /** `campaignId|year` whose records were read in full. */
  years: Set<string>;
}

/** Up to this many changes are replayed; after more, everything is read again. */
const MAX_REPLAY = 20_000;

const SCHEMAS = { unit: unitSchema, registration: registrationSchema, report: indicatorReportSchema, nomination: nominationSchema } as const;
type Kind = keyof typeof SCHEMAS;
const isKind = (entity: string): entity is Kind => Object.hasOwn(SCHEMAS, entity);

async function fresh(store: Store, unitsVersion: number): Promise<RecordsMirror> {
  // The version is read first: the records read after it are at least that new, and
  // replaying entries they already contain changes nothing.
  const version = await store.audit.version();
  const units = await store.units.all();
  return { version, unitsVersion: unitsVersion + 1, units: new Map(units.map((u) => [u.id, u])), registrations: new Map(), reports: new Map(), nominations: new Map(), years: new Set() };
}

/** Applies one audited change; false when its record does not read as one (then everything is read again). */
function apply(m: RecordsMirror, e: AuditEntry, touched: Set<string>): boolean {
  if (!isKind(e.entity)) return true;
  const map = m[`${e.entity}s`] as Map<string, unknown>;
  if (e.after === null) map.delete(e.entityId);
  else {
    const parsed = SCHEMAS[e.entity].safeParse(e.after);
    if (!parsed.success) return false;
    map.set(parsed.data.id, parsed.data);
    const unitId = unitOf(e.entity, parsed.data);
    if (unitId) touched.add(unitId);
  }
  if (e.entity === 'unit') m.unitsVersion++;
  return true;
}

/** The unit a record counts for (a unit itself, a registration of a person: none). */
function unitOf(kind: Kind, r: Unit | Registration | IndicatorReport | Nomination): string | null {
  if (kind === 'registration') {
    const subject = (r as Registration).subject;
    return subject.type === 'unit' ? subject.unitId : null;
  }
  return kind === 'unit' ? null : (r as IndicatorReport | Nomination).unitId;
}

export interface Synced {
  mirror: RecordsMirror;
  /** Units whose registrations, reports or nominations changed (units changing show in unitsVersion). */
  touched: Set<string>;
}

/** The mirror brought up to the store's latest change (a new one when there is none yet). */
export async function syncMirror(store: Store, m: RecordsMirror | undefined): Promise<Synced> {
  const touched = new Set<string>();
  if (!m) return { mirror: await fresh(store, 0), touched };
  if ((await store.audit.version()) === m.version) return { mirror: m, touched };
  const entries = await store.audit.since(m.version, MAX_REPLAY + 1);
  if (entries.length > MAX_REPLAY) return { mirror: await fresh(store, m.unitsVersion), touched };
  for (const e of entries) if (!apply(m, e, touched)) return { mirror: await fresh(store, m.unitsVersion), touched };
  m.version = entries.at(-1)?.id ?? m.version;
  return { mirror: m, touched };
}

export interface YearRecords {
  registrations: Registration[];
  reports: IndicatorReport[];
  /** In the store's list order (nominationOrder). */
  nominations: Nomination[];
}

/** One campaign year's records, read in full the first time and from the mirror after. */
export async function yearRecords(store: Store, m: RecordsMirror, campaignId: string, year: number): Promise<YearRecords> {
  const key = `${campaignId}|${year}`;
  if (!m.years.has(key)) {
    const [registrations, reports, nominations] = await Promise.all([
      store.registrations.list(campaignId, year),
      store.reports.list(campaignId, year),
      store.nominations.list(campaignId, year),
    ]);
    for (const r of registrations) m.registrations.set(r.id, r);
    for (const r of reports) m.reports.set(r.id, r);
    for (const n of nominations) m.nominations.set(n.id, n);
    m.years.add(key);
  }
  const mine = <T extends { campaignId: string; year: number }>(map: Map<string, T>) => [...map.values()].filter((x) => x.year === year && x.campaignId === campaignId);
  return { registrations: mine(m.registrations), reports: mine(m.reports), nominations: mine(m.nominations).sort(nominationOrder) };
}

/** Every unit, in creation order (as store.units.all()). */
export function mirroredUnits(m: RecordsMirror): Unit[] {
  return [...m.units.values()].sort(byIdNumber);
}
