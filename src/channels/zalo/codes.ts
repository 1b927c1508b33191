import type { SendOutcome } from '../types.js';
import { nextMorning } from './window.js';
import { realClock } from '../../clock.js';

/**
 * Zalo's answer codes and what we do about each (docs/zalo.md §9). Errors come back as
 * HTTP 200 with `error` ≠ 0; these tables turn one into a SendOutcome.
 */

/** Access token invalid (-216) or expired/removed (-220): refresh once, retry once. ZNS says -124. */
export const TOKEN_CODES = new Set([-216, -220, -124]);

/** Rate limit (per app or per OA): back off, do not use up the message's attempts. */
export const RATE_LIMIT_CODE = -32;
/** Backoff after -32 (Zalo gives no retry-after; its limit is per minute). */
export const RATE_LIMIT_BACKOFF_MS = 30_000;

/** An uploaded attachment id / file token expired (7 days): upload again once. */
export const UPLOAD_EXPIRED_CODE = -100;

/**
 * No interaction in the past 7 days (-230) or none at all (-232): consultation messages are
 * refused, a pre-approved template may still reach the user.
 */
export const WINDOW_CODES = new Set([-230, -232]);

/** The recipient cannot be reached; no retry, no template fallback. Reason strings are ours. */
export const UNREACHABLE_CODES = new Map<number, string>([
  [-213, 'zalo_not_follower'],
  [-217, 'zalo_blocked'],
  [-227, 'zalo_inactive'],
  [-244, 'zalo_restricted'],
  // ZNS (business.openapi.zalo.me) has its own table.
  [-108, 'zalo_phone_invalid'],
]);

/** Refused at night (-234; ZNS -133): not the person's fault, the same message goes out in the morning. */
export const NIGHT_CODES = new Set([-234, -133]);
export const NIGHT_REASON = 'zalo_night';

/** The outcome reason when the 7-day window is closed and no template could be sent. */
export const WINDOW_REASON = 'zalo_window';

export interface ZaloAnswer {
  error: number;
  message: string;
  data?: Record<string, unknown>;
}

/** What one Zalo answer at `now` means for the message (token codes are handled before this, by the client). */
export function outcomeOf(answer: ZaloAnswer, now: Date = realClock.now()): SendOutcome {
  const { error, message } = answer;
  if (error === 0) {
    const id = answer.data?.message_id ?? answer.data?.msg_id;
    return { ok: true, ...(typeof id === 'string' ? { platformMessageId: id } : {}) };
  }
  const reason = `zalo ${error}: ${String(message ?? '').slice(0, 200)}`;
  if (error === RATE_LIMIT_CODE) return { ok: false, kind: 'rate_limited', retryAfterMs: RATE_LIMIT_BACKOFF_MS, reason };
  if (WINDOW_CODES.has(error)) return { ok: false, kind: 'unreachable', reason: WINDOW_REASON };
  if (NIGHT_CODES.has(error)) return { ok: false, kind: 'deferred', retryAt: nextMorning(now), reason: NIGHT_REASON };
  const unreachable = UNREACHABLE_CODES.get(error);
  if (unreachable) return { ok: false, kind: 'unreachable', reason: unreachable };
  if (TOKEN_CODES.has(error)) return { ok: false, kind: 'config', reason: `zalo_token: ${reason}` };
  // Everything else (-201 invalid parameter, -204 OA disabled, -211 out of quota, -221 OA not
  // verified, -249 template not sendable by UID, -320/-321 billing, unknown codes): our side.
  return { ok: false, kind: 'config', reason };
}
