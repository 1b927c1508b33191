import type express from 'express';
import type { Audience } from '../domain/audience.js';
import { formatVn, isInScope } from '../domain/index.js';
import { levelName } from '../i18n.js';
import type { BroadcastStatus } from '../engine/ports.js';
import { scheduleEntries, type ScheduleEntry } from '../../jobs/schedule.js';
import { jobKeys } from '../../jobs/keys.js';
import { html } from './html.js';
import type { DashboardDeps, Viewer } from './viewer.js';

/**
 * Lịch nhắc: the reminders and staff alerts still ahead, as BullMQ holds them
 * (jobs/schedule.ts), each with who would get it if it ran now (the jobs' own planning:
 * previewReminders, previewAlerts), within this person's scope; and the latest
 * announcements with their delivery figures (jobs/broadcast-record.ts).
 */

const SHOWN = 8;
const NAMES = 12;

/** The schedule entries BullMQ has, soonest first; the campaign's own list when no worker has synced yet. */
async function upcoming(deps: DashboardDeps): Promise<{ entries: ScheduleEntry[]; synced: boolean }> {
  const all = scheduleEntries(deps.campaign, deps.now());
  const held = new Set((await deps.jobs.schedule.getJobSchedulers(0, -1)).map((s) => s.id ?? s.key));
  const entries = all.filter((e) => held.has(e.id));
  const synced = entries.length > 0 || all.length === 0;
  return { entries: (synced ? entries : all).sort((a, b) => a.at.getTime() - b.at.getTime()).slice(0, SHOWN), synced };
}

/** Who an entry reaches (in scope): unit names for reminders, the number of staff chats for alerts. */
async function audienceOf(deps: DashboardDeps, v: Viewer, e: ScheduleEntry): Promise<{ people: number; names: string[] }> {
  if (e.job.name === 'reminder') {
    const { kind, year } = e.job.data;
    const { messages } = await deps.jobs.previewReminders(e.at, { only: { kind, year } });
    const mine = messages.filter((m) => (m.subject.type === 'unit' ? isInScope(v.scope, m.subject.id) : v.scope === 'all'));
    return { people: mine.length, names: [...new Set(mine.flatMap((m) => (m.subject.type === 'unit' ? [m.subject.name] : [])))] };
  }
  if (e.job.name === 'staff-alert') {
    const { messages } = await deps.jobs.previewAlerts(e.at, e.job.data.year, { charts: false });
    const chats = new Set<string>();
    for (const m of messages) {
      const who = await deps.store.identities.get(m.channel, m.userId);
      if (v.scope === 'all' || (who?.unitId && isInScope(v.scope, who.unitId))) chats.add(`${m.channel}:${m.userId}`);
    }
    return { people: chats.size, names: [] };
  }
  return { people: 0, names: [] };
}

function whatOf(v: Viewer, e: ScheduleEntry): string {
  if (e.job.name === 'reminder') return v.t('web.reminder_what', { what: v.t(`deadline.${e.job.data.kind}`), year: e.job.data.year, days: e.job.data.offsetDays });
  if (e.job.name === 'staff-alert') return v.t('web.alert_what', { year: e.job.data.year, days: e.job.data.offsetDays });
  return e.job.name;
}

/** Announcements this person may read: all of them for admins; for staff those meant for everyone, staff, a level, a channel, or an office in their scope. */
const mayRead = (v: Viewer, a: Audience) => v.scope === 'all' || a.kind !== 'office' || isInScope(v.scope, a.unitId);

async function audienceText(deps: DashboardDeps, v: Viewer, a: Audience): Promise<string> {
  switch (a.kind) {
    case 'level':
      return v.t('announce.audience_level_line', { level: levelName(deps.campaign, a.level, v.lang) });
    case 'office':
      return v.t('announce.audience_office_line', { office: (await deps.store.units.get(a.unitId))?.name ?? a.unitId });
    case 'channel':
      return v.t('announce.audience_channel_line', { channel: v.t(`channel.${a.channel}`) });
    case 'staff':
      return v.t('announce.audience_staff');
    default:
      return v.t('announce.audience_all');
  }
}

async function recentBroadcasts(deps: DashboardDeps, v: Viewer): Promise<BroadcastStatus[]> {
  const ids = await deps.jobs.deps.redis.zrevrange(jobKeys(deps.prefix).broadcastsAll, 0, 19);
  const out: BroadcastStatus[] = [];
  for (const id of ids) {
    const s = await deps.jobs.broadcasts.status(id);
    if (s && mayRead(v, s.audience)) out.push(s);
  }
  return out.slice(0, 10);
}

export async function schedulePage(deps: DashboardDeps, v: Viewer, _req: express.Request, res: express.Response): Promise<void> {
  const { entries, synced } = await upcoming(deps);
  const rows = [];
  for (const e of entries) {
    const who = await audienceOf(deps, v, e);
    const names = who.names.length > NAMES ? [...who.names.slice(0, NAMES), v.t('staff.more', { count: who.names.length - NAMES })] : who.names;
    rows.push(html`<tr><td>${formatVn(e.at, v.lang, true)}</td><td>${whatOf(v, e)}</td><td>${v.t('web.recipients', { count: who.people })}${names.length ? html`<br><span class="muted">${names.join(', ')}</span>` : ''}</td></tr>`);
  }
  const plan = entries.length
    ? html`${synced ? '' : html`<p class="warn">${v.t('web.schedule_not_synced')}</p>`}<div class="scroll"><table id="schedule"><thead><tr><th>${v.t('web.col_when')}</th><th>${v.t('web.col_what')}</th><th>${v.t('web.col_who')}</th></tr></thead><tbody>${rows}</tbody></table></div>`
    : html`<p>${v.t('web.schedule_none')}</p>`;
  const bcs = [];
  for (const b of await recentBroadcasts(deps, v)) {
    const text = b.text.length > 120 ? `${b.text.slice(0, 119)}…` : b.text;
    bcs.push(
      html`<tr><td>#${b.id}<br><span class="muted">${formatVn(new Date(b.createdAt), v.lang, true)}</span></td><td>${text}<br><span class="muted">${await audienceText(deps, v, b.audience)}</span></td><td>${v.t(`web.bc_${b.status}`)}</td><td>${v.t('web.bc_figures', { sent: b.sent, total: b.total, failed: b.failed, unreachable: b.unreachable, pending: b.pending })}</td></tr>`,
    );
  }
  const announcements = bcs.length
    ? html`<div class="scroll"><table id="broadcasts"><thead><tr><th>${v.t('web.col_bc')}</th><th>${v.t('web.col_text')}</th><th>${v.t('web.col_state')}</th><th>${v.t('web.col_delivery')}</th></tr></thead><tbody>${bcs}</tbody></table></div>`
    : html`<p>${v.t('web.bc_none')}</p>`;
  res.type('html').send(v.page(v.t('web.schedule_title'), html`<h1>${v.t('web.schedule_title')}</h1>${plan}<h2>${v.t('web.broadcasts_title')}</h2>${announcements}`));
}
