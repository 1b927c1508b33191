import { createHash, timingSafeEqual } from 'node:crypto';
import { isInteger, isSafeNumber, parse } from 'lossless-json';
import { scanJson } from '../json-shape.js';

/**
 * Verifying and reading Zalo OA webhook deliveries (docs/zalo.md §1–§3).
 *
 * `X-ZEvent-Signature: mac=<hex sha256(app_id + rawBody + timestamp + OA secret key)>`:
 * plain SHA-256 over the raw body bytes as received, `app_id` and `timestamp` taken from
 * the body (strings). Nothing parses a body before its signature is checked: the two
 * fields come from one linear pass over the bytes (json-shape.ts).
 */

/**
 * The largest event we read. A Zalo event is an envelope of under 1 KB plus the user's
 * text (a few KB): 64 KB leaves a wide margin, and the worst body of that size parses in
 * a few milliseconds (a 1 MB one could hold the event loop 100+ ms with any parser).
 */
export const MAX_EVENT_BYTES = 64 * 1024;
/** Zalo's envelopes nest 6 deep (event → message → attachments → payload → coordinates). */
export const MAX_EVENT_DEPTH = 16;

/**
 * Signed events older than this are refused (docs/zalo.md §3): Zalo's last reported
 * redelivery comes about 1 h 51 min after the first attempt; 6 h leaves room for delays
 * on Zalo's side and for our clock. The dedupe marks must outlive REPLAY_WINDOW_MS +
 * MAX_CLOCK_SKEW_MS, or a captured event could be replayed once its mark expired.
 */
export const REPLAY_WINDOW_MS = 6 * 3600_000;
/** Events stamped a little in the future (Zalo's clock ahead of ours) are accepted. */
export const MAX_CLOCK_SKEW_MS = 5 * 60_000;

export type SignatureCheck =
  | { ok: true; event: Record<string, unknown> }
  | { ok: false; reason: 'missing' | 'malformed' | 'mismatch' | 'not_event' };

/** Integers beyond 2^53 (ids) stay exact strings; other numbers become numbers. */
const keepBigIntegers = (text: string): unknown => (isInteger(text) && !isSafeNumber(text) ? text : Number(text));

/**
 * Parses a webhook body without losing ids. Zalo sends ids as strings, but a bare integer
 * above 2^53 would be corrupted by JSON.parse: lossless-json hands us its digits. Throws
 * on anything that is not JSON (duplicate keys with different values included).
 */
export function parseEventJson(raw: string): unknown {
  return parse(raw, undefined, keepBigIntegers);
}

const HEX64 = /^[0-9a-f]{64}$/;
const MAC_PREFIX = /^mac=/i;
const asText = (v: unknown) => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined);

/**
 * Checks the signature header against the raw body, then parses the body; never throws.
 * `not_event`: the body is no signable Zalo event (not one JSON object of bounded depth
 * carrying app_id and timestamp), or is signed but not JSON.
 */
export function verifyZaloSignature(rawBody: Buffer, header: string | string[] | undefined, oaSecretKey: string): SignatureCheck {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) return { ok: false, reason: 'missing' };
  const given = value.trim().replace(MAC_PREFIX, '').toLowerCase();
  if (!HEX64.test(given)) return { ok: false, reason: 'malformed' };
  const shape = scanJson(rawBody, MAX_EVENT_DEPTH, ['app_id', 'timestamp']);
  if (!shape.ok) return { ok: false, reason: 'not_event' };
  const { app_id: appId, timestamp } = shape.fields;
  if (appId === undefined || timestamp === undefined) return { ok: false, reason: 'not_event' };
  const expected = createHash('sha256').update(appId, 'utf8').update(rawBody).update(timestamp, 'utf8').update(oaSecretKey, 'utf8').digest();
  if (!timingSafeEqual(expected, Buffer.from(given, 'hex'))) return { ok: false, reason: 'mismatch' };

  let event: unknown;
  try {
    // lossless-json only where JSON.parse could round a number: it is several times slower on hostile bodies.
    const text = rawBody.toString('utf8');
    event = shape.longNumbers ? parseEventJson(text) : JSON.parse(text);
  } catch {
    return { ok: false, reason: 'not_event' };
  }
  const e = event as Record<string, unknown>;
  // What was signed must be what we act on.
  if (asText(e.app_id) !== appId || asText(e.timestamp) !== timestamp) return { ok: false, reason: 'not_event' };
  return { ok: true, event: e };
}

/** How old a signed event is by our clock (ms; null: no epoch-ms timestamp) and whether it is inside the replay window. */
export function eventFreshness(timestamp: unknown, now: Date): { fresh: boolean; ageMs: number | null } {
  const text = asText(timestamp);
  if (text === undefined || !/^\d{1,15}$/.test(text)) return { fresh: false, ageMs: null };
  const ageMs = now.getTime() - Number(text);
  return { fresh: ageMs <= REPLAY_WINDOW_MS && ageMs >= -MAX_CLOCK_SKEW_MS, ageMs };
}
