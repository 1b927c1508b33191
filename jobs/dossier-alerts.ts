import {
  currentStep,
  dossierCompleteness,
  reviewSteps,
  dossierDueDay,
  type Lang,
  type Nomination,
  type ReviewStep,
  type Unit,
} from '../src/domain/index.js';
import { flowLink } from '../flows/links.js';
import { dossierNumber } from '../flows/lib/dossier.js';
import { t } from '../src/i18n.js';
import { PRIORITY } from './keys.js';
import type { OutboxMessage } from './outbox.js';
import { deadlineWhen } from '../src/services/deadlines.js';
import { listenersByOffice, receivingOffices, type AlertContext, type Listener } from './alerts.js';

/**
 * Alerts about one dossier, sent as it moves: to the office that receives it when it arrives
 * with parts missing, when it is completed, and to the next office of its chain when forwarded.
 */

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

/**
 * A dossier moved on to `step` of its review chain: one message to the staff (and linked
 * groups) of the office holding that step for the dossier's unit, but not to whoever just
 * sent it on, naming the dossier, the
 * unit, the office that sent it and what they must do, with a button that opens it. Nothing
 * when the dossier no longer waits at that step (decided again before this ran).
 */
export async function planForwardedAlert(ctx: AlertContext, nomination: Nomination, step: ReviewStep): Promise<OutboxMessage[]> {
  const { store, campaign } = ctx;
  const at = currentStep(campaign, nomination);
  if (!at?.office || at.step !== step) return [];
  const holder = await store.units.officeUnit(nomination.unitId, at.office.id);
  const unit = await store.units.get(nomination.unitId);
  if (!holder || !unit) return [];
  const offices = await listenersByOffice(ctx);
  const last = nomination.steps?.at(-1);
  // Whoever just sent it on knows already (their office may hold the next step too).
  const listeners = [...(offices.get(holder.id) ?? []), ...(offices.get('*') ?? [])].filter((s) => `${s.channel}:${s.userId}` !== last?.actor);
  // The office that sent it: the unit that decided, else the plan's name for its office.
  const fromUnit = last?.officeUnitId ? ((await store.units.get(last.officeUnitId))?.name ?? null) : null;
  const fromOffice = campaign.offices?.find((o) => o.id === last?.office);
  const from = (lang: Lang) => fromUnit ?? fromOffice?.name[lang] ?? '';
  const number = dossierNumber(nomination);
  return listeners.map((s) => ({
    kind: 'alert' as const,
    ref: `alert-${campaign.id}-forwarded`,
    priority: PRIORITY.alert,
    channel: s.channel,
    userId: s.userId,
    key: `fwd|${nomination.id}|${step}|${nomination.updatedAt}|${s.channel}|${s.userId}`,
    reply: {
      text: t(s.lang, 'alert.forwarded', {
        number,
        unit: unit.name,
        nominee: nomination.nominee.name,
        done: t(s.lang, last?.step === 'appraise' ? 'alert.forwarded_done_appraise' : 'alert.forwarded_done_receive', { from: from(s.lang) }),
        office: holder.name,
        todo: t(s.lang, `alert.forwarded_todo_${step}`, { authority: at.authority?.[s.lang] ?? t(s.lang, 'alert.forwarded_authority_unknown') }),
      }),
      choices: [{ payload: flowLink('review', nomination.id), label: t(s.lang, 'alert.forwarded_button', { number }) }],
    },
  }));
}
