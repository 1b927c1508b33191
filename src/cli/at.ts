import { fromZonedTime } from 'date-fns-tz';
import { realClock, type Clock } from '../clock.js';
import { VN_TZ } from '../domain/time.js';
import { CliError } from './errors.js';

/** `--at`: an ISO time; without a zone it is Vietnam time (`2024-11-28T08:00` = 08:00 in Hà Nội); `now` is the store's clock (the demo's simulated one). */
export function parseAt(text: string | undefined, clock: Pick<Clock, 'now'> = realClock): Date {
  if (!text || text === 'now') return clock.now();
  const zoned = /(Z|[+-]\d\d:?\d\d)$/i.test(text.trim());
  const at = zoned ? new Date(text) : fromZonedTime(text.trim(), VN_TZ);
  if (Number.isNaN(at.getTime())) throw new CliError(`--at must be a time like 2024-11-28T08:00 (Vietnam time) or 2024-11-28T01:00:00Z, not "${text}"`);
  return at;
}
