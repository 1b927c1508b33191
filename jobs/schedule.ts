import type { Queue } from 'bullmq';
import { formatInTimeZone } from 'date-fns-tz';
import type { Campaign } from '../src/campaign/schema.js';
import { reminderSchedule, staffAlertSchedule, VN_TZ, type DeadlineKind, type ReviewStep } from '../src/domain/index.js';
import { safeJobId } from './keys.js';

/**
 * The campaign's clock as BullMQ job schedulers. Each reminder and each staff alert of
 * the campaign that is still ahead is one scheduler with a cron pattern for its Vietnam
 * wall-clock minute (`0 8 28 11 *`, tz Asia/Ho_Chi_Minh) bounded by start and end dates
 * a minute either side, so it fires exactly once; BullMQ keeps it (and its next delayed
 * job) in Redis, so schedules survive restarts. Plus one catch-up sweep every 15 minutes
 * in the daytime. `syncSchedules` is idempotent: every worker calls it at start.
 */

export type ScheduleJob =
  | { name: 'reminder'; data: { kind: DeadlineKind; year: number; offsetDays: number; at: string } }
  | { name: 'staff-alert'; data: { year: number; offsetDays: number; at: string } }
  | { name: 'sweep'; data: Record<string, never> }
  | { name: 'dossier-submitted'; data: { nominationId: string } }
  | { name: 'dossier-completed'; data: { nominationId: string } }
  | { name: 'dossier-forwarded'; data: { nominationId: string; step: ReviewStep } }
  | { name: 'member-joined'; data: { channel: string; userId: string } };

export type ScheduleData = ScheduleJob['data'];

export interface ScheduleEntry {
  id: string;
  at: Date;
  job: ScheduleJob;
}

/** Cron pattern of a Vietnam wall-clock minute on a given day (any year). */
export function cronFor(at: Date): string {
  const [mm, hh, dd, mo] = formatInTimeZone(at, VN_TZ, 'm H d M').split(' ');
  return `${mm} ${hh} ${dd} ${mo} *`;
}

/** Sweep: every 15 minutes from 07:00 to 20:45, Vietnam time (no catch-up reminders at night). */
export const SWEEP_PATTERN = '*/15 7-20 * * *';

/** Every reminder and staff alert of the campaign after `now`, as scheduler entries. */
export function scheduleEntries(campaign: Campaign, now: Date): ScheduleEntry[] {
  const out: ScheduleEntry[] = [];
  for (const r of reminderSchedule(campaign)) {
    if (r.at.getTime() <= now.getTime()) continue;
    out.push({
      id: safeJobId('rem', campaign.id, r.kind, r.year, `d${r.offsetDays}`),
      at: r.at,
      job: { name: 'reminder', data: { kind: r.kind, year: r.year, offsetDays: r.offsetDays, at: r.at.toISOString() } },
    });
  }
  for (const a of staffAlertSchedule(campaign)) {
    if (a.at.getTime() <= now.getTime()) continue;
    out.push({
      id: safeJobId('alert', campaign.id, a.year, `d${a.offsetDays}`),
      at: a.at,
      job: { name: 'staff-alert', data: { year: a.year, offsetDays: a.offsetDays, at: a.at.toISOString() } },
    });
  }
  return out;
}

const OURS = /^(rem|alert|sweep)-/;

/** Creates or updates every scheduler of the campaign; removes ours that no longer belong (past, or another campaign). */
export async function syncSchedules(queue: Queue<ScheduleData>, campaign: Campaign, now: Date): Promise<{ upserted: number; removed: number; ahead: number }> {
  const entries = scheduleEntries(campaign, now);
  const wanted = new Set(entries.map((e) => e.id));
  const sweepId = safeJobId('sweep', campaign.id);
  wanted.add(sweepId);
  let upserted = 0;
  for (const e of entries) {
    const job = await queue.upsertJobScheduler(
      e.id,
      { pattern: cronFor(e.at), tz: VN_TZ, startDate: e.at.getTime() - 60_000, endDate: e.at.getTime() + 60_000 },
      { name: e.job.name, data: e.job.data, opts: { attempts: 5, backoff: { type: 'exponential', delay: 10_000 } } },
    );
    if (job) upserted++;
  }
  await queue.upsertJobScheduler(sweepId, { pattern: SWEEP_PATTERN, tz: VN_TZ }, { name: 'sweep', data: {}, opts: { attempts: 1 } });
  let removed = 0;
  for (const s of await queue.getJobSchedulers(0, -1)) {
    const id = s.id ?? s.key;
    if (OURS.test(id) && !wanted.has(id)) removed += (await queue.removeJobScheduler(id)) ? 1 : 0;
  }
  return { upserted, removed, ahead: entries.length };
}

/** Is `now` inside the sweep's daytime hours (07:00–20:59 Vietnam time)? */
export function isDaytime(now: Date): boolean {
  const h = Number(formatInTimeZone(now, VN_TZ, 'H'));
  return h >= 7 && h <= 20;
}
