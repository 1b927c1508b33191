import { createHash, createHmac, randomInt } from 'node:crypto';

/**
 * Digits and consonants only: no vowel (A E I O U Y), no W and no D, so Vietnamese
 * Telex/VNI keyboards on phones (aa→â, dd→đ, w→ư, tone keys after a vowel) leave a
 * typed code alone. O, I and L are read as 0, 1, 1. 27 symbols.
 */
export const INVITE_ALPHABET = '0123456789BCFGHJKMNPQRSTVXZ';
/** 27^13 ≈ 2^61.8. */
export const INVITE_LENGTH = 13;
/** Shown and printed as XXXX-XXXX-XXXXX. */
const GROUPS = [4, 4, 5];

/** Codes issued before: 8 symbols of this alphabet (≈ 2^39.6), stored as bare sha256. Accepted until they expire. */
const LEGACY_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';
const LEGACY = new RegExp(`^[${LEGACY_ALPHABET}]{8}$`);
const CURRENT = new RegExp(`^[${INVITE_ALPHABET}]{${INVITE_LENGTH}}$`);

/** Upper case, without spaces, dashes and dots: "k7m2-q9x…" and "K7M2Q9X…" are the same code. */
export function normalizeInviteCode(code: string): string {
  return code.replace(/[\s\u2010-\u2015._-]+/g, '').toUpperCase();
}

export function newInviteCode(): string {
  let code = '';
  for (let i = 0; i < INVITE_LENGTH; i++) code += INVITE_ALPHABET[randomInt(INVITE_ALPHABET.length)];
  return code;
}

/** XXXX-XXXX-XXXXX, for people to read and type. */
export function formatInviteCode(code: string): string {
  const out: string[] = [];
  let at = 0;
  for (const n of GROUPS) {
    out.push(code.slice(at, at + n));
    at += n;
  }
  return out.join('-');
}

/**
 * The hash an invite is stored under: HMAC-SHA256 of the canonical code with the server
 * secret (a stolen database cannot be brute-forced offline without it). A code of the
 * old format hashes as it was stored then (bare sha256). null: not a code at all.
 */
export function hashInviteCode(code: string, secret: string): string | null {
  const typed = normalizeInviteCode(code);
  if (LEGACY.test(typed)) return createHash('sha256').update(typed).digest('hex');
  const canonical = typed.replace(/O/g, '0').replace(/[IL]/g, '1');
  if (!CURRENT.test(canonical)) return null;
  return createHmac('sha256', secret).update(canonical).digest('hex');
}

/** A value that shows whether two processes hold the same secret, and reveals nothing of it. */
export function secretCheck(secret: string): string {
  return createHmac('sha256', secret).update('thidua-bot invite secret check').digest('hex').slice(0, 32);
}
