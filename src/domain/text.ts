/**
 * Folds Vietnamese text for matching: no diacritics, đ→d, lower case, single spaces.
 * "Bình Thành" and "binh  THANH" both become "binh thanh".
 */
export function fold(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[đĐ]/g, 'd')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .trim();
}

/** Bidi embeddings/overrides/isolates (U+202A–U+202E, U+2066–U+2069), zero-width and direction marks (U+200B–U+200F), word joiner, BOM. */
const INVISIBLE = /[\u202a-\u202e\u2066-\u2069\u200b-\u200f\u2060\ufeff]/g;

/**
 * Removes characters that show nothing but can reorder or disguise what others read
 * (a name with U+202E displays reversed; zero-width characters make look-alike names),
 * then normalises to NFC so the same Vietnamese letters are stored the same way.
 */
/** A number as people write it in that language: 72,5 in Vietnamese, 72.5 in English (at most 2 decimals). */
export function formatNumber(value: number, lang: 'vi' | 'en'): string {
  return value.toLocaleString(lang === 'vi' ? 'vi-VN' : 'en-US', { maximumFractionDigits: 2, useGrouping: false });
}

export function stripInvisible(s: string): string {
  return s.replace(INVISIBLE, '').normalize('NFC');
}
