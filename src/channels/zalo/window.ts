import { formatInTimeZone, fromZonedTime } from 'date-fns-tz';
import { VN_TZ } from '../../domain/time.js';

/**
 * Zalo's time rules in one place (docs/zalo.md §5, §9): the consultation window after a
 * user's last message, and the night when messages are refused. The Zalo channel's send
 * path and its `reachable` (what broadcasts count as unreachable) both read them here.
 */

/** Consultation messages are free within 48 h of the user's last message … */
export const FREE_WINDOW_MS = 48 * 3600_000;
/** … allowed (billed) up to 7 days; after that only pre-approved templates. */
export const CS_WINDOW_MS = 7 * 24 * 3600_000;

/** 'free' and 'paid': consultation messages go out; 'closed': templates only. */
export type ZaloWindow = 'free' | 'paid' | 'closed';

export function zaloWindow(lastInboundAt: string | null | undefined, now: Date): ZaloWindow {
  const last = lastInboundAt ? Date.parse(lastInboundAt) : NaN;
  const age = Number.isFinite(last) ? now.getTime() - last : Infinity;
  if (age <= FREE_WINDOW_MS) return 'free';
  return age <= CS_WINDOW_MS ? 'paid' : 'closed';
}

/** After a night refusal (22:00–06:00 Vietnam time): 06:05 on the day of `now`, or on the next day if that has passed. */
export function nextMorning(now: Date): Date {
  const day = formatInTimeZone(now, VN_TZ, 'yyyy-MM-dd');
  const today = fromZonedTime(`${day}T06:05:00`, VN_TZ);
  return today.getTime() > now.getTime() ? today : new Date(today.getTime() + 86_400_000);
}
