import { GrammyError, HttpError } from 'grammy';
import type { SendOutcome } from '../types.js';

type Failure = Exclude<SendOutcome, { ok: true }>;

/** Bad Request texts that mean "this chat cannot be written to", not "our request is wrong". */
const UNREACHABLE_400 = /chat not found|user not found|PEER_ID_INVALID|user is deactivated|have no rights to send|not enough rights to send|CHAT_WRITE_FORBIDDEN|bot is not a member|bot was kicked/i;

/**
 * What a failed Bot API call means for the sender (src/channels/types.ts). Reasons are
 * Telegram's generic error texts: they never carry message content or tokens.
 */
export function classifyTelegramError(err: unknown): Failure {
  if (err instanceof GrammyError) {
    const code = err.error_code;
    const reason = `${code}: ${err.description}`;
    if (code === 429) {
      const seconds = typeof err.parameters.retry_after === 'number' ? err.parameters.retry_after : 1;
      return { ok: false, kind: 'rate_limited', retryAfterMs: Math.max(1, seconds) * 1000, reason };
    }
    // 403: blocked by the user, kicked from the group, user deactivated: permanent for this chat.
    if (code === 403) return { ok: false, kind: 'unreachable', reason };
    if (code === 400 && UNREACHABLE_400.test(err.description)) return { ok: false, kind: 'unreachable', reason };
    // 401 bad token, 404 wrong API root or method, other 400s: our side is wrong.
    if (code === 401 || code === 404 || code === 400 || code === 409) return { ok: false, kind: 'config', reason };
    return { ok: false, kind: 'transient', reason };
  }
  if (err instanceof HttpError) return { ok: false, kind: 'transient', reason: err.message };
  return { ok: false, kind: 'transient', reason: err instanceof Error ? err.message : String(err) };
}

/** A 400 that says the group became a supergroup carries the new chat id. */
export function migratedTo(err: unknown): string | null {
  if (err instanceof GrammyError && typeof err.parameters.migrate_to_chat_id === 'number') return String(err.parameters.migrate_to_chat_id);
  return null;
}
