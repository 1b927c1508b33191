/**
 * One pass over a webhook body's bytes before any JSON parser sees it: the body must be
 * one JSON object nested at most `maxDepth` deep, and the string or integer values of a
 * few top-level keys are read on the way (Zalo needs `app_id` and `timestamp` to check a
 * signature, and a body must not be parsed before it is verified). `longNumbers` tells
 * whether a number has more than 15 digits in a row, which JSON.parse may round.
 *
 * Linear by construction: every byte is looked at once, no regex, no recursion. Not a
 * validator: the parser that runs afterwards refuses what is not JSON.
 */
export type JsonShape =
  | { ok: true; fields: Record<string, string>; longNumbers: boolean }
  | { ok: false; reason: 'not_object' | 'too_deep' | 'unterminated' };

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
/** Longer field values are not ids nor timestamps: left out. */
const MAX_FIELD_BYTES = 64;
/** Digits a double holds exactly (2^53 has 16). */
const SAFE_DIGITS = 15;

const isSpace = (c: number | undefined) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
const isDigit = (c: number | undefined) => c !== undefined && c >= 0x30 && c <= 0x39;

export function scanJson(bytes: Buffer, maxDepth: number, wanted: readonly string[] = []): JsonShape {
  const fields: Record<string, string> = {};
  let i = 0;
  while (isSpace(bytes[i])) i++;
  if (bytes[i] !== OPEN_OBJECT) return { ok: false, reason: 'not_object' };
  let depth = 0;
  let atKey = false; // the next top-level string is a key
  let key: string | undefined; // a wanted top-level key whose value comes next
  let digits = 0; // digits in a row, outside strings
  let longNumbers = false;
  for (; i < bytes.length; i++) {
    const c = bytes[i]!;
    if (isDigit(c)) {
      if (++digits > SAFE_DIGITS) longNumbers = true;
    } else digits = 0;
    if (c === QUOTE) {
      const start = i + 1;
      let escaped = false;
      for (i = start; i < bytes.length && bytes[i] !== QUOTE; i++) {
        if (bytes[i] === BACKSLASH) {
          i++;
          escaped = true;
        }
      }
      if (i >= bytes.length) return { ok: false, reason: 'unterminated' };
      if (depth !== 1) continue;
      if (atKey) {
        const name = i - start <= MAX_FIELD_BYTES && !escaped ? bytes.toString('utf8', start, i) : '';
        key = wanted.includes(name) && !(name in fields) ? name : undefined;
        atKey = false;
      } else if (key !== undefined) {
        if (!escaped && i - start <= MAX_FIELD_BYTES) fields[key] = bytes.toString('utf8', start, i);
        key = undefined;
      }
    } else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      if (++depth > maxDepth) return { ok: false, reason: 'too_deep' };
      if (depth === 1) atKey = true;
      else key = undefined;
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      if (--depth > 0) continue;
      for (i++; isSpace(bytes[i]); i++);
      return i === bytes.length ? { ok: true, fields, longNumbers } : { ok: false, reason: 'not_object' };
    } else if (depth === 1) {
      if (c === COMMA) {
        atKey = true;
        key = undefined;
      } else if (key !== undefined && (isDigit(c) || c === 0x2d)) {
        let end = i + 1;
        while (isDigit(bytes[end])) end++;
        if (end - i <= MAX_FIELD_BYTES) fields[key] = bytes.toString('latin1', i, end);
        key = undefined;
      }
    }
  }
  return { ok: false, reason: 'unterminated' };
}
