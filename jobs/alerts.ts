import type { Campaign, DossierPart } from '../src/campaign/schema.js';
import {
  ancestors,
  dossierCompleteness,
  officeUnitFor,
  reviewSteps,
  dossierDueDay,
  staffAlertSchedule,
  type Identity,
  type Lang,
  type Nomination,
  type ScheduledStaffAlert,
  type Unit,
} from '../src/domain/index.js';
import { dossierNumber } from '../flows/lib/dossier.js';
import { t } from '../src/i18n.js';
import type { GroupLink, Store } from '../src/store/index.js';
import type { Reply } from '../src/engine/types.js';
import { PRIORITY } from './keys.js';
import type { OutboxMessage } from './outbox.js';
import { splitLines, TEXT_LIMIT } from './text.js';
import { deadlineWhen } from '../src/services/deadlines.js';

/**
 * Incomplete-dossier alerts for staff: a digest per staff member of the office that
 * receives the dossiers (the review chain's first step; for a review without a chain, the
 * offices above the unit), listing the dossiers not yet accepted that miss required parts; grouped by unit, counted per missing
 * part, split into several messages when long. Nobody gets a digest when nothing is
 * missing. And one alert right away when a unit submits a dossier with missing parts.
 */

export interface AlertContext {
  store: Store;
  campaign: Campaign;
  /** Telegram staff groups linked to an office (or, with officeUnitId null, to the whole campaign). */
  groups?: () => Promise<GroupLink[]>;
  /** DATA_DIR: with it, each digest ends with the office's progress chart (written under DATA_DIR/charts). */
  dataDir?: string;
}

/** Who hears about an office's units: its staff in their own chats, and the Telegram groups linked to it (in Vietnamese). */
export interface Listener {
  channel: Identity['channel'];
  userId: string;
  lang: Lang;
}
export const listenerOfGroup = (g: GroupLink): Listener => ({ channel: 'telegram', userId: g.chatId, lang: 'vi' });

/** The staff alert in effect at `at`: the latest with time ≤ at whose deadline is still open. */
export function activeStaffAlert(campaign: Campaign, at: Date, year?: number): ScheduledStaffAlert | undefined {
  let found: ScheduledStaffAlert | undefined;
  for (const a of staffAlertSchedule(campaign)) {
    if (year !== undefined && a.year !== year) continue;
    if (a.at.getTime() <= at.getTime() && at.getTime() < a.deadline.getTime()) found = a;
  }
  return found;
}

export const alertRef = (campaign: Campaign, a: Pick<ScheduledStaffAlert, 'year' | 'offsetDays'>) => `alert-${campaign.id}-${a.year}-d${a.offsetDays}`;

interface Incomplete {
  unit: Unit;
  items: { nomination: Nomination; missing: DossierPart[] }[];
}

/**
 * Listeners by office unit id: staff identities (role staff, their unit is the office)
 * and linked groups; the key '*' holds groups linked to the whole campaign.
 */
export async function listenersByOffice(ctx: AlertContext): Promise<Map<string, Listener[]>> {
  const map = new Map<string, Listener[]>();
  const add = (office: string, l: Listener) => {
    const list = map.get(office);
    if (list) list.push(l);
    else map.set(office, [l]);
  };
  for (const s of await ctx.store.identities.listByRole('staff')) if (s.unitId !== null && !s.unreachable) add(s.unitId, s);
  for (const g of (await ctx.groups?.()) ?? []) add(g.officeUnitId ?? '*', listenerOfGroup(g));
  return map;
}

function digestLines(campaign: Campaign, lang: Lang, year: number, at: Date, rows: Incomplete[]): string[] {
  const due = dossierDueDay(campaign, year);
  const dossiers = rows.reduce((n, r) => n + r.items.length, 0);
  const perPart = new Map<string, { part: DossierPart; count: number }>();
  for (const r of rows)
    for (const x of r.items)
      for (const p of x.missing) {
        const e = perPart.get(p.id);
        if (e) e.count++;
        else perPart.set(p.id, { part: p, count: 1 });
      }
  const parts = campaign.dossierParts
    .filter((p) => perPart.has(p.id))
    .map((p) => t(lang, 'alert.part_count', { part: p.label[lang], count: perPart.get(p.id)!.count }))
    .join(' · ');
  const lines = [
    t(lang, 'alert.digest_header', { year, when: deadlineWhen(lang, at, due) }),
    t(lang, 'alert.digest_counts', { units: rows.length, dossiers }),
    t(lang, 'alert.digest_parts', { parts }),
  ];
  for (const r of rows) {
    lines.push(t(lang, 'alert.digest_unit', { unit: r.unit.name, count: r.items.length }));
    for (const x of r.items)
      lines.push(
        t(lang, 'alert.digest_line', {
          number: dossierNumber(x.nomination),
          nominee: x.nomination.nominee.name,
          status: t(lang, `status.dossier_${x.nomination.status}`),
          parts: x.missing.map((p) => p.label[lang]).join('; '),
        }),
      );
  }
  lines.push(t(lang, 'alert.digest_footer'));
  return lines;
}

/** The digests of one staff alert (scheduled before a dossier deadline, or run by hand). */
export async function planStaffDigests(ctx: AlertContext, alert: Pick<ScheduledStaffAlert, 'year' | 'offsetDays'>, at: Date): Promise<OutboxMessage[]> {
  const plan = await planStaffDigestParts(ctx, alert, at);
  return [...plan.messages, ...(await plan.charts())];
}

/**
 * A digest pass in two parts: the text of every digest, and a way to draw the charts that
 * end them. A national pass has thousands of offices and a chart costs ≈ 0.15 s of CPU, so
 * the texts go out first and the charts follow (each spaced after its chat's texts).
 */
export interface DigestPlan {
  messages: OutboxMessage[];
  charts(): Promise<OutboxMessage[]>;
}

const NO_DIGESTS: DigestPlan = { messages: [], charts: async () => [] };

export async function planStaffDigestParts(ctx: AlertContext, alert: Pick<ScheduledStaffAlert, 'year' | 'offsetDays'>, at: Date): Promise<DigestPlan> {
  const { store, campaign } = ctx;
  const offices = await listenersByOffice(ctx);
  if (offices.size === 0) return NO_DIGESTS;
  const nominations = (await store.nominations.list(campaign.id, alert.year)).filter((n) => n.status !== 'accepted');
  const all = new Map((await store.units.all()).map((u) => [u.id, u]));
  const incomplete = new Map<string, Incomplete['items']>();
  for (const n of nominations) {
    const missing = dossierCompleteness(campaign, n, all.get(n.unitId)?.level ?? null).missingRequired;
    if (missing.length === 0) continue;
    const list = incomplete.get(n.unitId);
    if (list) list.push({ nomination: n, missing });
    else incomplete.set(n.unitId, [{ nomination: n, missing }]);
  }
  if (incomplete.size === 0) return NO_DIGESTS;
  // Tagged units by their id and their parent's: an office holder is one of those on a unit's path (officeUnitFor).
  const near = new Map<string, Unit[]>();
  for (const u of all.values())
    if (u.offices?.length)
      for (const key of u.parentId === null ? [u.id] : [u.id, u.parentId]) {
        const list = near.get(key);
        if (list) list.push(u);
        else near.set(key, [u]);
      }
  const taggedNear = (unitId: string) => [unitId, ...ancestors(unitId, all).map((u) => u.id)].flatMap((id) => near.get(id) ?? []);
  // Each incomplete dossier, filed under the office that receives it (its chain's first step;
  // a review without a chain: every office above the unit), and under '*', the whole campaign.
  const rowsByOffice = new Map<string, Map<string, Incomplete>>();
  const file = (office: string, unit: Unit, item: Incomplete['items'][number]) => {
    if (!offices.has(office)) return;
    const rows = rowsByOffice.get(office) ?? new Map<string, Incomplete>();
    rowsByOffice.set(office, rows);
    const row = rows.get(unit.id) ?? { unit, items: [] };
    rows.set(unit.id, row);
    row.items.push(item);
  };
  for (const [unitId, items] of incomplete) {
    const unit = all.get(unitId);
    if (!unit || !campaign.unitLevels.includes(unit.level)) continue;
    for (const item of items.sort((a, b) => a.nomination.id.localeCompare(b.nomination.id, 'en', { numeric: true }))) {
      for (const office of receivingOffices(campaign, item.nomination, all, taggedNear(unitId))) file(office, unit, item);
      file('*', unit, item);
    }
  }
  const messages: OutboxMessage[] = [];
  const ref = alertRef(campaign, alert);
  const message = (s: Listener, reply: Reply, i: number): OutboxMessage => ({
    kind: 'alert',
    ref,
    priority: PRIORITY.alert,
    channel: s.channel,
    userId: s.userId,
    key: `alert|${campaign.id}|${alert.year}|d${alert.offsetDays}|${s.channel}|${s.userId}|${reply.file ? 'chart' : i}`,
    // Telegram allows about one message per second to a chat: space the parts (the chart last).
    delayMs: i * 1_100,
    reply,
  });
  // Who gets which office's chart, and after how many text parts.
  const wanted: { officeId: string; listener: Listener; after: number }[] = [];
  for (const [officeId, byUnit] of rowsByOffice) {
    const rows = [...byUnit.values()].sort((a, b) => a.unit.name.localeCompare(b.unit.name, 'vi'));
    for (const s of offices.get(officeId)!) {
      const parts = splitLines(digestLines(campaign, s.lang, alert.year, at, rows), TEXT_LIMIT[s.channel], s.lang);
      parts.forEach((text, i) => messages.push(message(s, { text }, i)));
      wanted.push({ officeId, listener: s, after: parts.length });
    }
  }
  const charts = async (): Promise<OutboxMessage[]> => {
    const dataDir = ctx.dataDir;
    if (!dataDir) return [];
    // One chart per office and language, shared by its listeners, drawn one after another.
    const drawn = new Map<string, Reply | null>();
    const out: OutboxMessage[] = [];
    for (const w of wanted) {
      const id = `${w.officeId}|${w.listener.lang}`;
      if (!drawn.has(id))
        // The digest's text is what matters: a chart that cannot be drawn (disk full …) is left out, never the digest.
        drawn.set(id, await drawChart({ store, campaign, dataDir }, w.officeId === '*' ? null : w.officeId, alert.year, w.listener.lang, at).catch(() => null));
      const chart = drawn.get(id);
      if (chart) out.push(message(w.listener, chart, w.after));
    }
    return out;
  };
  return { messages, charts };
}

/**
 * The office units that receive a dossier of `n`'s review: the unit holding its chain's
 * receiving office (src/domain/chain.ts), or, for a review without a chain, every office above the unit.
 */
export function receivingOffices(campaign: Campaign, n: Nomination, all: ReadonlyMap<string, Unit>, tagged: readonly Unit[]): string[] {
  const receive = reviewSteps(campaign, n.awardId, n.reviewId)[0]!;
  if (!receive.office) return ancestors(n.unitId, all).map((u) => u.id);
  const holder = officeUnitFor(n.unitId, receive.office.id, all, tagged);
  return holder ? [holder.id] : [];
}

/**
 * The charts' renderer (ECharts, resvg, fontkit: about 70 MB) is loaded by the first digest
 * that draws one, not when the worker starts: most of a worker's life is sending.
 */
async function drawChart(...args: Parameters<typeof import('../src/services/charts/index.js').officeYearChart>) {
  const { officeYearChart } = await import('../src/services/charts/index.js');
  return officeYearChart(...args);
}
