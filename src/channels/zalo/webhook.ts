import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Verifying and reading Zalo OA webhook deliveries (docs/zalo.md §1–§2).
 *
 * `X-ZEvent-Signature: mac=<hex sha256(app_id + rawBody + timestamp + OA secret key)>`:
 * plain SHA-256 over the raw body bytes as received, `app_id` and `timestamp` taken from
 * the body (strings).
 */

export type SignatureCheck = { ok: true; event: Record<string, unknown> } | { ok: false; reason: 'missing' | 'malformed' | 'mismatch' };

/**
 * Parses a webhook body without losing ids. Zalo sends ids as strings, but a bare integer
 * of 16+ digits (above 2^53) would be corrupted by JSON.parse, so such numbers are quoted
 * before parsing: an id always stays a string.
 */
export function parseEventJson(raw: string): unknown {
  const quoted = raw.replace(/("(?:[^"\\]|\\.)*")|(?<=[:[,]\s*)(-?\d{16,})(?=\s*[,}\]])/g, (m, str: string | undefined, big: string | undefined) =>
    str !== undefined ? m : `"${big}"`,
  );
  return JSON.parse(quoted);
}

const HEX64 = /^[0-9a-f]{64}$/;

/** Checks the signature header against the raw body; never throws. */
export function verifyZaloSignature(rawBody: Buffer, header: string | string[] | undefined, oaSecretKey: string): SignatureCheck {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) return { ok: false, reason: 'missing' };
  const given = value.trim().replace(/^mac=/i, '').toLowerCase();
  if (!HEX64.test(given)) return { ok: false, reason: 'malformed' };
  let event: unknown;
  try {
    event = parseEventJson(rawBody.toString('utf8'));
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  if (!event || typeof event !== 'object' || Array.isArray(event)) return { ok: false, reason: 'malformed' };
  const { app_id: appId, timestamp } = event as Record<string, unknown>;
  if ((typeof appId !== 'string' && typeof appId !== 'number') || (typeof timestamp !== 'string' && typeof timestamp !== 'number')) {
    return { ok: false, reason: 'malformed' };
  }
  const expected = createHash('sha256')
    .update(String(appId), 'utf8')
    .update(rawBody)
    .update(String(timestamp), 'utf8')
    .update(oaSecretKey, 'utf8')
    .digest();
  const ok = timingSafeEqual(expected, Buffer.from(given, 'hex'));
  return ok ? { ok: true, event: event as Record<string, unknown> } : { ok: false, reason: 'mismatch' };
}
