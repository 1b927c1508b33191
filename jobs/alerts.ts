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
import { flowLink } from '../flows/links.js';
import { dossierNumber } from '../flows/lib/dossier.js';
import { t } from '../src/i18n.js';
import type { GroupLink, Store } from '../src/store/index.js';
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
}

/** Who hears about an office's units: its staff in their own chats, and the Telegram groups linked to it (in Vietnamese). */
interface Listener {
  channel: Identity['channel'];
  userId: string;
  lang: Lang;
}
const listenerOfGroup = (g: GroupLink): Listener => ({ channel: 'telegram', userId: g.chatId, lang: 'vi' });

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
async function listenersByOffice(ctx: AlertContext): Promise<Map<string, Listener[]>> {
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
  const { store, campaign } = ctx;
  const offices = await listenersByOffice(ctx);
  if (offices.size === 0) return [];
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
  if (incomplete.size === 0) return [];
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
  for (const [officeId, byUnit] of rowsByOffice) {
    const rows = [...byUnit.values()].sort((a, b) => a.unit.name.localeCompare(b.unit.name, 'vi'));
    for (const s of offices.get(officeId)!) {
      const parts = splitLines(digestLines(campaign, s.lang, alert.year, at, rows), TEXT_LIMIT[s.channel], s.lang);
      parts.forEach((text, i) =>
        messages.push({
          kind: 'alert',
          ref,
          priority: PRIORITY.alert,
          channel: s.channel,
          userId: s.userId,
          key: `alert|${campaign.id}|${alert.year}|d${alert.offsetDays}|${s.channel}|${s.userId}|${i}`,
          // Telegram allows about one message per second to a chat: space the parts.
          delayMs: i * 1_100,
          reply: { text },
        }),
      );
    }
  }
  return messages;
}

/**
 * The office units that receive a dossier of `n`'s review: the unit holding its chain's
 * receiving office (src/domain/chain.ts), or, for a review without a chain, every office above the unit.
 */
function receivingOffices(campaign: Campaign, n: Nomination, all: ReadonlyMap<string, Unit>, tagged: readonly Unit[]): string[] {
  const receive = reviewSteps(campaign, n.awardId, n.reviewId)[0]!;
  if (!receive.office) return ancestors(n.unitId, all).map((u) => u.id);
  const holder = officeUnitFor(n.unitId, receive.office.id, all, tagged);
  return holder ? [holder.id] : [];
}

/** The staff (and linked groups) of the office that receives this dossier, with its unit; null when there is no one or no unit. */
async function listenersOf(ctx: AlertContext, n: Nomination): Promise<{ unit: Unit; listeners: Listener[] } | null> {
  const offices = await listenersByOffice(ctx);
  if (offices.size === 0) return null;
  const unit = await ctx.store.units.get(n.unitId);
  if (!unit) return null;
  const chain = new Map<string, Unit>([[unit.id, unit]]);
  for (let parentId = unit.parentId; parentId !== null && !chain.has(parentId); ) {
    const parent = await ctx.store.units.get(parentId);
    if (!parent) break;
    chain.set(parent.id, parent);
    parentId = parent.parentId;
  }
  const receive = reviewSteps(ctx.campaign, n.awardId, n.reviewId)[0]!;
  const tagged = receive.office ? await ctx.store.units.tagged(receive.office.id) : [];
  return { unit, listeners: [...receivingOffices(ctx.campaign, n, chain, tagged).flatMap((o) => offices.get(o) ?? []), ...(offices.get('*') ?? [])] };
}

/** Right after a unit submits a dossier that misses required parts: one alert to the staff of the office that receives it. */
export async function planSubmittedAlert(ctx: AlertContext, nomination: Nomination, at: Date): Promise<OutboxMessage[]> {
  const { campaign } = ctx;
  if (nomination.status !== 'submitted') return [];
  const found = await listenersOf(ctx, nomination);
  if (!found) return [];
  const { unit, listeners } = found;
  const missing = dossierCompleteness(campaign, nomination, unit.level).missingRequired;
  if (missing.length === 0) return [];
  const due = dossierDueDay(campaign, nomination.year);
  return listeners.map((s) => ({
    kind: 'alert' as const,
    ref: `alert-${campaign.id}-submitted`,
    priority: PRIORITY.alert,
    channel: s.channel,
    userId: s.userId,
    key: `sub|${nomination.id}|${nomination.submittedAt ?? ''}|${s.channel}|${s.userId}`,
    reply: {
      text: t(s.lang, 'alert.submitted_incomplete', {
        unit: unit.name,
        number: dossierNumber(nomination),
        nominee: nomination.nominee.name,
        parts: missing.map((p) => p.label[s.lang]).join('; '),
        year: nomination.year,
        when: deadlineWhen(s.lang, at, due),
      }),
    },
  }));
}

/**
 * A sent dossier that missed parts has them all now: one message to the staff of the
 * receiving office, once per dossier (the key names only the dossier and the listener), with a button
 * that shows it.
 */
export async function planCompletedAlert(ctx: AlertContext, nomination: Nomination, _at: Date): Promise<OutboxMessage[]> {
  const { campaign } = ctx;
  if (nomination.status !== 'submitted') return [];
  const found = await listenersOf(ctx, nomination);
  if (!found) return [];
  const { unit, listeners } = found;
  if (!dossierCompleteness(campaign, nomination, unit.level).complete) return [];
  const number = dossierNumber(nomination);
  return listeners.map((s) => ({
    kind: 'alert' as const,
    ref: `alert-${campaign.id}-completed`,
    priority: PRIORITY.alert,
    channel: s.channel,
    userId: s.userId,
    key: `done|${nomination.id}|${s.channel}|${s.userId}`,
    reply: {
      text: t(s.lang, nomination.lateAt ? 'alert.completed_late' : 'alert.completed', { unit: unit.name, number, nominee: nomination.nominee.name }),
      choices: [{ payload: flowLink('review', nomination.id), label: t(s.lang, 'alert.completed_button') }],
    },
  }));
}
